// The coordinator side of optimize --queue: an Evaluator that turns each evaluation into a BullMQ job and
// resolves with the job's return value. The search itself (ask/tell, journal, checkpoints, report) is the
// local mode's, unchanged; only where evaluations run differs.
//
// Per evaluation: a job with the same id already in the queue (a restarted coordinator) is collected, not
// added again; else a stored result for the same evaluation hash is reused; else the job is added (an add with
// an existing id is a no-op in BullMQ). Jobs are then watched by polling their state, woken early by queue
// events. An iteration's evaluations without a result by its deadline fail (penalty fitness), so a study never
// waits forever on a lost worker.
import type { Queue, QueueEvents } from 'bullmq';
import { SerNativeError } from '../../../errors';
import * as is from '../../../is';
import type { EvaluationJob } from '../../objective';
import { EvaluationFailure, type EvaluatorReply } from '../evaluator';
import { bullmq } from '../../../queue/bullmq';
import type { JobGroup } from '../../types';
import { relativeData } from '../../../train/queue/data';
import { evaluationHash, jobIdOf, type QueueJobData, type QueueJobProgress, type QueueJobResult, type Versions } from './job';
import { canonicalJson, connectionOf, parseQueueUrl, PREFIX, QUEUE_DEFAULTS, QUEUE_NAME, RESULTS_KEY, studyKey, withTimeout, type QueueAddress } from '../../../queue/settings';

export interface CoordinatorOptions {
  queue: string;
  study: string;
  /** Absolute; the study's data paths are stored relative to it. */
  dataRoot: string;
  dataDigest: string;
  versions: Versions;
  evalTimeoutSeconds?: number;
  iterationTimeoutSeconds?: number;
  attempts?: number;
  backoffSeconds?: number;
  pollSeconds?: number;
  /** A worker started an evaluation (each attempt). */
  onStart?: (e: { index: number; worker: string; pid: number }) => void;
  /** Something the user should see: a refusal by a worker, a retry. */
  onNote?: (message: string) => void;
}

export interface CoordinatorStats {
  /** Jobs this session added to the queue. */
  added: number;
  /** Evaluations answered from stored results without a job. */
  reused: number;
  /** Jobs found in the queue already (a restarted coordinator). */
  found: number;
  /** HOST:PID/SLOT of the workers seen running this study's evaluations. */
  workers: string[];
  /** Threads per slot reported by the workers (the largest seen), or null. */
  threads: number | null;
}

interface Pending {
  id: string;
  index: number;
  deadline: number;
  timeoutSeconds: number;
  since: number;
  announced: Set<string>;
  lastWorker: string | null;
  lastRefusal: string | null;
  resolve: (r: EvaluatorReply) => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

const WAITING = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'wait']);

export class QueueCoordinator {
  readonly address: QueueAddress;
  readonly study: string;
  private readonly queue: Queue<QueueJobData, QueueJobResult>;
  private readonly events: QueueEvents;
  private readonly o: CoordinatorOptions;
  private readonly pending = new Map<string, Pending>();
  /** One wait per job id: the same evaluation asked twice at once shares it. */
  private readonly waits = new Map<string, Promise<EvaluatorReply>>();
  private readonly deadlines = new Map<string, number>();
  private readonly workers = new Set<string>();
  private threads: number | null = null;
  private counts = { added: 0, reused: 0, found: 0 };
  private timer: NodeJS.Timeout;
  private checking = false;
  private again = false;
  private closed = false;

  private constructor(o: CoordinatorOptions, address: QueueAddress, queue: Queue<QueueJobData, QueueJobResult>, events: QueueEvents) {
    this.o = o;
    this.study = o.study;
    this.address = address;
    this.queue = queue;
    this.events = events;
    const wake = (e: { jobId: string }) => {
      if (this.pending.has(e.jobId)) void this.check();
    };
    for (const name of ['completed', 'failed', 'progress', 'removed', 'stalled', 'active'] as const) events.on(name as 'completed', wake as never);
    events.on('error', () => undefined); // connection trouble: polling goes on, and ioredis reconnects
    this.timer = setInterval(() => void this.check(), 1000 * (o.pollSeconds ?? QUEUE_DEFAULTS.pollSeconds));
  }

