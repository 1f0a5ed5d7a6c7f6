// Worker processes (optimize's eval-worker) must not outlive their parent. The IPC 'disconnect'
// event only fires when the JS thread is free, and a worker spends seconds to minutes inside
// synchronous code (decoding a corpus, a native epoch), so an orphan used to keep training for up to
// 151 s. A watchdog on its own thread (worker_threads: its own event loop, unaffected by a busy main
// thread) polls the parent PID and kills the process when the parent is gone (re-parented to init or
// a subreaper). Chosen over a native thread (no addon change, works before the addon loads) and over
// prctl(PR_SET_PDEATHSIG) (Linux only, not reachable from Node, and tied to the forking thread).
import { Worker } from 'worker_threads';

const WATCHDOG = `
const { workerData } = require('worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

/** Starts the watchdog (once per process); `intervalMs` bounds how long an orphan lives. Returns the thread, unref'd. */
let started: Worker | null = null;
export function watchParent(intervalMs = 500): Worker {
  if (started) return started;
  const w = new Worker(WATCHDOG, { eval: true, workerData: { ppid: process.ppid, pid: process.pid, intervalMs }, stdout: false, stderr: false, resourceLimits: { maxOldGenerationSizeMb: 8 } });
  w.unref(); // never keeps the process alive on its own
  started = w;
  return w;
}
