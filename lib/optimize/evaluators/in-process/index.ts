// The in-process evaluator (workers: 0): evaluations run one at a time in this process, sharing its
// decoded-audio cache. Simple and debuggable; the pool evaluator runs several at once.
import type { AudioCache } from '../../../train/data';
import { runEvaluation } from '../../objective';
import { EvaluationFailure, type EvaluatorBackend, type OnEvaluationStart } from '../evaluator';

export function inProcessEvaluator(onStart: OnEvaluationStart): EvaluatorBackend {
  const audioCache: AudioCache = new Map();
  return {
    concurrency: 1,
    workers: () => ({ workers: 0, threads: 0, devices: null }),
    close: async () => undefined,
    evaluate: async (job, signal) => {
      const started = Date.now();
      onStart({ index: job.index, worker: 'in-process', pid: process.pid });
      try {
        const result = await runEvaluation(job, { audioCache, signal });
        return { result, worker: 'in-process', seconds: (Date.now() - started) / 1000 };
      } catch (e) {
        if (signal?.aborted) throw e;
        const code = (e as { code?: unknown }).code;
        throw new EvaluationFailure((e as Error).message ?? String(e), { worker: 'in-process', pid: process.pid, crashed: false, code: typeof code === 'string' ? code : undefined, seconds: (Date.now() - started) / 1000 });
      }
    },
  };
}
