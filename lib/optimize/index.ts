// Public surface of the SER hyper-parameter search (optimize) and its building blocks.
export { optimize } from './run';
export type { OptimizeOptions } from './options';
export type { OptimizeResult } from './outputs';
export type { FinalTraining } from './run-state';
export type { QueueModeOptions, WorkerPlan } from './evaluators';
export { SER_SPACE, configToOverrides, validateFixed } from './space';
export type { SerSpace, SerHyperParameters } from './space';
export { runEvaluation, validateJob } from './objective';
export type { EvaluationJob, EvaluationResult, EvaluationMetrics, RunEvaluationOptions } from './objective';
export { EvaluationFailure, planWorkers } from './evaluators';
export { EvaluationPool, defaultWorkerScript } from './evaluators/pool';
export type { PoolOptions, PoolReply } from './evaluators/pool';
export type { WorkerRequest, WorkerReply, SerializedError } from './evaluators/pool/eval-worker';
export type { EvaluationRecord as OptimizeRecord } from './journal';
export { plannedEvaluations } from './search';
export type { RunSettings } from './settings';
export type { OptimizeProgress, BestSoFar, SearchName } from './types';
