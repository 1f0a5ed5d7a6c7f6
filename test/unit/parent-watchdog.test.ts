// lib/parent-watchdog.ts: a worker process whose parent is kill -9'd dies within about a second (5 s allowed),
// even while its JS thread is stuck in synchronous work (where IPC 'disconnect' is never delivered).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkDist, dist } from '../helpers/dist';
import { processAlive } from '../../lib/lock';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-watchdog-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function until(cond: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
  return Date.now() - t0;
}

test('an orphaned worker busy in synchronous code is gone within 5 s of its parent being killed', async () => {
  checkDist();
  const child = path.join(tmp, 'child.js');
  fs.writeFileSync(
    child,
    `require(${JSON.stringify(path.join(dist, 'lib', 'parent-watchdog.js'))}).watchParent(200);
     process.send('ready', () => setTimeout(() => { const end = Date.now() + 60000; while (Date.now() < end); }, 50));`,
  );
  const parent = spawn(process.execPath, ['-e', `const c = require('child_process').fork(${JSON.stringify(child)}); c.on('message', () => console.log(c.pid)); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const workerPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  expect(processAlive(workerPid)).toBe(true);
  await new Promise((r) => setTimeout(r, 300)); // the worker is now inside its synchronous loop
  parent.kill('SIGKILL');
  const waited = await until(() => !processAlive(workerPid), 5000);
  if (processAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
  // Within the 5 s issue 18 allows an orphan (2 s flaked at 2.08 s with other suites running on 2 cores); without the watchdog: 60 s.
  expect(waited).toBeLessThan(5000);
}, 30000);

test('a worker whose parent died while it was still loading (before the watchdog started) is gone too', async () => {
  checkDist();
  const child = path.join(tmp, 'late-child.js');
  const startedAt = path.join(tmp, 'watchdog-started');
  // Tells the parent it runs, then stays busy 1.5 s (as when loading LibTorch) before starting the watchdog,
  // by which time it belongs to init: only the parent PID given at fork identifies the parent it lost.
  fs.writeFileSync(
    child,
    `process.send('started');
     const end = Date.now() + 1500; while (Date.now() < end);
     require('fs').writeFileSync(${JSON.stringify(startedAt)}, String(Date.now()));
     require(${JSON.stringify(path.join(dist, 'lib', 'parent-watchdog.js'))}).watchParent(200);
     setTimeout(() => { const end = Date.now() + 60000; while (Date.now() < end); }, 50);`,
  );
  // As the evaluation pool forks its workers (parentEnv()).
  const parent = spawn(
    process.execPath,
    ['-e', `const c = require('child_process').fork(${JSON.stringify(child)}, [], { env: { ...process.env, SER_NATIVE_PARENT_PID: String(process.pid) } }); c.on('message', () => console.log(c.pid)); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const workerPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  parent.kill('SIGKILL'); // while the worker is still "loading"
  await until(() => !processAlive(workerPid), 30000);
  const gone = Date.now();
  const survived = processAlive(workerPid);
  if (survived) process.kill(workerPid, 'SIGKILL');
  expect(survived).toBe(false); // without the parent PID from the fork it would run its whole 60 s loop
  // Gone within the 5 s the kill tests allow an orphan, counted from the watchdog's start (timings on a loaded machine).
  expect(gone - Number(fs.readFileSync(startedAt, 'utf8'))).toBeLessThan(5000);
}, 30000);
