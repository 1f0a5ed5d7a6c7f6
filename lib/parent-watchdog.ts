// Worker processes (optimize's eval-worker) must not outlive their parent. The IPC 'disconnect'
// event only fires when the JS thread is free, and a worker spends seconds to minutes inside
// synchronous code (loading LibTorch, decoding a corpus, a native epoch), so an orphan used to keep
// training for up to 151 s. A watchdog on its own thread (worker_threads: its own event loop,
// unaffected by a busy main thread) polls the parent PID and kills the process when the parent is
// gone (re-parented to init or a subreaper). Chosen over a native thread (no addon change, works
// before the addon loads) and over prctl(PR_SET_PDEATHSIG) (Linux only, not reachable from Node,
// and tied to the forking thread).
//
// The parent to watch is the PID the forking process put in SER_NATIVE_PARENT_PID, not the ppid
// seen when the watchdog starts: a parent killed while the worker was still loading has already
// handed it to init by then, and a watchdog that took init for the parent would never fire.
import { Worker } from 'worker_threads';

/** The fork environment variable naming the parent a worker must not outlive (see parentEnv()). */
export const PARENT_PID_ENV = 'SER_NATIVE_PARENT_PID';

const WATCHDOG = `
const { workerData } = require('worker_threads');
const check = () => { if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL'); };
check();
setInterval(check, workerData.intervalMs);
`;

/** The environment entry a forking process gives a worker that calls watchParent(). */
export function parentEnv(): Record<string, string> {
  return { [PARENT_PID_ENV]: String(process.pid) };
}

/** The parent this process must not outlive: SER_NATIVE_PARENT_PID when set (and a PID), else the current ppid. */
export function expectedParent(): number {
  const env = Number(process.env[PARENT_PID_ENV]);
  return Number.isInteger(env) && env > 0 ? env : process.ppid;
}

/** Starts the watchdog (once per process); `intervalMs` bounds how long an orphan lives. Returns the thread, unref'd. */
let started: Worker | null = null;
export function watchParent(intervalMs = 500): Worker {
  if (started) return started;
  const w = new Worker(WATCHDOG, { eval: true, workerData: { ppid: expectedParent(), pid: process.pid, intervalMs }, stdout: false, stderr: false, resourceLimits: { maxOldGenerationSizeMb: 8 } });
  w.unref(); // never keeps the process alive on its own
  started = w;
  return w;
}
