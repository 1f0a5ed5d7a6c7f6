// A pool of evaluation worker processes (eval-worker.ts under child_process.fork). Each worker runs one job at a
// time with SER_NATIVE_THREADS set to its share of the cores, so N workers never oversubscribe the CPU, and
// keeps its decoded audio between jobs. A worker that dies (killed, out of memory, crashed) fails only the job
// it was running; the next job starts a replacement in its slot.
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../../../binding';
import { SerNativeError } from '../../../errors';
import * as is from '../../../is';
import { parentEnv } from '../../../parent-watchdog';
import type { EvaluationJob, EvaluationResult } from '../../objective';
import { EvaluationFailure, type WorkerPlan } from '../evaluator';
import type { SerializedError, WorkerReply, WorkerRequest } from './eval-worker';

export type { WorkerPlan };

/**
 * How many workers, threads and devices: by default one worker per GPU when CUDA is used without an index,
 * else max(1, floor(cores / 2)) (two threads each keep LibTorch's kernels efficient); threads = cores / workers.
 */
export function planWorkers(o: { workers?: number; device: string; resolvedDevice: string; cores: number; gpus: number }): WorkerPlan {
  if (o.workers !== undefined) is.number('workers', o.workers, { min: 0, integer: true });
  const cores = Math.max(1, o.cores);
  const spread = o.resolvedDevice.startsWith('cuda') && (o.device === 'auto' || o.device === 'cuda') && o.gpus > 0;
  const workers = o.workers ?? (spread ? o.gpus : Math.max(1, Math.floor(cores / 2)));
  // SER_NATIVE_THREADS set by the user is a ceiling the workers honour too (it was overwritten by the share of cores).
  const env = Number(process.env.SER_NATIVE_THREADS);
  const share = Math.max(1, Math.floor(cores / Math.max(1, workers)));
  const threads = Number.isInteger(env) && env >= 1 ? Math.min(env, share) : share;
  const devices = spread && workers > 0 ? Array.from({ length: workers }, (_, k) => `cuda:${k % o.gpus}`) : null;
  return { workers, threads, devices };
}

/** The compiled worker entry point; running from TypeScript sources (tests) uses the dist/ build. */
export function defaultWorkerScript(): string {
  if (__filename.endsWith('.js')) return path.join(__dirname, 'eval-worker.js');
  const built = path.join(packageRoot(), 'dist', 'lib', 'optimize', 'evaluators', 'pool', 'eval-worker.js');
  if (!fs.existsSync(built)) {
    throw new Error(`the evaluation worker ${built} is missing: worker processes run compiled JavaScript, so run \`npx tsc -p tsconfig.json\` first`);
  }
  return built;
}

export interface PoolOptions {
  workers: number;
  threads: number;
  /** Per-slot device overriding job.device (several GPUs). */
  devices?: string[] | null;
  /** Default defaultWorkerScript(). */
  script?: string;
  /** Extra environment of the workers. */
  env?: NodeJS.ProcessEnv;
  /** Called when a job is handed to a worker process. */
  onStart?: (e: { index: number; worker: number; pid: number }) => void;
}

export interface PoolReply {
  result: EvaluationResult;
  /** Slot number 0 .. workers-1 (a replacement keeps its slot's number). */
  worker: number;
  pid: number;
  /** Wall time from dispatch to reply in this process, seconds (includes IPC). */
  seconds: number;
}

interface Task {
  id: number;
  job: EvaluationJob;
  resolve: (r: PoolReply) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  started: number;
  settled: boolean;
}

interface Slot {
  id: number;
  child: ChildProcess | null;
  task: Task | null;
}

