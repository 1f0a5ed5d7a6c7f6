// A pool of worker processes (child_process.fork of a script that calls serveJobs()), each running one
// job at a time with SER_NATIVE_THREADS set to its share of the cores, so N workers never
// oversubscribe the CPU; a worker keeps its state (e.g. decoded audio) between jobs. A worker that
// dies (killed, out of memory, crashed) fails only the job it was running; the next job starts a
// replacement in its slot. optimize's evaluations (lib/optimize/evaluators/pool) and trainFolds'
// folds and members (lib/train/train-worker.ts) both run on it.
//
// Over IPC, one job at a time:
//   parent → child  { type: 'job', id, job }
//   child  → parent { type: 'result', id, result } | { type: 'error', id, error: { name, message, code? } }
//                   | { type: 'progress', id, progress }   (any number, before the result: e.g. a training's epochs)
// The child exits when the parent goes away (lib/parent-watchdog.ts), so a killed run leaves no orphans.
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from './binding';
import { SerNativeError } from './errors';
import * as is from './is';
import { parentEnv, watchParent } from './parent-watchdog';

export type WorkerRequest<J = unknown> = { type: 'job'; id: number; job: J };
export type WorkerReply<R = unknown> = { type: 'result'; id: number; result: R } | { type: 'error'; id: number; error: SerializedError } | { type: 'progress'; id: number; progress: unknown };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? { name: e.name, message: e.message, code } : { name: e.name, message: e.message };
  }
  return { name: 'Error', message: String(e) };
}

/** A job that did not produce a result: the worker's error, or the worker's death. */
export class WorkerFailure extends Error {
  /** Slot number, 'in-process', or a queue worker's HOST:PID/SLOT. */
  readonly worker: number | string;
  readonly pid: number | null;
  /** True when the worker process died rather than reporting an error. */
  readonly crashed: boolean;
  readonly code?: string;
  readonly seconds: number;
  constructor(message: string, o: { worker: number | string; pid: number | null; crashed: boolean; code?: string; seconds: number }) {
    super(message);
    this.name = 'WorkerFailure';
    this.worker = o.worker;
    this.pid = o.pid;
    this.crashed = o.crashed;
    this.code = o.code;
    this.seconds = o.seconds;
  }
}

export interface ProcessPoolOptions<J> {
  workers: number;
  threads: number;
  /** The worker script (it calls serveJobs()). */
  script: string;
  /** Per-slot device overriding job.device (several GPUs). */
  devices?: string[] | null;
  /** Extra environment of the workers. */
  env?: NodeJS.ProcessEnv;
  /** How a job is named in failure messages (default 'a job'). */
  describe?: (job: J) => string;
  /** Called when a job is handed to a worker process. */
  onStart?: (e: { job: J; worker: number; pid: number }) => void;
}

export interface PoolReply<R> {
  result: R;
  /** Slot number 0 .. workers-1 (a replacement keeps its slot's number). */
  worker: number;
  pid: number;
  /** Wall time from dispatch to reply in this process, seconds (includes IPC). */
  seconds: number;
}

/**
 * A worker entry point: `name` next to the calling module when it runs compiled; from TypeScript
 * sources (tests under ts-jest) the dist/ build of it, since worker processes run compiled JavaScript.
 * `callerFile` is the caller's __filename; `distPath` the script's path under dist/.
 */
export function workerScript(callerFile: string, distPath: string): string {
  if (callerFile.endsWith('.js')) return path.join(path.dirname(callerFile), path.basename(distPath));
  const built = path.join(packageRoot(), 'dist', distPath);
  if (!fs.existsSync(built)) throw new SerNativeError('ERR_NO_BINARY', `the worker script ${built} is missing: worker processes run compiled JavaScript, so run \`npx tsc -p tsconfig.json\` first`);
  return built;
}

/**
 * LibTorch threads of each of `workers` processes on `cores` cores: an equal share (at least 1), with
 * SER_NATIVE_THREADS set by the user as a ceiling the workers honour too.
 */
export function threadShare(workers: number, cores = os.cpus().length): number {
  const env = Number(process.env.SER_NATIVE_THREADS);
  const share = Math.max(1, Math.floor(Math.max(1, cores) / Math.max(1, workers)));
  return Number.isInteger(env) && env >= 1 ? Math.min(env, share) : share;
}

/**
 * The worker side: runs `run` on each job received over IPC, one at a time, and answers with its
 * result or error. Ctrl-C in a terminal reaches the whole process group: the parent decides (it
 * stops us and records nothing), so a worker ignores SIGINT rather than die first.
 */
