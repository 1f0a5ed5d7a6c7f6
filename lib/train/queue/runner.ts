// trainFolds({ queue }): every fold and member training becomes a BullMQ job on the queue `ser-native worker`
// processes (on this or any machine) take jobs from. The coordinator adds the job, reports its progress (the
// worker it started on, its epochs, refusals), and when it completes writes the run folder the worker shipped
// back through Redis (lib/queue/files.ts) where the in-process training would have written it, so trainFolds
// goes on as if it had trained locally.
//
// While it waits, the coordinator keeps its run's heartbeat key alive (settings.ts runKey); after Ctrl-C it
// marks the run cancelled and removes its waiting jobs. A worker does not start, and stops, a training whose
// run is cancelled or has had no heartbeat for goneSeconds, so nobody trains for a coordinator that is gone.
import * as fs from 'fs';
import * as path from 'path';
import type { Queue, QueueEvents } from 'bullmq';
import { SerNativeError } from '../../errors';
import { info } from '../../info';
import * as is from '../../is';
import { WorkerFailure } from '../../process-pool';
import { bullmq } from '../../queue/bullmq';
import { fetchFiles, type FilesClient } from '../../queue/files';
import { closeWithin, connectOrFail, connectionOf, filesKey, parseQueueUrl, PREFIX, QUEUE_DEFAULTS, QUEUE_NAME, runKey, type QueueAddress, type Versions } from '../../queue/settings';
import type { DataOptions } from '../data';
import type { TrainJob, TrainJobResult } from '../train-worker';
import type { TrainProgress } from '../types';
import { dataDigest, dataOnly, relativeData } from './data';
import { newRunId, trainJobId, TRAINING_KIND, type QueueTrainJobData, type QueueTrainJobResult, type QueueTrainProgress } from './job';

/** trainFolds' `queue` option in full (a string is the url alone). */
export interface TrainQueueOptions {
  /** redis://HOST:PORT[/DB] of the queue the workers take jobs from. */
  url: string;
  /** The folder data paths are sent relative to (workers map them onto their --data-root); default '.'. */
  dataRoot?: string;
  /** Wall-clock limit of one training on a worker, seconds (default 24 h). */
  timeoutSeconds?: number;
  /** Runs of a job whose worker process died (default 3). */
  attempts?: number;
  /** First retry delay, seconds, doubled each retry (default 10). */
  backoffSeconds?: number;
  /** How often pending jobs are re-read, seconds (default 2; queue events wake it sooner). */
  pollSeconds?: number;
}

const KEYS: readonly (keyof TrainQueueOptions)[] = ['url', 'dataRoot', 'timeoutSeconds', 'attempts', 'backoffSeconds', 'pollSeconds'];

/** Checks `options.queue` without connecting (no bullmq needed). */
export function validateTrainQueue(value: unknown): TrainQueueOptions {
  if (typeof value === 'string') {
    parseQueueUrl(value, 'options.queue');
    return { url: value };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw is.invalidParameterError('options.queue', 'a redis://HOST:PORT[/DB] address or { url, dataRoot, ... }', value);
  const q = value as Record<string, unknown>;
  is.knownKeys('options.queue', q, KEYS);
  parseQueueUrl(q.url, 'options.queue.url');
  const out: TrainQueueOptions = { url: q.url as string };
  if (q.dataRoot !== undefined) {
    if (typeof q.dataRoot !== 'string' || q.dataRoot === '') throw is.invalidParameterError('options.queue.dataRoot', 'a folder', q.dataRoot);
    out.dataRoot = q.dataRoot;
  }
  for (const k of ['timeoutSeconds', 'backoffSeconds', 'pollSeconds'] as const) if (q[k] !== undefined) out[k] = is.number(`options.queue.${k}`, q[k], { min: 0, exclusiveMin: true });
  if (q.attempts !== undefined) out.attempts = is.positiveInteger('options.queue.attempts', q.attempts);
  return out;
}

/** Runs one training through the queue; close() stops waiting (pending trainings reject) and disconnects. */
export type QueueTrainRunner = ((job: TrainJob, onProgress: (p: TrainProgress) => void) => Promise<TrainJobResult>) & {
  close(): Promise<void>;
  readonly address: QueueAddress;
  readonly run: string;
};

interface Pending {
  id: string;
  label: string;
  out: string;
  since: number;
  lastWorker: string | null;
  announced: Set<string>;
  refusals: Set<string>;
  failure: { error: string; code?: string } | null;
  waitingNoted: boolean;
  onProgress: (p: TrainProgress) => void;
  resolve: (r: TrainJobResult) => void;
  reject: (e: unknown) => void;
}

const WAITING = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'wait']);
/** A note that nobody took a job yet, after this long. */
const NOBODY_SECONDS = 30;

