// `ser-native worker --json` in a child process for the queue tests: its JSON events collected as
// they arrive, a wait for an event, and its exit.
import { spawn, type ChildProcess } from 'child_process';
import type { WorkerEvent } from '../../lib/optimize/evaluators/queue/worker';
import { cli } from './dist';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SpawnedWorker {
  child: ChildProcess;
  events: WorkerEvent[];
  stderr(): string;
  /** The first event that matches; fails when the worker exits first or after `timeoutMs`. */
  waitFor<E extends WorkerEvent>(what: string, pred: (e: WorkerEvent) => e is E, timeoutMs?: number): Promise<E>;
  waitFor(what: string, pred: (e: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  /** Resolves with the exit code (or signal) and when it happened (Date.now()). */
  exit: Promise<{ code: number | null; signal: string | null; at: number }>;
}

/** Starts `ser-native worker <args> --json` (one LibTorch thread); `onEvent` sees each event as it arrives. */
export function spawnWorker(args: string[], onEvent?: (e: WorkerEvent, child: ChildProcess) => void): SpawnedWorker {
  const child = spawn(process.execPath, [cli, 'worker', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SER_NATIVE_THREADS: '1' } });
  const events: WorkerEvent[] = [];
  let stderr = '';
  let buffer = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const e = JSON.parse(buffer.slice(0, nl)) as WorkerEvent;
      buffer = buffer.slice(nl + 1);
      events.push(e);
      onEvent?.(e, child);
    }
  });
  // The time of 'exit', but resolved on 'close': only then has every event the worker printed been read.
  const exit = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => {
    let at = 0;
    child.once('exit', () => (at = Date.now()));
    child.once('close', (code, signal) => resolve({ code, signal, at: at || Date.now() }));
  });
  const waitFor = async (what: string, pred: (e: WorkerEvent) => boolean, timeoutMs = 60000): Promise<WorkerEvent> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${stderr}`);
      if (Date.now() > end) throw new Error(`worker: no ${what} within ${timeoutMs} ms; events ${JSON.stringify(events)}\n${stderr}`);
      await sleep(20);
    }
  };
  return { child, events, stderr: () => stderr, waitFor: waitFor as SpawnedWorker['waitFor'], exit };
}