export function serveJobs<J, R>(name: string, run: (job: J, progress: (p: unknown) => void) => Promise<R>): void {
  if (!process.send) throw new Error(`${name} runs under child_process.fork (a ProcessPool)`);
  const send = process.send.bind(process);
  // 'disconnect' waits for a free JS thread; the watchdog thread does not (lib/parent-watchdog.ts).
  watchParent();
  let queue = Promise.resolve();
  process.on('message', (raw: unknown) => {
    const m = raw as Partial<WorkerRequest<J>> | null;
    if (m === null || typeof m !== 'object' || m.type !== 'job' || typeof m.id !== 'number') {
      process.stderr.write(`${name}: ignoring a message that is not { type: 'job', id, job }: ${JSON.stringify(raw)}\n`);
      return;
    }
    const id = m.id;
    // The pool sends one job at a time; chaining keeps a misbehaving sender from running two at once.
    queue = queue.then(async () => {
      try {
        // Progress is informative: a message that cannot be sent (the parent is going away) is dropped.
        const progress = (p: unknown) => send({ type: 'progress', id, progress: p } as WorkerReply<R>, undefined, undefined, () => undefined);
        send({ type: 'result', id, result: await run(m.job as J, progress) } as WorkerReply<R>);
      } catch (e) {
        send({ type: 'error', id, error: serializeError(e) } as WorkerReply<R>);
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
}

interface Task<J, R> {
  id: number;
  job: J;
  resolve: (r: PoolReply<R>) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  onProgress?: (p: unknown) => void;
  started: number;
  settled: boolean;
}

interface Slot<J, R> {
  id: number;
  child: ChildProcess | null;
  task: Task<J, R> | null;
}

function abortError(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new SerNativeError('ERR_CANCELLED', 'The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export class ProcessPool<J extends object, R> {
  private readonly slots: Slot<J, R>[];
  private readonly queue: Task<J, R>[] = [];
  private readonly script: string;
  private readonly options: ProcessPoolOptions<J>;
  private nextId = 0;
  private closed = false;

  constructor(options: ProcessPoolOptions<J>) {
    is.positiveInteger('workers', options.workers);
    is.positiveInteger('threads', options.threads);
    if (options.devices && options.devices.length !== options.workers) {
      throw is.invalidArgument(`Expected ${options.workers} devices (one per worker) but received ${options.devices.length}`, 'range');
    }
    this.options = options;
    this.script = options.script;
    if (!fs.existsSync(this.script)) throw new Error(`the worker script ${this.script} does not exist`);
    this.slots = Array.from({ length: options.workers }, (_, id) => ({ id, child: null, task: null }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Process ids of the running workers. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid === undefined ? [] : [s.child.pid]));
  }

  /**
   * Runs one job on the next free worker. Aborting kills its worker (a new one replaces it) and rejects.
   * `onProgress` receives what the job's worker reports while it runs (serveJobs' `progress`).
   */
  run(job: J, signal?: AbortSignal, onProgress?: (p: unknown) => void): Promise<PoolReply<R>> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<PoolReply<R>>((resolve, reject) => {
      const task: Task<J, R> = { id: this.nextId++, job, resolve, reject, signal, onProgress, started: 0, settled: false };
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
    const closedError = () => new Error('the worker pool was closed');
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

  private settle(task: Task<J, R>, reply: PoolReply<R> | null, error?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    if (reply) task.resolve(reply);
    else task.reject(error);
  }

  private abort(task: Task<J, R>): void {
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

  private describe(job: J): string {
    return this.options.describe ? this.options.describe(job) : 'a job';
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) return;
      if (slot.task) continue;
      const task = this.queue.shift() as Task<J, R>;
      let child: ChildProcess;
      try {
        child = slot.child ?? this.spawn(slot);
      } catch (e) {
        // fork() itself failed (e.g. EAGAIN: too many processes): this job fails, the next one tries again.
        this.settle(task, null, new WorkerFailure(`could not start worker ${slot.id}: ${(e as Error).message}`, { worker: slot.id, pid: null, crashed: true, seconds: 0 }));
        continue;
      }
      slot.task = task;
      task.started = Date.now();
      const device = this.options.devices?.[slot.id];
      const job = device ? { ...task.job, device } : task.job;
      const message: WorkerRequest<J> = { type: 'job', id: task.id, job };
      child.send(message, (error) => {
        if (error && slot.task === task) this.fail(slot, task, `could not send ${this.describe(task.job)} to worker ${slot.id}: ${error.message}`, true);
      });
      if (child.pid !== undefined) this.options.onStart?.({ job: task.job, worker: slot.id, pid: child.pid });
    }
  }

  private spawn(slot: Slot<J, R>): ChildProcess {
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
        this.fail(slot, task, `worker ${slot.id} (pid ${child.pid}) ${how} during ${this.describe(task.job)}`, true);
      } else {
        slot.child = null;
        this.dispatch();
      }
    });
    return child;
  }

  /** Fails the slot's job; a crashed worker is ended and dropped (the next job starts a replacement). */
  private fail(slot: Slot<J, R>, task: Task<J, R>, message: string, crashed: boolean, error?: SerializedError): void {
    const pid = slot.child?.pid ?? null;
    slot.task = null;
    if (crashed && slot.child) {
      slot.child.kill('SIGKILL');
      slot.child = null;
    }
    const seconds = (Date.now() - task.started) / 1000;
    this.settle(task, null, new WorkerFailure(message, { worker: slot.id, pid, crashed, code: error?.code, seconds }));
    this.dispatch();
  }

  private onReply(slot: Slot<J, R>, child: ChildProcess, raw: unknown): void {
    const m = raw as WorkerReply<R>;
    const task = slot.task;
    if (!task || typeof m !== 'object' || m === null || m.id !== task.id) return; // a reply to an aborted job
    if (m.type === 'progress') {
      task.onProgress?.(m.progress);
    } else if (m.type === 'result') {
      slot.task = null;
      this.settle(task, { result: m.result, worker: slot.id, pid: child.pid as number, seconds: (Date.now() - task.started) / 1000 });
      this.dispatch();
    } else if (m.type === 'error') {
      this.fail(slot, task, m.error.message, false, m.error);
    }
  }
}
