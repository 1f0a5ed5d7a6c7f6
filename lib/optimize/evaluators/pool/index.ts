// The process-pool evaluator: evaluations spread over worker processes (pool.ts, eval-worker.ts).
import type { EvaluatorBackend, OnEvaluationStart, WorkerPlan } from '../evaluator';
import { EvaluationPool } from './pool';

export { EvaluationPool, planWorkers, defaultWorkerScript, type PoolOptions, type PoolReply } from './pool';

export function poolEvaluator(plan: WorkerPlan, onStart: OnEvaluationStart): EvaluatorBackend {
  const pool = new EvaluationPool({ ...plan, onStart });
  return {
    concurrency: Math.max(1, plan.workers),
    workers: () => plan,
    close: () => pool.close(),
    evaluate: async (job, signal) => {
      const r = await pool.run(job, signal);
      return { result: r.result, worker: r.worker, seconds: r.seconds };
    },
  };
}
