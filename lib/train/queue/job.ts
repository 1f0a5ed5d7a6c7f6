// What travels through the queue for one training of trainFolds({ queue }) (a fold or a full-data member): the
// job data (the TrainJob with data folders relative to the data root and no out folder, plus what the worker
// checks before running it), the progress the worker sets on the job, and its return value. Plain JSON; the
// run folder's files travel beside it in Redis (settings.ts filesKey, files.ts), not in the return value, so
// the queue's event stream never carries megabytes.
//
// Job id: train/RUN/NAME, where RUN names one trainFolds call (host, pid, start time) and NAME the run folder
// (fold-2, member-1). Nothing is reused between runs: every call trains its own models.
import * as os from 'os';
import * as is from '../../is';
import type { ShippedFile } from '../../queue/files';
import type { Versions } from '../../queue/settings';
import type { TrainJob, TrainJobResult } from '../train-worker';
import type { TrainProgress } from '../types';

export const TRAINING_KIND = 'ser-native/training';

export interface QueueTrainJobData {
  kind: typeof TRAINING_KIND;
  version: 1;
  /** The trainFolds call the training belongs to (its heartbeat is settings.ts runKey(run)). */
  run: string;
  /** dataDigest() of the run's data, as indexed by the coordinator. */
  dataDigest: string;
  versions: Versions;
  /** The worker kills the training's process after this long. */
  timeoutSeconds: number;
  /** options: data folders relative to the data root (relativeData()), no out (the worker trains into a folder of its own). */
  job: TrainJob;
}

/** The job's return value. */
export interface QueueTrainJobResult {
  result: TrainJobResult;
  /** HOST:PID/SLOT of the worker that trained it. */
  worker: string;
  seconds: number;
  /** The run folder's files, stored in Redis under filesKey(job id) (lib/queue/files.ts). */
  files: ShippedFile[];
}

/** Progress a worker sets on a training job: it started, an epoch ended, the worker refused it, or the training failed. */
export type QueueTrainProgress =
  | { phase: 'started'; worker: string; pid: number; attempt: number; threads: number }
  | { phase: 'epoch'; worker: string; progress: Extract<TrainProgress, { phase: 'epoch' }> }
  | { phase: 'refused'; worker: string; error: string }
  | { phase: 'failed'; worker: string; error: string; code?: string };

/** A name for one trainFolds call, unique across machines and time; fit for job ids (no ':'). */
export function newRunId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'host';
  return `${host}-${process.pid}-${Date.now().toString(36)}`;
}

export function trainJobId(run: string, name: string): string {
  return `train/${run}/${name}`;
}

/** Validates job data taken from the queue (another version of ser-native may have added it). */
export function validateQueueTrainJobData(data: unknown): QueueTrainJobData {
  const d = is.plainObject('job data', data);
  if (d.kind !== TRAINING_KIND || d.version !== 1) {
    throw is.invalidArgument(`the job is not a version 1 ser-native training (kind ${JSON.stringify(d.kind)}, version ${JSON.stringify(d.version)}): a coordinator of another ser-native version added it`);
  }
  is.knownKeys('job data', d, ['kind', 'version', 'run', 'dataDigest', 'versions', 'timeoutSeconds', 'job']);
  for (const k of ['run', 'dataDigest'] as const) if (typeof d[k] !== 'string' || d[k] === '') throw is.invalidArgument(`job data.${k} must be a non-empty string`);
  const v = is.plainObject('job data.versions', d.versions);
  if (typeof v.package !== 'string' || typeof v.libtorch !== 'string') throw is.invalidArgument('job data.versions must be { package, libtorch } strings');
  is.number('job data.timeoutSeconds', d.timeoutSeconds, { min: 0, exclusiveMin: true });
  const j = is.plainObject('job data.job', d.job);
  if (typeof j.label !== 'string') throw is.invalidArgument('job data.job.label must be a string');
  const o = is.plainObject('job data.job.options', j.options);
  if (o.out !== undefined) throw is.invalidArgument('job data.job.options.out must be absent: the worker chooses where it trains');
  return d as unknown as QueueTrainJobData;
}
