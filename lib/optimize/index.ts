// Public surface of the SER hyper-parameter search (optimize) and its building blocks.
export { optimize } from './run';
export type { OptimizeOptions, OptimizeResult, FinalTraining, QueueModeOptions } from './run';
export { SER_SPACE, configToOverrides, validateFixed, recipePoint } from './space';
export { tuningFolds } from './folds';
export { warmStartConfigs } from './warm-start';
export type { SerSpace, SerHyperParameters } from './space';
export { runEvaluation, validateJob } from './objective';
export type { EvaluationJob, EvaluationResult, EvaluationMetrics, RunEvaluationOptions } from './objective';
export { EvaluationPool, EvaluationFailure, planWorkers, defaultWorkerScript } from './pool';
export type { PoolOptions, PoolReply, WorkerPlan } from './pool';
export type { WorkerRequest, WorkerReply, SerializedError } from './eval-worker';
export type { EvaluationRecord as OptimizeRecord } from './journal';
export { plannedEvaluations } from './search';
export type { RunSettings } from './settings';
export type { OptimizeProgress, BestSoFar, SearchName } from './types';
