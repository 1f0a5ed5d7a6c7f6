// `ser-native worker`: takes jobs from the queue and runs each in a child process of its own slot, so every slot
// has its own CUDA_VISIBLE_DEVICES and thread count, a job that outlives its wall-clock limit is killed, and the
// worker's main process stays free to renew the job locks while LibTorch trains. Two kinds of job share the queue:
//  - optimize --queue's evaluations (the eval-worker.js of the local mode, through a one-process EvaluationPool);
//  - trainFolds({ queue })'s trainings, a fold or a member (lib/train/train-worker.js on a one-process pool of
//    the slot): the training runs into a temporary folder, whose files (bundle, history.jsonl, metrics.json,
//    report.html) go to Redis for the coordinator (lib/queue/files.ts); each epoch's record is set as the job's
//    progress. A training whose run's coordinator cancelled it or is gone (no heartbeat, settings.ts runKey) is
//    not started, and a running one is stopped.
//
// Before training, a job is checked against this worker: the same package and LibTorch versions, and the same
// data (digest of what the study's data folders, mapped onto --data-root, index to). A worker that does not
// match refuses the job: it hides the job for refuseSeconds (no attempt used, so a matching worker takes it)
// and stops taking jobs twice as long, and the refusal shows on the job for the coordinator.
//
// Failures: an evaluation error (bad config, LibTorch out of memory, ...) or a timeout fails the job at once
// (UnrecoverableError, no retry); a child process that dies (kill -9, the OOM killer) fails this attempt only,
// and BullMQ retries it (attempts, backoff). If the whole worker dies, its job lock expires and another worker's
// stalled-job check puts the job back in the queue.
//
// Stopping (close(), SIGTERM/SIGINT in the CLI): the worker takes no new job, lets a running evaluation finish for
// stopSeconds (not when Redis is unreachable: its result could not be stored), then ends it and hands its job back
// to the queue (waiting again, no attempt used; if Redis is unreachable the job's lock expires instead and another
// worker's stalled-job check puts it back). Every step that needs Redis is bounded, so close() always settles.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Job, Worker } from 'bullmq';
import { info } from '../../../info';
import { ProcessPool, WorkerFailure } from '../../../process-pool';
import { readRunFolder, storeFiles, type FilesClient } from '../../../queue/files';
import { trainWorkerScript } from '../../../train/folds';
import { dataOnly } from '../../../train/queue/data';
import { TRAINING_KIND, validateQueueTrainJobData, type QueueTrainJobData, type QueueTrainJobResult, type QueueTrainProgress } from '../../../train/queue/job';
import type { TrainJob, TrainJobResult } from '../../../train/train-worker';
import type { EvaluationJob } from '../../objective';
import { EvaluationFailure } from '../evaluator';
import { EvaluationPool } from '../pool/pool';
import { bullmq } from '../../../queue/bullmq';
import { absoluteData, dataDigest, type DataDigest } from '../../../train/queue/data';
import { validateQueueJobData, type QueueJobData, type QueueJobProgress, type QueueJobResult, type Versions } from './job';
import { canonicalJson, connectOrFail, connectionOf, filesKey, parseQueueUrl, PREFIX, QUEUE_DEFAULTS, QUEUE_NAME, RESULTS_KEY, runKey, seconds } from '../../../queue/settings';
import * as is from '../../../is';

export interface QueueWorkerOptions {
  /** redis://HOST:PORT[/DB] */
  queue: string;
  /** CPU evaluation slots; default max(1, floor(cores / 2)) without GPUs, 0 with them. */
  cpuSlots?: number;
  /** CUDA device indices, one slot each (the slot's process sees only that device). */
  gpus?: number[];
  /** LibTorch threads per slot; default SER_NATIVE_THREADS, else floor(cores / CPU slots). */
  threads?: number;
  /** Where the study's relative data paths are resolved; default the current directory. */
  dataRoot?: string;
  /** Shown in results and logs; default HOST:PID. */
  name?: string;
  lockSeconds?: number;
  stalledSeconds?: number;
  maxStalledCount?: number;
  refuseSeconds?: number;
  /** On close(): how long a running evaluation may still finish before its job is handed back (default 5). */
  stopSeconds?: number;
  onEvent?: (e: WorkerEvent) => void;
  /** Evaluation process script (default: the compiled eval-worker.js). */
  script?: string;
  /** Training process script (default: the compiled lib/train/train-worker.js). */
  trainScript?: string;
}

