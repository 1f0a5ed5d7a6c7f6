// What travels through the queue: the job data (an EvaluationJob with data paths relative to the data root,
// plus what the worker checks before running it) and the job's return value. Both are plain JSON.
//
// Job id: STUDY/GROUP/ITERATION/INDEX/HASH16, GROUP being search, baseline or recheck (the recheck's jobs: iteration 0,
// INDEX their order in the recheck). HASH is sha256 of the evaluation's identity (config, fixed
// recipe, seed, epochs, device, split, label map, data digest, package and LibTorch versions), so adding the
// same evaluation twice is a no-op (BullMQ keeps one job per id), and a result stored under HASH is reused.
import { createHash } from 'crypto';
import * as is from '../../../is';
import { canonicalJson, type Versions } from '../../../queue/settings';
import { validateJob, type EvaluationJob, type EvaluationResult } from '../../objective';
import type { JobGroup } from '../../types';

export type { Versions };

export interface QueueJobData {
  kind: 'ser-native/evaluation';
  version: 1;
  study: string;
  search: JobGroup;
  hash: string;
  /** dataDigest() of the study's data, as indexed by the coordinator. */
  dataDigest: string;
  versions: Versions;
  /** The worker kills the evaluation's process after this long. */
  timeoutSeconds: number;
  /** data: folders relative to the data root (relativeData()). */
  job: EvaluationJob;
}

/** The job's return value. */
export interface QueueJobResult {
  result: EvaluationResult;
  /** HOST:PID/SLOT of the worker that trained it (or trained the reused result). */
  worker: string;
  /** True when the worker found the result already stored and did not train. */
  cached: boolean;
}

/** Progress a worker sets on a job: its evaluation started, or the worker refused it. */
export type QueueJobProgress =
  | { phase: 'started'; worker: string; pid: number; attempt: number; threads: number }
  | { phase: 'refused'; worker: string; error: string };

/** What decides an evaluation's result, hashed. Not the index, iteration or study: the same work anywhere. */
export function evaluationHash(job: EvaluationJob, dataDigest: string, versions: Versions): string {
  const identity = {
    config: job.config,
    fixed: job.fixed ?? {},
    seed: job.seed,
    epochsPerEval: job.epochsPerEval,
    device: job.device,
    split: job.data.split ?? 'default',
    splits: job.splits, // --folds; absent (and so not hashed) otherwise
    labelMap: job.data.labelMap ?? null,
    dataDigest,
    versions,
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

export function jobIdOf(study: string, search: JobGroup, job: EvaluationJob, hash: string): string {
  return `${study}/${search}/${job.iteration}/${job.index}/${hash.slice(0, 16)}`;
}

/** Validates job data taken from the queue (another version of ser-native may have added it). */
export function validateQueueJobData(data: unknown): QueueJobData {
  const d = is.plainObject('job data', data);
  if (d.kind !== 'ser-native/evaluation' || d.version !== 1) {
    throw is.invalidArgument(`the job is not a version 1 ser-native evaluation (kind ${JSON.stringify(d.kind)}, version ${JSON.stringify(d.version)}): a coordinator of another ser-native version added it`);
  }
  is.knownKeys('job data', d, ['kind', 'version', 'study', 'search', 'hash', 'dataDigest', 'versions', 'timeoutSeconds', 'job']);
  for (const k of ['study', 'hash', 'dataDigest'] as const) if (typeof d[k] !== 'string' || d[k] === '') throw is.invalidArgument(`job data.${k} must be a non-empty string`);
  is.oneOf('job data.search', d.search, ['search', 'baseline', 'recheck'] as const);
  const v = is.plainObject('job data.versions', d.versions);
  if (typeof v.package !== 'string' || typeof v.libtorch !== 'string') throw is.invalidArgument('job data.versions must be { package, libtorch } strings');
  is.number('job data.timeoutSeconds', d.timeoutSeconds, { min: 0, exclusiveMin: true });
  validateJob(d.job);
  return d as unknown as QueueJobData;
}