  /** Connects (bounded wait, so a wrong address fails clearly) to the queue and its event stream. */
  static async open(o: CoordinatorOptions): Promise<QueueCoordinator> {
    const address = parseQueueUrl(o.queue);
    const connection = connectionOf(address);
    const { Queue, QueueEvents } = bullmq();
    const queue = new Queue<QueueJobData, QueueJobResult>(QUEUE_NAME, { connection, prefix: PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: PREFIX });
    queue.on('error', () => undefined);
    try {
      const s = QUEUE_DEFAULTS.connectSeconds;
      await withTimeout(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), 1000 * s, `cannot reach Redis at ${address.display} within ${s} s: is redis-server running there, and is the address right?`);
    } catch (e) {
      await Promise.allSettled([events.close(), queue.close()]);
      throw e;
    }
    return new QueueCoordinator(o, address, queue, events);
  }

  /**
   * Records what defines the study in Redis, or checks it against the record of a study of the same name
   * (a restarted coordinator): another study under the same name would mix their jobs.
   */
  async registerStudy(identity: Record<string, unknown>): Promise<'new' | 'existing'> {
    const client = await this.queue.getBackend().client;
    const text = canonicalJson(identity);
    // get-then-set: two coordinators starting the same study in the same instant is not a case to design for.
    const saved = await client.get(studyKey(this.study));
    if (saved === null) {
      await client.set(studyKey(this.study), text);
      return 'new';
    }
    if (saved === text) return 'existing';
    let before: Record<string, unknown> = {};
    try {
      before = JSON.parse(saved);
    } catch {
      /* reported below */
    }
    const differs = Object.keys({ ...before, ...identity }).filter((k) => canonicalJson(before[k]) !== canonicalJson(identity[k]));
    throw is.invalidArgument(`study ${this.study} already exists in Redis at ${this.address.display} with other settings (${differs.join(', ') || 'unreadable record'}): use another --study name, or the same settings to continue it`);
  }

  get stats(): CoordinatorStats {
    return { ...this.counts, workers: [...this.workers].sort(), threads: this.threads };
  }

  /** One evaluation through the queue; rejects with EvaluationFailure when the job failed or missed its deadline. */
  evaluate(job: EvaluationJob, search: JobGroup, signal?: AbortSignal): Promise<EvaluatorReply> {
    if (this.closed) return Promise.reject(new Error('the queue coordinator is closed'));
    const hash = evaluationHash(job, this.o.dataDigest, this.o.versions);
    const id = jobIdOf(this.study, search, job, hash);
    const iterationKey = `${search}/${job.iteration}`;
    const iterationSeconds = this.o.iterationTimeoutSeconds ?? QUEUE_DEFAULTS.iterationTimeoutSeconds;
    let deadline = this.deadlines.get(iterationKey);
    if (deadline === undefined) {
      deadline = Date.now() + 1000 * iterationSeconds;
      this.deadlines.set(iterationKey, deadline);
    }
    // Registered before the first await, so the same evaluation asked twice at once shares one job and one wait.
    let w = this.waits.get(id);
    if (!w) {
      w = this.submit(id, hash, job, search, deadline, iterationSeconds, signal);
      this.waits.set(id, w);
      const forget = () => this.waits.delete(id);
      w.then(forget, forget);
    }
    return w;
  }

  private async submit(id: string, hash: string, job: EvaluationJob, search: JobGroup, deadline: number, iterationSeconds: number, signal?: AbortSignal): Promise<EvaluatorReply> {
    if (await bullmq().Job.fromId(this.queue, id)) {
      this.counts.found++;
    } else {
      const client = await this.queue.getBackend().client;
      const stored = await client.hget(RESULTS_KEY, hash);
      if (stored) {
        const s = JSON.parse(stored) as { result: QueueJobResult['result']; worker: string };
        this.counts.reused++;
        return { result: s.result, worker: `${s.worker} (reused)`, seconds: 0 };
      }
      const data: QueueJobData = {
        kind: 'ser-native/evaluation',
        version: 1,
        study: this.study,
        search,
        hash,
        dataDigest: this.o.dataDigest,
        versions: this.o.versions,
        timeoutSeconds: this.o.evalTimeoutSeconds ?? QUEUE_DEFAULTS.evalTimeoutSeconds,
        job: { ...job, data: relativeData(job.data, this.o.dataRoot) },
      };
      await this.queue.add('evaluate', data, {
        jobId: id,
        attempts: this.o.attempts ?? QUEUE_DEFAULTS.attempts,
        backoff: { type: 'exponential', delay: 1000 * (this.o.backoffSeconds ?? QUEUE_DEFAULTS.backoffSeconds) },
        // Kept: a restarted coordinator collects finished jobs by id, and re-adding them stays a no-op.
        removeOnComplete: false,
        removeOnFail: false,
      });
      this.counts.added++;
    }
    return this.wait(id, job.index, deadline, iterationSeconds, signal);
  }

  private wait(id: string, index: number, deadline: number, timeoutSeconds: number, signal?: AbortSignal): Promise<EvaluatorReply> {
    return new Promise<EvaluatorReply>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(signal?.reason ?? new SerNativeError('ERR_CANCELLED', 'aborted'));
      };
      const p: Pending = {
        id,
        index,
        deadline,
        timeoutSeconds,
        since: Date.now(),
        announced: new Set(),
        lastWorker: null,
        lastRefusal: null,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, p);
      void this.check();
    });
  }

  private settle(p: Pending, reply: EvaluatorReply | null, error?: unknown): void {
    if (!this.pending.delete(p.id)) return;
    p.cleanup();
    if (reply) p.resolve(reply);
    else p.reject(error);
  }

  /** Looks at every pending job once; calls that arrive meanwhile make it look again. */
  private async check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.again = false;
        for (const p of [...this.pending.values()]) {
          if (this.closed) return;
          try {
            await this.checkOne(p);
          } catch (e) {
            // Redis unreachable for a moment: keep the job pending; the deadline still applies.
            if (Date.now() > p.deadline) this.settle(p, null, new EvaluationFailure(`evaluation ${p.index}: ${(e as Error).message}`, { worker: p.lastWorker ?? 'queue', pid: null, crashed: false, seconds: (Date.now() - p.since) / 1000 }));
          }
        }
      } while (this.again && !this.closed);
    } finally {
      this.checking = false;
    }
  }

  private async checkOne(p: Pending): Promise<void> {
    // State first: a job read after it shows completed or failed carries its final return value or reason.
    const state = await this.queue.getJobState(p.id);
    const job = await bullmq().Job.fromId<QueueJobData, QueueJobResult>(this.queue, p.id);
    const seconds = (Date.now() - p.since) / 1000;
    const failure = (message: string) => new EvaluationFailure(message, { worker: p.lastWorker ?? 'queue', pid: null, crashed: false, seconds });
    if (!job) {
      this.settle(p, null, failure(`job ${p.id} of evaluation ${p.index} is no longer in the queue (removed from Redis by hand?)`));
      return;
    }
    const progress = job.progress as QueueJobProgress | number | null;
    if (progress && typeof progress === 'object') {
      if (progress.phase === 'started') {
        p.lastWorker = progress.worker;
        this.workers.add(progress.worker);
        this.threads = Math.max(this.threads ?? 0, progress.threads);
        const key = `${progress.worker}#${progress.attempt}#${progress.pid}`;
        if (!p.announced.has(key)) {
          p.announced.add(key);
          if (p.announced.size > 1) this.o.onNote?.(`evaluation ${p.index} started again (attempt ${progress.attempt}) on ${progress.worker}`);
          this.o.onStart?.({ index: p.index, worker: progress.worker, pid: progress.pid });
        }
      } else if (progress.phase === 'refused' && progress.error !== p.lastRefusal) {
        p.lastRefusal = progress.error;
        this.o.onNote?.(`evaluation ${p.index} refused by a worker: ${progress.error}`);
      }
    }
    if (state === 'completed') {
      const r = job.returnvalue;
      if (!r || typeof r !== 'object' || !r.result || typeof r.result.fitness !== 'number') {
        this.settle(p, null, failure(`job ${p.id} completed without an evaluation result: ${JSON.stringify(r)}`));
        return;
      }
      this.workers.add(r.worker.replace(/ \(reused\)$/, ''));
      this.settle(p, { result: r.result, worker: r.cached ? `${r.worker} (reused)` : r.worker, seconds: r.cached ? 0 : r.result.seconds });
    } else if (state === 'failed') {
      this.settle(p, null, failure(job.failedReason || `job ${p.id} failed without a reason`));
    } else if (Date.now() > p.deadline) {
      // Nobody may take it any more: a late result would not be used (a running one still stores its result).
      if (WAITING.has(state)) await job.remove().catch(() => undefined);
      const why = p.lastRefusal ? `; a worker refused it: ${p.lastRefusal}` : WAITING.has(state) ? '; no worker took it (are workers running on this queue?)' : '';
      this.settle(p, null, failure(`no result for evaluation ${p.index} within the iteration deadline of ${p.timeoutSeconds} s (job ${p.id} was ${state}${why})`));
    }
  }

  /** Stops watching (pending evaluations reject) and closes the Redis connections; jobs stay in the queue. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const p of [...this.pending.values()]) this.settle(p, null, new Error('the queue coordinator was closed'));
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}