export type WorkerEvent =
  | { event: 'ready'; worker: string; queue: string; slots: string[]; threads: number; dataRoot: string; versions: Versions }
  | { event: 'started'; id: string; study: string; index: number; slot: string; pid: number; attempt: number }
  | { event: 'completed'; id: string; study: string; index: number; fitness: number; seconds: number; cached: boolean }
  | { event: 'failed'; id: string; study: string; index: number; error: string; retry: boolean }
  | { event: 'refused'; id: string; study: string; index: number; error: string }
  /** The worker stopped during this evaluation; queued: the job is waiting again (false: Redis was unreachable). */
  | { event: 'handed-back'; id: string; study: string; index: number; queued: boolean }
  /** A training of trainFolds({ queue }) (`run` names the trainFolds call, `label` the fold or member). */
  | { event: 'train-started'; id: string; run: string; label: string; slot: string; pid: number; attempt: number }
  | { event: 'train-completed'; id: string; run: string; label: string; bestEpoch: number; epochsRun: number; seconds: number; files: number; bytes: number }
  | { event: 'train-failed'; id: string; run: string; label: string; error: string; retry: boolean }
  | { event: 'train-refused'; id: string; run: string; label: string; error: string }
  | { event: 'train-handed-back'; id: string; run: string; label: string; queued: boolean }
  | { event: 'error'; error: string }
  | { event: 'closed'; worker: string };

interface Slot {
  name: string;
  gpu: number | null;
  pool: EvaluationPool;
  /** Started on the first training job (a slot that only evaluates never starts a training process). */
  trainPool: ProcessPool<TrainJob, TrainJobResult> | null;
  /** The running job, and what to report when its process starts. */
  current: { job: Job; started: (pid: number) => void } | null;
}

export interface QueueWorker {
  readonly name: string;
  readonly slots: readonly string[];
  /**
   * Stops taking jobs, lets running evaluations finish for stopSeconds (with force: not at all), hands the jobs of
   * those still running back to the queue, and closes the connections. Settles in bounded time, Redis or not.
   */
  close(force?: boolean): Promise<void>;
}

