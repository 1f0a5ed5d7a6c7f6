// The one interface of the three evaluators (in-process, pool of worker processes, BullMQ queue): the
// search asks an Evaluator for each candidate's result and never knows where it ran.
import type { EvaluationJob, EvaluationResult } from '../objective';

export interface EvaluatorReply {
  result: EvaluationResult;
  /** Worker slot, 'in-process', or HOST:PID/SLOT of a queue worker. */
  worker: number | string;
  /** Wall time seen by the caller, seconds. */
  seconds: number;
}

/** Runs one job (in a worker process or in this one); rejects with the reason when it fails. */
export type Evaluator = (job: EvaluationJob, signal?: AbortSignal) => Promise<EvaluatorReply>;

/** Where evaluations run: worker processes and their LibTorch threads (0 workers = in this process). */
export interface WorkerPlan {
  /** Worker processes; 0 = evaluate in the calling process. */
  workers: number;
  /** LibTorch intra-op threads per worker (SER_NATIVE_THREADS). */
  threads: number;
  /** Device of each worker slot when the jobs are spread over several GPUs, else null (the job's device). */
  devices: string[] | null;
}

/** A started evaluator: what optimize() drives the search with, then closes. */
export interface EvaluatorBackend {
  evaluate: Evaluator;
  /** Candidates evaluated at once. */
  concurrency: number;
  /** Parallelism the ETA is computed with, when it changes during the run (queue workers come and go). */
  etaParallelism?: () => number;
  /** Shown in progress events (queue mode: the queue and study). */
  label?: string;
  /** Where evaluations ran, for the report and result.json (read after the search). */
  workers(): WorkerPlan;
  /** Queue mode: where the evaluations ran and how they were obtained. */
  queueStats?(): { address: string; study: string; added: number; reused: number; found: number; workers: string[] };
  close(): Promise<void>;
}

/** A worker started an evaluation (each attempt). */
export type OnEvaluationStart = (e: { index: number; worker: number | string; pid: number }) => void;

/** An evaluation that did not produce a result: the worker's error, or the worker's death (lib/process-pool.ts). */
export { WorkerFailure as EvaluationFailure } from '../../process-pool';
