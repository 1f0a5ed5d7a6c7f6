// Distributed optimize: the queue coordinator (used by optimize({ queue })) and the queue worker.
export { QueueCoordinator } from './coordinator';
export type { CoordinatorOptions, CoordinatorStats } from './coordinator';
export { startWorker } from './worker';
export type { QueueWorker, QueueWorkerOptions, WorkerEvent } from './worker';
export { evaluationHash, jobIdOf, canonicalJson, validateQueueJobData } from './job';
export type { QueueJobData, QueueJobResult, QueueJobProgress, Versions } from './job';
export { dataDigest, relativeData, absoluteData } from './data';
export type { DataDigest } from './data';
export { QUEUE_DEFAULTS, QUEUE_NAME, PREFIX, RESULTS_KEY, parseQueueUrl, checkStudyName } from './settings';