function abortError(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new SerNativeError('ERR_CANCELLED', 'The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export class EvaluationPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private readonly script: string;
  private readonly options: PoolOptions;
  private nextId = 0;
  private closed = false;

  constructor(options: PoolOptions) {
    is.positiveInteger('workers', options.workers);
    is.positiveInteger('threads', options.threads);
    if (options.devices && options.devices.length !== options.workers) {
      throw is.invalidArgument(`Expected ${options.workers} devices (one per worker) but received ${options.devices.length}`, 'range');
    }
    this.options = options;
    this.script = options.script ?? defaultWorkerScript();
    if (!fs.existsSync(this.script)) throw new Error(`the evaluation worker script ${this.script} does not exist`);
    this.slots = Array.from({ length: options.workers }, (_, id) => ({ id, child: null, task: null }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Process ids of the running workers. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid === undefined ? [] : [s.child.pid]));
  }

  /** Runs one job on the next free worker. Aborting kills its worker (a new one replaces it) and rejects. */
  run(job: EvaluationJob, signal?: AbortSignal): Promise<PoolReply> {
    if (this.closed) return Promise.reject(new Error('the evaluation pool is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<PoolReply>((resolve, reject) => {
      const task: Task = { id: this.nextId++, job, resolve, reject, signal, started: 0, settled: false };
      if (signal) {
        task.onAbort = () => this.abort(task);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Kills every worker and rejects queued jobs; resolves once the processes have exited. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = () => new Error('the evaluation pool was closed');
    for (const t of this.queue.splice(0)) this.settle(t, null, closedError());
    for (const s of this.slots) {
      if (s.task) this.settle(s.task, null, closedError());
      s.task = null;
    }
    const exits = this.slots.map((s) => {
      const child = s.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    });
    await Promise.all(exits);
  }

  private settle(task: Task, reply: PoolReply | null, error?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    if (reply) task.resolve(reply);
    else task.reject(error);
  }

  private abort(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(task, null, abortError(task.signal as AbortSignal));
    const slot = this.slots.find((s) => s.task === task);
    if (slot) {
      // The native training loop cannot be interrupted from outside; ending the process frees the slot at once.
      // Detached first, so its exit is not taken for a crash and no new job is sent to the dying process.
      slot.child?.kill('SIGTERM');
      slot.child = null;
      slot.task = null;
      this.dispatch();
    }
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) return;
      if (slot.task) continue;
      const task = this.queue.shift() as Task;
      let child: ChildProcess;
      try {
        child = slot.child ?? this.spawn(slot);
      } catch (e) {
        // fork() itself failed (e.g. EAGAIN: too many processes): this job fails, the next one tries again.
        this.settle(task, null, new EvaluationFailure(`could not start worker ${slot.id}: ${(e as Error).message}`, { worker: slot.id, pid: null, crashed: true, seconds: 0 }));
        continue;
      }
      slot.task = task;
      task.started = Date.now();
      const device = this.options.devices?.[slot.id];
      const job = device ? { ...task.job, device: device as EvaluationJob['device'] } : task.job;
      const message: WorkerRequest = { type: 'evaluate', id: task.id, job };
      child.send(message, (error) => {
        if (error && slot.task === task) this.fail(slot, task, `could not send evaluation ${task.job.index} to worker ${slot.id}: ${error.message}`, true);
      });
      if (child.pid !== undefined) this.options.onStart?.({ index: task.job.index, worker: slot.id, pid: child.pid });
    }
  }

  private spawn(slot: Slot): ChildProcess {
    const child = fork(this.script, [], {
      // The worker's watchdog kills it when this process is gone, even if that happens while it is still loading.
      env: { ...process.env, ...this.options.env, ...parentEnv(), SER_NATIVE_THREADS: String(this.options.threads) },
      // No inherited --inspect/--require flags; the worker's stdout goes to our stderr so it never mixes with --json.
      execArgv: [],
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    slot.child = child;
    child.on('message', (m: unknown) => this.onReply(slot, child, m));
    child.on('error', (e) => {
      if (slot.child === child && slot.task) this.fail(slot, slot.task, `worker ${slot.id} failed: ${e.message}`, true);
    });
    child.on('exit', (code, signal) => {
      if (slot.child !== child) return;
      const task = slot.task;
      if (task) {
        const how = signal ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory? the OOM killer sends SIGKILL)' : ''}` : `exited with code ${code}`;
        this.fail(slot, task, `worker ${slot.id} (pid ${child.pid}) ${how} during evaluation ${task.job.index}`, true);
      } else {
        slot.child = null;
        this.dispatch();
      }
    });
    return child;
  }

  /** Fails the slot's job; a crashed worker is ended and dropped (the next job starts a replacement). */
  private fail(slot: Slot, task: Task, message: string, crashed: boolean, error?: SerializedError): void {
    const pid = slot.child?.pid ?? null;
    slot.task = null;
    if (crashed && slot.child) {
      slot.child.kill('SIGKILL');
      slot.child = null;
    }
    const seconds = (Date.now() - task.started) / 1000;
    this.settle(task, null, new EvaluationFailure(message, { worker: slot.id, pid, crashed, code: error?.code, seconds }));
    this.dispatch();
  }

  private onReply(slot: Slot, child: ChildProcess, raw: unknown): void {
    const m = raw as WorkerReply;
    const task = slot.task;
    if (!task || typeof m !== 'object' || m === null || m.id !== task.id) return; // a reply to an aborted job
    if (m.type === 'result') {
      slot.task = null;
      this.settle(task, { result: m.result, worker: slot.id, pid: child.pid as number, seconds: (Date.now() - task.started) / 1000 });
      this.dispatch();
    } else if (m.type === 'error') {
      this.fail(slot, task, m.error.message, false, m.error);
    }
  }
}
