// The queue evaluator (optimize --queue): evaluations become BullMQ jobs on Redis, run by `ser-native worker`
// processes on any machine (worker.ts). bullmq is loaded only when one is opened (bullmq.ts).
import * as path from 'path';
import type { DataOptions } from '../../../train/data';
import { info } from '../../../info';
import * as is from '../../../is';
import type { JobGroup } from '../../types';
import type { EvaluatorBackend, OnEvaluationStart } from '../evaluator';
import { QueueCoordinator } from './coordinator';
import { dataDigest, relativeData } from '../../../train/queue/data';
import { checkStudyName, parseQueueUrl } from '../../../queue/settings';

export { QueueCoordinator, type CoordinatorOptions, type CoordinatorStats } from './coordinator';
export { startWorker, type QueueWorker, type QueueWorkerOptions, type WorkerEvent } from './worker';

/** Queue mode: evaluations become jobs on Redis, run by `ser-native worker` processes on any machine. */
export interface QueueModeOptions {
  /** redis://HOST:PORT[/DB] */
  url: string;
  /** Names the study in Redis and in job ids; a coordinator restarted with the same name continues it. */
  study: string;
  /** The folder data paths are stored relative to (workers map them onto their --data-root); default '.'. */
  dataRoot?: string;
  /** Wall-clock limit of one evaluation on a worker, seconds (default 2 h). */
  evalTimeoutSeconds?: number;
  /** Evaluations of an iteration without a result this long after it started fail (default 6 h). */
  iterationTimeoutSeconds?: number;
  /** Runs of a job whose process died (default 3). */
  attempts?: number;
  /** First retry delay, seconds, doubled each retry (default 10). */
  backoffSeconds?: number;
  /** How often pending jobs are re-read, seconds (default 2; queue events wake it sooner). */
  pollSeconds?: number;
}

const QUEUE_KEYS: readonly (keyof QueueModeOptions)[] = ['url', 'study', 'dataRoot', 'evalTimeoutSeconds', 'iterationTimeoutSeconds', 'attempts', 'backoffSeconds', 'pollSeconds'];

/** Checks the queue options without connecting (no bullmq needed). */
export function validateQueueOptions(value: unknown): QueueModeOptions {
  const q = is.plainObject('queue', value);
  is.knownKeys('queue', q, QUEUE_KEYS);
  parseQueueUrl(q.url, 'queue.url');
  const out: QueueModeOptions = { url: q.url as string, study: checkStudyName(q.study) };
  if (q.dataRoot !== undefined) {
    if (typeof q.dataRoot !== 'string') throw is.invalidParameterError('queue.dataRoot', 'string', q.dataRoot);
    out.dataRoot = q.dataRoot;
  }
  for (const k of ['evalTimeoutSeconds', 'iterationTimeoutSeconds', 'backoffSeconds', 'pollSeconds'] as const) if (q[k] !== undefined) out[k] = is.number(`queue.${k}`, q[k], { min: 0, exclusiveMin: true });
  if (q.attempts !== undefined) out.attempts = is.positiveInteger('queue.attempts', q.attempts);
  return out;
}

export interface OpenQueueOptions {
  queue: QueueModeOptions;
  data: DataOptions;
  /** What makes two coordinators the same study (maxEvals, finalEpochs and baseline may change on a restart). */
  identity: Record<string, unknown>;
  /** Candidates queued at once. */
  concurrency: number;
  /** Which search (or the recheck) the evaluations belong to now (job ids carry it). */
  search: () => JobGroup;
  onStart: OnEvaluationStart;
  onNote: (message: string) => void;
}

/** Connects to the queue and registers (or re-joins) the study. */
export async function openQueueEvaluator(o: OpenQueueOptions): Promise<EvaluatorBackend> {
  const q = o.queue;
  const dataRoot = path.resolve(q.dataRoot ?? '.');
  const relData = relativeData(o.data, dataRoot); // fails early when a data folder is outside the root
  const digest = await dataDigest(o.data, dataRoot);
  const versions = { package: info().version, libtorch: info().libtorch.version };
  const c = await QueueCoordinator.open({
    queue: q.url,
    study: q.study,
    dataRoot,
    dataDigest: digest.digest,
    versions,
    evalTimeoutSeconds: q.evalTimeoutSeconds,
    iterationTimeoutSeconds: q.iterationTimeoutSeconds,
    attempts: q.attempts,
    backoffSeconds: q.backoffSeconds,
    pollSeconds: q.pollSeconds,
    onStart: o.onStart,
    onNote: o.onNote,
  });
  try {
    await c.registerStudy({ ...o.identity, data: relData, dataDigest: digest.digest, versions });
  } catch (e) {
    await c.close();
    throw e;
  }
  o.onNote(`queue ${c.address.display}, study ${q.study}: data ${digest.items} items (digest ${digest.digest.slice(0, 12)}) relative to ${dataRoot}`);
  return {
    evaluate: (job, signal) => c.evaluate(job, o.search(), signal),
    concurrency: o.concurrency,
    etaParallelism: () => Math.max(1, c.stats.workers.length),
    label: `${c.address.display}, study ${c.study}`,
    workers: () => ({ workers: c.stats.workers.length, threads: c.stats.threads ?? 0, devices: null }),
    queueStats: () => {
      const { added, reused, found, workers } = c.stats;
      return { address: c.address.display, study: c.study, added, reused, found, workers };
    },
    close: () => c.close(),
  };
}