const cancelledResult = (): TrainJobResult => ({ labels: [], bestEpoch: 0, epochsRun: 0, cancelled: true });

/**
 * Connects to the queue (ERR_IO naming options.queue when Redis cannot be reached), checks and digests the data
 * once, and returns the runner trainFolds calls for each training. `data` holds absolute folders.
 */
export async function openTrainQueue(o: { queue: TrainQueueOptions; data: DataOptions; signal?: AbortSignal; onNote?: (message: string) => void }): Promise<QueueTrainRunner> {
  const q = o.queue;
  const address = parseQueueUrl(q.url, 'options.queue');
  const dataRoot = path.resolve(q.dataRoot ?? '.');
  const data = dataOnly(o.data);
  relativeData(data, dataRoot); // fails before connecting when a data folder is outside the root
  const { Queue, QueueEvents, Job } = bullmq();
  const connection = connectionOf(address);
  const quiet = () => undefined; // connection trouble after the start: polling goes on, and ioredis reconnects
  const queue = new Queue<QueueTrainJobData, QueueTrainJobResult>(QUEUE_NAME, { connection, prefix: PREFIX });
  queue.on('error', quiet);
  try {
    await connectOrFail(queue.waitUntilReady(), [queue], address, 'options.queue');
  } catch (e) {
    await closeWithin([queue], 200); // never connected: nothing to close cleanly
    throw e;
  }
  // The event stream only once Redis answers: a QueueEvents that never connected cannot be closed (it keeps
  // reconnecting, and the process alive).
  const events = new QueueEvents(QUEUE_NAME, { connection, prefix: PREFIX });
  events.on('error', quiet);
  try {
    await connectOrFail(events.waitUntilReady(), [events], address, 'options.queue');
  } catch (e) {
    await closeWithin([events, queue]);
    throw e;
  }
  const client = (await queue.getBackend().client) as unknown as FilesClient & { set(...args: (string | number)[]): Promise<unknown> };
  const digest = await dataDigest(data, dataRoot);
  const versions: Versions = { package: info().version, libtorch: info().libtorch.version };
  const run = newRunId();
  const heartbeat = () => client.set(runKey(run), JSON.stringify({ since: new Date().toISOString() }), 'EX', 4 * QUEUE_DEFAULTS.heartbeatSeconds).catch(() => undefined);
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 1000 * QUEUE_DEFAULTS.heartbeatSeconds);
  o.onNote?.(`queue ${address.display}, run ${run}: data ${digest.items} items (digest ${digest.digest.slice(0, 12)}) relative to ${dataRoot}; start workers with: ser-native worker --queue ${address.display} --data-root DIR`);

  const pending = new Map<string, Pending>();
  let closed = false;
  let cancelling: Promise<void> | null = null;

  const settle = (p: Pending, result: TrainJobResult | null, error?: unknown) => {
    if (!pending.delete(p.id)) return;
    if (result) p.resolve(result);
    else p.reject(error);
  };

  const onEvent = (e: { jobId: string; data?: unknown }) => {
    const p = pending.get(e.jobId);
    if (!p) return;
    if (e.data && typeof e.data === 'object') progressOf(p, e.data as QueueTrainProgress);
    void check();
  };
  for (const name of ['completed', 'failed', 'progress', 'removed', 'stalled', 'active'] as const) events.on(name as 'progress', onEvent as never);

  /** What a worker reported on the job: shown once each (progress events and polling may both see it). */
  function progressOf(p: Pending, g: QueueTrainProgress): void {
    if (g.phase === 'started') {
      p.lastWorker = g.worker;
      const key = `${g.worker}#${g.attempt}#${g.pid}`;
      if (p.announced.has(key)) return;
      p.announced.add(key);
      p.onProgress({ phase: 'data', message: `${p.announced.size > 1 ? 'started again' : 'started'} on worker ${g.worker} (pid ${g.pid}, attempt ${g.attempt}, ${g.threads} thread${g.threads === 1 ? '' : 's'})` });
    } else if (g.phase === 'epoch') {
      p.lastWorker = g.worker;
      p.onProgress(g.progress);
    } else if (g.phase === 'refused') {
      if (p.refusals.has(g.error)) return;
      p.refusals.add(g.error);
      p.onProgress({ phase: 'data', message: `refused by a worker: ${g.error}` });
    } else if (g.phase === 'failed') {
      p.lastWorker = g.worker;
      p.failure = { error: g.error, code: g.code };
    }
  }

  let checking = false;
  let again = false;
  async function check(): Promise<void> {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        for (const p of [...pending.values()]) {
          if (closed) return;
          try {
            await checkOne(p);
          } catch (e) {
            // A file that arrived damaged or a folder that cannot be written ends the training; Redis unreachable
            // for a moment keeps it pending.
            if (e instanceof SerNativeError && e.code !== 'ERR_IO') settle(p, null, e);
            else if (e instanceof Error && (e as NodeJS.ErrnoException).code && ['EACCES', 'ENOSPC', 'EROFS', 'EEXIST', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code!)) {
              settle(p, null, new SerNativeError('ERR_IO', `${p.label}: cannot write ${p.out}: ${e.message}`, { cause: e }));
            }
          }
        }
      } while (again && !closed);
    } finally {
      checking = false;
    }
  }

  async function checkOne(p: Pending): Promise<void> {
    const state = await queue.getJobState(p.id);
    const job = await Job.fromId<QueueTrainJobData, QueueTrainJobResult>(queue, p.id);
    if (!job) {
      settle(p, null, new SerNativeError('ERR_IO', `${p.label}: job ${p.id} is no longer in the queue at ${address.display} (removed from Redis by hand, or Redis lost it)`));
      return;
    }
    if (job.progress && typeof job.progress === 'object') progressOf(p, job.progress as QueueTrainProgress);
    if (state === 'completed') {
      const r = job.returnvalue;
      if (!r || typeof r !== 'object' || !r.result || !Array.isArray(r.files)) {
        settle(p, null, new SerNativeError('ERR_DATA', `${p.label}: job ${p.id} completed without a training result: ${JSON.stringify(r)}`));
        return;
      }
      fs.rmSync(p.out, { recursive: true, force: true });
      await fetchFiles(client, filesKey(p.id), r.files, p.out, `${p.label} (trained on ${r.worker})`);
      await job.remove().catch(() => undefined);
      p.onProgress({ phase: 'data', message: `done on worker ${r.worker} in ${r.seconds.toFixed(1)} s: ${r.files.length} files (${(r.files.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(1)} MB) written to ${p.out}` });
      settle(p, r.result);
    } else if (state === 'failed') {
      const where = p.lastWorker ? ` on worker ${p.lastWorker}` : '';
      const reason = job.failedReason || p.failure?.error || 'no reason given';
      await job.remove().catch(() => undefined);
      // The worker's error code when the training itself failed; a dead process (crashed) has none.
      const code = p.failure?.code;
      settle(p, null, new WorkerFailure(`${p.label} failed${where} (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}): ${reason}`, { worker: p.lastWorker ?? 'queue', pid: null, crashed: code === undefined, code, seconds: (Date.now() - p.since) / 1000 }));
    } else if (WAITING.has(state) && !p.waitingNoted && Date.now() - p.since > 1000 * NOBODY_SECONDS && p.announced.size === 0) {
      p.waitingNoted = true;
      p.onProgress({ phase: 'data', message: `waiting for a worker on ${address.display} for ${NOBODY_SECONDS} s (start one: ser-native worker --queue ${address.display} --data-root DIR)` });
    }
  }

  const timer = setInterval(() => void check(), 1000 * (q.pollSeconds ?? QUEUE_DEFAULTS.pollSeconds));

  /** Ctrl-C: workers stop this run's trainings (the heartbeat says cancelled), waiting jobs are removed, every wait resolves as cancelled. */
  function cancel(): Promise<void> {
    cancelling ??= cancelRun();
    return cancelling;
  }
  async function cancelRun(): Promise<void> {
    clearInterval(beat);
    const ids = [...pending.keys()];
    for (const p of [...pending.values()]) settle(p, cancelledResult());
    await client.set(runKey(run), 'cancelled', 'EX', 3600).catch(() => undefined);
    await Promise.allSettled(ids.map(async (id) => {
      const job = await Job.fromId(queue, id);
      if (job && WAITING.has(await job.getState())) await job.remove();
    }));
  }
  const onAbort = () => void cancel().catch(() => undefined);
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const runner = (job: TrainJob, onProgress: (p: TrainProgress) => void): Promise<TrainJobResult> => {
    if (closed) return Promise.reject(new Error('the training queue is closed'));
    if (cancelling || o.signal?.aborted) return Promise.resolve(cancelledResult());
    const { out, ...options } = job.options;
    if (!out) return Promise.reject(new Error(`${job.label}: a queued training needs an out folder`));
    const id = trainJobId(run, path.basename(out));
    const jobData: QueueTrainJobData = {
      kind: TRAINING_KIND,
      version: 1,
      run,
      dataDigest: digest.digest,
      versions,
      timeoutSeconds: q.timeoutSeconds ?? QUEUE_DEFAULTS.trainTimeoutSeconds,
      job: { label: job.label, options: relativeData(options, dataRoot) },
    };
    return new Promise<TrainJobResult>((resolve, reject) => {
      const p: Pending = { id, label: job.label, out: path.resolve(out), since: Date.now(), lastWorker: null, announced: new Set(), refusals: new Set(), failure: null, waitingNoted: false, onProgress, resolve, reject };
      pending.set(id, p);
      queue
        .add('train', jobData, {
          jobId: id,
          attempts: q.attempts ?? QUEUE_DEFAULTS.attempts,
          backoff: { type: 'exponential', delay: 1000 * (q.backoffSeconds ?? QUEUE_DEFAULTS.backoffSeconds) },
          // The coordinator removes a job once it has its result; these bound what a killed coordinator leaves.
          removeOnComplete: { age: QUEUE_DEFAULTS.filesTtlSeconds },
          removeOnFail: { age: QUEUE_DEFAULTS.filesTtlSeconds },
        })
        .then(() => {
          onProgress({ phase: 'data', message: `queued as job ${id} on ${address.display}` });
          void check();
        })
        .catch((e: unknown) => settle(p, null, new SerNativeError('ERR_IO', `${job.label}: cannot add its job to the queue at ${address.display} (options.queue): ${(e as Error).message}`, { cause: e })));
    });
  };

  return Object.assign(runner, {
    address,
    run,
    async close() {
      if (closed) return;
      o.signal?.removeEventListener('abort', onAbort);
      // Leaving with trainings still pending (another one failed): nobody will collect them. After Ctrl-C, the
      // waiting jobs are removed before the connection closes.
      if (pending.size > 0 || cancelling) await cancel().catch(() => undefined);
      closed = true;
      clearInterval(timer);
      clearInterval(beat);
      for (const p of [...pending.values()]) settle(p, null, new Error('the training queue was closed'));
      if (!cancelling) await client.del(runKey(run)).catch(() => undefined);
      await closeWithin([events, queue]);
    },
  }) as QueueTrainRunner;
}
