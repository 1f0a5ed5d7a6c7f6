// The pool of evaluation worker processes: lib/process-pool.ts running eval-worker.ts, plus how many
// workers and threads a run gets (planWorkers). Each worker keeps its decoded audio between jobs.
import * as is from '../../../is';
import { ProcessPool, threadShare, workerScript, type PoolReply as ProcessReply } from '../../../process-pool';
import type { EvaluationJob, EvaluationResult } from '../../objective';
import type { WorkerPlan } from '../evaluator';

export type { WorkerPlan };

/**
 * How many workers, threads and devices: by default one worker per GPU when CUDA is used without an index,
 * else max(1, floor(cores / 2)) (two threads each keep LibTorch's kernels efficient); threads = cores / workers.
 */
export function planWorkers(o: { workers?: number; device: string; resolvedDevice: string; cores: number; gpus: number }): WorkerPlan {
  if (o.workers !== undefined) is.number('workers', o.workers, { min: 0, integer: true });
  const cores = Math.max(1, o.cores);
  const spread = o.resolvedDevice.startsWith('cuda') && (o.device === 'auto' || o.device === 'cuda') && o.gpus > 0;
  const workers = o.workers ?? (spread ? o.gpus : Math.max(1, Math.floor(cores / 2)));
  const threads = threadShare(workers, cores);
  const devices = spread && workers > 0 ? Array.from({ length: workers }, (_, k) => `cuda:${k % o.gpus}`) : null;
  return { workers, threads, devices };
}

/** The compiled worker entry point; running from TypeScript sources (tests) uses the dist/ build. */
export function defaultWorkerScript(): string {
  return workerScript(__filename, 'lib/optimize/evaluators/pool/eval-worker.js');
}

export interface PoolOptions {
  workers: number;
  threads: number;
  /** Per-slot device overriding job.device (several GPUs). */
  devices?: string[] | null;
  /** Default defaultWorkerScript(). */
  script?: string;
  /** Extra environment of the workers. */
  env?: NodeJS.ProcessEnv;
  /** Called when a job is handed to a worker process. */
  onStart?: (e: { index: number; worker: number; pid: number }) => void;
}

export type PoolReply = ProcessReply<EvaluationResult>;

/** Evaluations on worker processes (lib/process-pool.ts running eval-worker.js). */
export class EvaluationPool extends ProcessPool<EvaluationJob, EvaluationResult> {
  constructor(options: PoolOptions) {
    const { onStart, script, ...rest } = options;
    super({
      ...rest,
      script: script ?? defaultWorkerScript(),
      describe: (job) => `evaluation ${job.index}`,
      onStart: onStart ? (e) => onStart({ index: e.job.index, worker: e.worker, pid: e.pid }) : undefined,
    });
  }
}