export async function startWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const address = parseQueueUrl(o.queue);
  const { DelayedError, UnrecoverableError, WaitingError, Worker } = bullmq(); // fails first, with how to install it
  const gpus = (o.gpus ?? []).map((g, i) => is.number(`gpus[${i}]`, g, { min: 0, integer: true }));
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const cpuSlots = o.cpuSlots === undefined ? (gpus.length > 0 ? 0 : Math.max(1, Math.floor(cores / 2))) : is.number('cpuSlots', o.cpuSlots, { min: 0, integer: true });
  if (cpuSlots + gpus.length === 0) throw is.invalidArgument('a worker needs at least one slot: give --cpu-slots N or --gpus', 'range');
  for (const k of ['lockSeconds', 'stalledSeconds', 'refuseSeconds'] as const) if (o[k] !== undefined) seconds(k, o[k]);
  const envThreads = process.env.SER_NATIVE_THREADS ? Number(process.env.SER_NATIVE_THREADS) : undefined;
  const threads = is.positiveInteger('threads', o.threads ?? envThreads ?? Math.max(1, Math.floor(cores / Math.max(1, cpuSlots))));
  const dataRoot = path.resolve(o.dataRoot ?? '.');
  const name = o.name ?? `${os.hostname()}:${process.pid}`;
  const lockMs = 1000 * (o.lockSeconds ?? QUEUE_DEFAULTS.lockSeconds);
  const refuseMs = 1000 * (o.refuseSeconds ?? QUEUE_DEFAULTS.refuseSeconds);
  const stopMs = 1000 * (o.stopSeconds === undefined ? QUEUE_DEFAULTS.stopSeconds : is.number('stopSeconds', o.stopSeconds, { min: 0 }));
  const closeMs = 1000 * QUEUE_DEFAULTS.closeSeconds;
  const emit = o.onEvent ?? (() => undefined);

  const i = info(); // loads the addon: a broken install fails here, not in every job
  const versions: Versions = { package: i.version, libtorch: i.libtorch.version };
  if (gpus.length > 0) {
    const bad = gpus.filter((g) => g >= i.cuda.deviceCount);
    if (bad.length > 0) throw is.invalidArgument(`--gpus ${bad.join(',')}: this machine has ${i.cuda.deviceCount} CUDA device(s)${i.cuda.builtWith ? '' : ' (this LibTorch build has no CUDA)'}`, 'range');
  }

  const slots: Slot[] = [];
  const makeSlot = (slotName: string, gpu: number | null): Slot => {
    const slot: Slot = { name: slotName, gpu, current: null, trainPool: null, pool: null as unknown as EvaluationPool };
    slot.pool = new EvaluationPool({
      workers: 1,
      threads,
      script: o.script,
      // An empty CUDA_VISIBLE_DEVICES keeps CPU slots off the GPUs; a GPU slot sees its device as cuda:0.
      env: { CUDA_VISIBLE_DEVICES: gpu === null ? '' : String(gpu) },
      onStart: (e) => slot.current?.started(e.pid),
    });
    return slot;
  };
  const trainPoolOf = (slot: Slot): ProcessPool<TrainJob, TrainJobResult> =>
    (slot.trainPool ??= new ProcessPool<TrainJob, TrainJobResult>({
      workers: 1,
      threads,
      script: o.trainScript ?? trainWorkerScript(),
      env: { CUDA_VISIBLE_DEVICES: slot.gpu === null ? '' : String(slot.gpu) },
      describe: (job) => job.label,
      onStart: (e) => slot.current?.started(e.pid),
    }));
  /** Sets the 'started' progress on the slot's job (both kinds have the same shape) and returns the attempt. */
  const announce = (job: Job, slotName: string, pid: number): number => {
    const attempt = job.attemptsMade + 1;
    const progress: QueueJobProgress = { phase: 'started', worker: `${name}/${slotName}`, pid, attempt, threads };
    job.updateProgress(progress).catch(() => undefined); // progress is informative; the result is what counts
    return attempt;
  };
  for (let k = 0; k < cpuSlots; k++) slots.push(makeSlot(`cpu${k}`, null));
  for (const g of gpus) slots.push(makeSlot(`gpu${g}`, g));

  const digests = new Map<string, Promise<DataDigest>>();
  const digestOf = (all: EvaluationJob['data']): Promise<DataDigest> => {
    const data = dataOnly(all);
    const key = canonicalJson(data);
    let p = digests.get(key);
    if (!p) {
      p = dataDigest(data, dataRoot);
      digests.set(key, p);
      p.catch(() => digests.delete(key)); // the data may be fixed while the worker runs
    }
    return p;
  };

  let resumeTimer: NodeJS.Timeout | null = null;
  let worker: Worker<QueueJobData | QueueTrainJobData, QueueJobResult | QueueTrainJobResult> | null = null;
  /** Aborted when a stopping worker hands its running jobs back (see close()). */
  const handBack = new AbortController();
  /** Hides the job for refuseSeconds (no attempt used) after `report` told the log, and pauses this worker. */
  const refuse = async (job: Job, token: string | undefined, error: string, report: () => void): Promise<never> => {
    report();
    const progress: QueueJobProgress = { phase: 'refused', worker: name, error };
    await job.updateProgress(progress);
    await job.log(`refused by ${name}: ${error}`);
    await job.moveToDelayed(Date.now() + refuseMs, token);
    // Stop taking jobs for twice as long as the job is hidden: an idle refusing worker would otherwise win the
    // race for it each time it reappears, before a matching (possibly busy) worker could take it.
    if (worker && !worker.isPaused()) {
      await worker.pause(true);
      resumeTimer = setTimeout(() => {
        resumeTimer = null;
        worker?.resume();
      }, 2 * refuseMs);
    }
    throw new DelayedError(error);
  };

  const evaluate = async (job: Job<QueueJobData, QueueJobResult>, token?: string, signal?: AbortSignal): Promise<QueueJobResult> => {
    let d: QueueJobData;
    try {
      d = validateQueueJobData(job.data);
    } catch (e) {
      throw new UnrecoverableError(`job ${job.id}: ${(e as Error).message}`);
    }
    const id = String(job.id);
    const index = d.job.index;
    const refuseWith = (error: string) => refuse(job, token, error, () => emit({ event: 'refused', id, study: d.study, index, error }));
    if (d.versions.package !== versions.package || d.versions.libtorch !== versions.libtorch) {
      return refuseWith(`worker ${name} runs ser-native ${versions.package} with LibTorch ${versions.libtorch}; study ${d.study} needs ser-native ${d.versions.package} with LibTorch ${d.versions.libtorch}: install that version on this worker`);
    }
    let data: EvaluationJob['data'];
    let digest: DataDigest;
    try {
      data = absoluteData(d.job.data, dataRoot);
      digest = await digestOf(data);
    } catch (e) {
      return refuseWith(`worker ${name} cannot index the data of study ${d.study} under --data-root ${dataRoot}: ${(e as Error).message}`);
    }
    if (digest.digest !== d.dataDigest) {
      return refuseWith(
        `data digest mismatch: worker ${name} indexes ${digest.items} items under --data-root ${dataRoot} with digest ${digest.digest.slice(0, 12)}, ` +
          `study ${d.study} has digest ${d.dataDigest.slice(0, 12)}; give this worker the same data (relative paths, labels, file sizes) under its --data-root`,
      );
    }
    const client = await (worker as Worker).getBackend().client;
    const stored = await client.hget(RESULTS_KEY, d.hash);
    if (stored) {
      // Done before (another study, or a duplicate candidate): the same work gives the same result.
      const s = JSON.parse(stored) as Omit<QueueJobResult, 'cached'>;
      emit({ event: 'completed', id, study: d.study, index, fitness: s.result.fitness, seconds: 0, cached: true });
      return { ...s, cached: true };
    }
    const want = d.job.device;
    const slot = slots.find((s) => s.current === null && (want.startsWith('cuda') ? s.gpu !== null : true));
    if (!slot) return refuseWith(`worker ${name} has no free ${want.startsWith('cuda') ? 'GPU ' : ''}slot for device ${want}`);
    const device = slot.gpu === null ? want : want === 'cpu' ? 'cpu' : 'cuda:0';
    slot.current = { job, started: (pid) => emit({ event: 'started', id, study: d.study, index, slot: slot.name, pid, attempt: announce(job, slot.name, pid) }) };
    const limit = AbortSignal.timeout(1000 * d.timeoutSeconds);
    const stop = AbortSignal.any([limit, handBack.signal, ...(signal ? [signal] : [])]);
    try {
      const reply = await slot.pool.run({ ...d.job, data, device }, stop);
      const result: QueueJobResult = { result: { ...reply.result, seconds: reply.seconds }, worker: `${name}/${slot.name}`, cached: false };
      await client.hset(RESULTS_KEY, { [d.hash]: JSON.stringify({ result: result.result, worker: result.worker }) });
      emit({ event: 'completed', id, study: d.study, index, fitness: result.result.fitness, seconds: reply.seconds, cached: false });
      return result;
    } catch (e) {
      if (handBack.signal.aborted && !limit.aborted) {
        // Stopping: the job goes back to the queue as it was (no attempt used) and is run from the start elsewhere.
        // Without Redis it cannot: its lock then expires and another worker's stalled-job check puts it back.
        const queued = client.status === 'ready' && (await resolvesWithin(job.moveToWait(token), closeMs));
        emit({ event: 'handed-back', id, study: d.study, index, queued });
        throw queued ? new WaitingError() : new Error(`worker ${name} stopped during evaluation ${index} and could not reach Redis to hand the job back`);
      }
      let error: Error;
      if (limit.aborted) error = new UnrecoverableError(`evaluation ${index} exceeded its wall-clock limit of ${d.timeoutSeconds} s on worker ${name}/${slot.name}; its process was killed`);
      else if (signal?.aborted) error = new Error(`worker ${name} stopped during evaluation ${index}`);
      else if (e instanceof EvaluationFailure && e.crashed) error = new Error(`${e.message} on ${name}`); // retried
      else if (e instanceof EvaluationFailure) error = new UnrecoverableError(e.message); // would fail again
      else error = e as Error;
      const retry = !(error instanceof UnrecoverableError) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      emit({ event: 'failed', id, study: d.study, index, error: error.message, retry });
      throw error;
    } finally {
      slot.current = null;
    }
  };

  const train = async (job: Job<QueueTrainJobData, QueueTrainJobResult>, token?: string, signal?: AbortSignal): Promise<QueueTrainJobResult> => {
    let d: QueueTrainJobData;
    try {
      d = validateQueueTrainJobData(job.data);
    } catch (e) {
      throw new UnrecoverableError(`job ${job.id}: ${(e as Error).message}`);
    }
    const id = String(job.id);
    const { run, job: tj } = d;
    const label = tj.label;
    const what = `${label} of run ${run}`;
    const refuseWith = (error: string) => refuse(job, token, error, () => emit({ event: 'train-refused', id, run, label, error }));
    const fail = async (error: Error, code?: string): Promise<never> => {
      const retry = !(error instanceof UnrecoverableError) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      if (!retry) {
        // The coordinator reads the worker and the error's code from here (a job's failedReason is text only).
        const progress: QueueTrainProgress = { phase: 'failed', worker: name, error: error.message, ...(code ? { code } : {}) };
        await resolvesWithin(job.updateProgress(progress), closeMs);
      }
      emit({ event: 'train-failed', id, run, label, error: error.message, retry });
      throw error;
    };
    if (d.versions.package !== versions.package || d.versions.libtorch !== versions.libtorch) {
      return refuseWith(`worker ${name} runs ser-native ${versions.package} with LibTorch ${versions.libtorch}; run ${run} needs ser-native ${d.versions.package} with LibTorch ${d.versions.libtorch}: install that version on this worker`);
    }
    let options: TrainJob['options'];
    let digest: DataDigest;
    try {
      options = absoluteData(tj.options, dataRoot);
      digest = await digestOf(options);
    } catch (e) {
      return refuseWith(`worker ${name} cannot index the data of run ${run} under --data-root ${dataRoot}: ${(e as Error).message}`);
    }
    if (digest.digest !== d.dataDigest) {
      return refuseWith(
        `data digest mismatch: worker ${name} indexes ${digest.items} items under --data-root ${dataRoot} with digest ${digest.digest.slice(0, 12)}, ` +
          `run ${run} has digest ${d.dataDigest.slice(0, 12)}; give this worker the same data (relative paths, labels, file sizes) under its --data-root`,
      );
    }
    const client = await (worker as Worker).getBackend().client;
    const coordinator = async (): Promise<'alive' | 'cancelled' | 'gone'> => {
      const beat = await client.get(runKey(run));
      return beat === null ? 'gone' : beat === 'cancelled' ? 'cancelled' : 'alive';
    };
    const before = await coordinator();
    if (before !== 'alive') return fail(new UnrecoverableError(`${what} not started on worker ${name}: its coordinator ${before === 'cancelled' ? 'cancelled the run' : 'is gone (no heartbeat)'}`));
    const want = tj.options.device ?? 'cpu';
    const slot = slots.find((s) => s.current === null && (want.startsWith('cuda') ? s.gpu !== null : true));
    if (!slot) return refuseWith(`worker ${name} has no free ${want.startsWith('cuda') ? 'GPU ' : ''}slot for device ${want}`);
    const device = slot.gpu === null ? want : want === 'cpu' ? 'cpu' : 'cuda:0';
    const worked = `${name}/${slot.name}`;
    slot.current = { job, started: (pid) => emit({ event: 'train-started', id, run, label, slot: slot.name, pid, attempt: announce(job, slot.name, pid) }) };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-native-train-'));
    const out = path.join(tmp, 'run');
    const limit = AbortSignal.timeout(1000 * d.timeoutSeconds);
    // The coordinator's heartbeat, read every few seconds while the training runs: cancelled at once, gone after goneSeconds.
    const left = new AbortController();
    let missingSince: number | null = null;
    const watch = setInterval(() => {
      coordinator().then(
        (state) => {
          if (state === 'alive') missingSince = null;
          else if (state === 'cancelled') left.abort('cancelled');
          else if ((missingSince ??= Date.now()) < Date.now() - 1000 * QUEUE_DEFAULTS.goneSeconds) left.abort('gone');
        },
        () => undefined, // Redis unreachable: the job lock decides
      );
    }, 1000 * Math.min(5, QUEUE_DEFAULTS.goneSeconds / 3));
    const stop = AbortSignal.any([limit, handBack.signal, left.signal, ...(signal ? [signal] : [])]);
    try {
      const onProgress = (p: unknown) => {
        const progress: QueueTrainProgress = { phase: 'epoch', worker: worked, progress: p as Extract<QueueTrainProgress, { phase: 'epoch' }>['progress'] };
        job.updateProgress(progress).catch(() => undefined);
      };
      const reply = await trainPoolOf(slot).run({ label, options: { ...options, device: device as never, out } }, stop, onProgress);
      const { files, contents } = readRunFolder(out);
      await storeFiles(client as unknown as FilesClient, filesKey(id), contents, QUEUE_DEFAULTS.filesTtlSeconds);
      const bytes = files.reduce((a, f) => a + f.bytes, 0);
      emit({ event: 'train-completed', id, run, label, bestEpoch: reply.result.bestEpoch, epochsRun: reply.result.epochsRun, seconds: reply.seconds, files: files.length, bytes });
      return { result: reply.result, worker: worked, seconds: reply.seconds, files };
    } catch (e) {
      if (handBack.signal.aborted && !limit.aborted && !left.signal.aborted) {
        // Stopping: as for an evaluation, the job goes back to the queue as it was (no attempt used).
        const queued = client.status === 'ready' && (await resolvesWithin(job.moveToWait(token), closeMs));
        emit({ event: 'train-handed-back', id, run, label, queued });
        throw queued ? new WaitingError() : new Error(`worker ${name} stopped during ${what} and could not reach Redis to hand the job back`);
      }
      if (left.signal.aborted) return fail(new UnrecoverableError(`${what} stopped on worker ${worked}: its coordinator ${left.signal.reason === 'cancelled' ? 'cancelled the run' : `is gone (no heartbeat for ${QUEUE_DEFAULTS.goneSeconds} s)`}`));
      if (limit.aborted) return fail(new UnrecoverableError(`${what} exceeded its wall-clock limit of ${d.timeoutSeconds} s on worker ${worked}; its process was killed`));
      if (signal?.aborted) return fail(new Error(`worker ${name} stopped during ${what}`));
      if (e instanceof WorkerFailure && e.crashed) return fail(new Error(`${e.message} on worker ${worked}`)); // retried
      if (e instanceof WorkerFailure) return fail(new UnrecoverableError(e.message), e.code); // would fail again
      const code = (e as { code?: unknown }).code;
      return fail(new UnrecoverableError(`${what} on worker ${worked}: ${(e as Error).message}`), typeof code === 'string' ? code : undefined);
    } finally {
      clearInterval(watch);
      slot.current = null;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };

  const processor = (job: Job, token?: string, signal?: AbortSignal): Promise<QueueJobResult | QueueTrainJobResult> =>
    (job.data as { kind?: unknown } | null)?.kind === TRAINING_KIND ? train(job as Job<QueueTrainJobData, QueueTrainJobResult>, token, signal) : evaluate(job as Job<QueueJobData, QueueJobResult>, token, signal);

  worker = new Worker<QueueJobData | QueueTrainJobData, QueueJobResult | QueueTrainJobResult>(QUEUE_NAME, processor, {
    connection: connectionOf(address),
    prefix: PREFIX,
    name,
    concurrency: slots.length,
    autorun: false,
    lockDuration: lockMs,
    stalledInterval: 1000 * (o.stalledSeconds ?? QUEUE_DEFAULTS.stalledSeconds),
    maxStalledCount: o.maxStalledCount ?? QUEUE_DEFAULTS.maxStalledCount,
  });
  worker.on('error', (e) => emit({ event: 'error', error: e.message }));
  const closePools = () => Promise.all(slots.flatMap((s) => [s.pool.close(), ...(s.trainPool ? [s.trainPool.close()] : [])]));
  try {
    await connectOrFail(worker.waitUntilReady(), [worker], address, '--queue');
  } catch (e) {
    await worker.close(true).catch(() => undefined);
    await closePools();
    throw e;
  }
  worker.run().catch((e: unknown) => emit({ event: 'error', error: (e as Error).message }));
  const slotNames = slots.map((s) => s.name);
  emit({ event: 'ready', worker: name, queue: address.display, slots: slotNames, threads, dataRoot, versions });

  const running = () => slots.some((s) => s.current !== null);
  const shutdown = async (graceMs: number): Promise<void> => {
    const w = worker as Worker;
    // BullMQ's close takes no new job, waits for the running ones, then quits the connections: with Redis
    // unreachable the client retries that quit forever, so every wait on it below is bounded.
    const closed = w.close().catch(() => undefined);
    const redisUp = await redisAnswers(w, closeMs);
    if (await resolvesWithin(closed, redisUp ? graceMs : 0)) return;
    handBack.abort();
    for (const end = Date.now() + closeMs + 1000; running() && Date.now() < end; ) await sleep(20);
    if (redisUp && (await resolvesWithin(closed, closeMs))) return;
    await resolvesWithin(w.disconnect(), closeMs / 2); // drops the connections instead of waiting for Redis
    await resolvesWithin(closed, closeMs / 2);
  };
  let closing: Promise<void> | null = null;
  return {
    name,
    slots: slotNames,
    close(force = false) {
      if (resumeTimer) clearTimeout(resumeTimer);
      resumeTimer = null;
      if (force) handBack.abort(); // also when a close is under way: no more waiting for running evaluations
      closing ??= shutdown(force ? 0 : stopMs).then(async () => {
        await resolvesWithin(closePools(), closeMs);
        emit({ event: 'closed', worker: name });
      });
      return closing;
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the worker's connection is up and Redis answers a read within `ms` (not when it is down or frozen). */
function redisAnswers(w: Worker, ms: number): Promise<boolean> {
  const probe = w.getBackend().client.then(async (c) => {
    if (c.status !== 'ready') throw new Error(`redis connection ${c.status}`); // commands would wait for a reconnection
    await c.hget(RESULTS_KEY, '');
  });
  return resolvesWithin(probe, ms);
}

/** True when `p` fulfils within `ms`; false when it rejects or is still pending then (it is not cancelled). */
async function resolvesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
