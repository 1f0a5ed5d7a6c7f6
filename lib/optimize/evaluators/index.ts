// Where optimize's evaluations run: in this process, in a pool of worker processes, or through a Redis
// queue. All three are an EvaluatorBackend (evaluator.ts); run.ts picks one and never looks inside.
import type { DataOptions } from '../../train/data';
import type { JobGroup } from '../types';
import type { EvaluatorBackend, OnEvaluationStart, WorkerPlan } from './evaluator';
import { inProcessEvaluator } from './in-process';
import { poolEvaluator } from './pool';
import { openQueueEvaluator, type QueueModeOptions } from './queue';

export { EvaluationFailure, type Evaluator, type EvaluatorBackend, type EvaluatorReply, type OnEvaluationStart, type WorkerPlan } from './evaluator';
export { planWorkers } from './pool';
export { validateQueueOptions, type QueueModeOptions } from './queue';

export interface EvaluatorChoice {
  /** Local mode: how many worker processes (0 = in this process). */
  plan: WorkerPlan;
  /** Queue mode (then `plan` does not apply). */
  queue: QueueModeOptions | null;
  data: DataOptions;
  /** Queue mode: what identifies the study. */
  identity: Record<string, unknown>;
  population: number;
  search: () => JobGroup;
  onStart: OnEvaluationStart;
  onNote: (message: string) => void;
}

export function openEvaluator(c: EvaluatorChoice): Promise<EvaluatorBackend> {
  if (c.queue) return openQueueEvaluator({ queue: c.queue, data: c.data, identity: c.identity, concurrency: 4 * c.population, search: c.search, onStart: c.onStart, onNote: c.onNote });
  return Promise.resolve(c.plan.workers === 0 ? inProcessEvaluator(c.onStart) : poolEvaluator(c.plan, c.onStart));
}
