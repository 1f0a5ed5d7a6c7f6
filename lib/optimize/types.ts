// Shapes shared by the optimize modules: the progress events of a run (evaluators/evaluator.ts has how
// evaluations are run).
import type { TrainProgress } from '../train/train';
import type { EvaluationRecord } from './journal';

/** Which search a record or event belongs to: the chosen algorithm, or the random-search baseline. */
export type SearchName = 'search' | 'baseline';

/** What a queue job belongs to (its id's second part): a search, or the recheck of the answer (recheck.ts). */
export type JobGroup = SearchName | 'recheck';

export interface BestSoFar {
  index: number;
  fitness: number;
  uar: number;
}

export type OptimizeProgress =
  | { phase: 'data'; message: string }
  | { phase: 'start'; search: SearchName; algorithm: string; done: number; planned: number; workers: number; threads: number; queue?: string; resumed: boolean }
  | { phase: 'evaluation-start'; search: SearchName; index: number; worker: number | string; pid: number }
  /** Queue mode: a worker refused or restarted an evaluation, where the queue is. */
  | { phase: 'note'; message: string }
  | { phase: 'evaluation'; search: SearchName; record: EvaluationRecord; done: number; planned: number; best: BestSoFar | null; etaSeconds: number | null }
  /** epochs: training epochs spent so far (all rungs and folds). */
  | { phase: 'iteration'; search: SearchName; iteration: number; iterations: number | null; done: number; planned: number; epochs: number; best: BestSoFar | null; etaSeconds: number | null }
  | { phase: 'final'; epochs: number; progress: TrainProgress };
