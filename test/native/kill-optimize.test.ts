// kill -9 of `optimize` at random (seeded) moments, then a rerun, on the tiny demo corpus with real worker
// processes: every file in --out stays whole (JSON parses, bundles load), no finished evaluation is lost or run
// again (only those in flight at the kill), no worker process outlives its killed parent by more than 5 s,
// and the rerun takes over the dead run's lock with a SER_NATIVE_STALE_LOCK warning. Local mode (process
// pool), and --queue with a coordinator and a `ser-native worker` killed in turn when redis-server exists.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { loadModel } from '../../lib/model/model';
import { Rng } from '../../lib/random';
import { checkDist, cli, dist } from '../helpers/dist';
import { checkFiles, childrenOf, sleep, survivors, watchChildren } from '../helpers/kill';
import { startRedis, type RedisServer } from '../helpers/redis';
import { demo, fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-kill-optimize-'));
const dataRoot = path.join(tmp, 'data');
const demoDir = path.join(dataRoot, 'demo');
const env = { ...process.env, SER_NATIVE_THREADS: '1' };
// 4 + 8 evaluations of SFS-WOA, one epoch each (a few seconds on an idle machine with 2 workers).
const RUN = { ravdess: demoDir, fixed, population: 4, iterations: 2, epochsPerEval: 1, finalEpochs: 1, device: 'cpu', seed: 5 };
const PLANNED = 12;

beforeAll(() => {
  checkDist();
  ensureDemoCorpus(demoDir, demo);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A run of optimize() in a child process, as the CLI would, that appends every evaluation it hands to a
 * worker to `events` (synchronously, so the line is there before any kill), and resumes when out/ holds a run.
 */
function runner(): string {
  const file = path.join(tmp, 'runner.js');
  fs.writeFileSync(
    file,
    `const fs = require('fs'), path = require('path');
     const { optimize } = require(${JSON.stringify(path.join(dist, 'lib', 'optimize', 'run.js'))});
     const [options, events] = [JSON.parse(process.argv[2]), process.argv[3]];
     const resume = !options.queue && fs.existsSync(path.join(options.out, 'state.json'));
     const onProgress = (e) => { if (e.phase === 'evaluation-start') fs.appendFileSync(events, JSON.stringify({ search: e.search, index: e.index }) + '\\n'); };
     optimize(resume ? { out: options.out, resume: true, workers: options.workers, onProgress } : { ...options, onProgress })
       .then(() => process.exit(0), (e) => { console.error(e.code, e.message); process.exit(1); });`,
  );
  return file;
}

interface Session {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[], stdout?: (line: string) => void): Session {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', stdout ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  let buffer = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      stdout?.(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

const running = (s: Session) => s.child.exitCode === null && s.child.signalCode === null;
const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '') : []);
/** search:index of every evaluation a journal holds (a torn last line is not one). */
function finished(out: string): Set<string> {
  const keys = new Set<string>();
  for (const [name, search] of [['evaluations.jsonl', 'search'], ['baseline-evaluations.jsonl', 'baseline']]) {
    for (const l of lines(path.join(out, name))) {
      try {
        keys.add(`${search}:${JSON.parse(l).index}`);
      } catch {
        /* torn by the kill */
      }
    }
  }
  return keys;
}

async function until(what: string, s: Session, ok: () => boolean, timeoutMs = 180000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (!running(s)) throw new Error(`the run ended (${s.child.exitCode ?? s.child.signalCode}) before ${what}:\n${s.stderr()}`);
    if (Date.now() > end) throw new Error(`no ${what} within ${timeoutMs} ms:\n${s.stderr()}`);
    await sleep(20);
  }
}

function expectWhole(out: string): void {
  const files = checkFiles(out);
  expect(files.broken).toEqual([]);
  expect(files.json).toBeGreaterThan(0); // state.json at least
}


/** A finished run's files after the kills: the best model loads, every file is whole, no leftovers, no lock. */
function expectWholeFinishedRun(out: string): void {
  expect(loadModel(path.join(out, 'best', 'model')).labels).toEqual(['neutral', 'angry']);
  const files = checkFiles(out);
  expect(files.broken).toEqual([]);
  expect(files.leftovers).toEqual([]);
  expect(fs.existsSync(path.join(out, '.ser-native.lock'))).toBe(false);
}

test('local process pool: three kill -9s at random moments, then a rerun', async () => {
  const out = path.join(tmp, 'local');
  const rng = new Rng(1807);
  const script = runner();
  const options = JSON.stringify({ ...RUN, baseline: true, workers: 2, out });
  const kills: { inFlight: string[]; doneBefore: Set<string>; orphans: string[]; workers: number }[] = [];
  const startedIn: Set<string>[] = [];
  for (let k = 0; k < 3; k++) {
    const events = path.join(tmp, `local-events-${k}.jsonl`);
    const s = start([script, options, events]);
    const children = watchChildren(s.child.pid as number);
    // A random moment after the session handed its first evaluation to a worker (so some are in flight).
    await until('an evaluation start', s, () => lines(events).length > 0);
    await sleep(rng.int(4000));
    const doneBefore = finished(out);
    const started = new Set(lines(events).map((l) => `${JSON.parse(l).search}:${JSON.parse(l).index}`));
    expect(running(s)).toBe(true);
    s.child.kill('SIGKILL');
    await s.exited;
    const workers = children.stop();
    const orphans = await survivors(workers, 5000);
    startedIn.push(started);
    kills.push({ inFlight: [...started].filter((x) => !finished(out).has(x)), doneBefore, orphans, workers: workers.size });
    expectWhole(out);
    expect(fs.existsSync(path.join(out, '.ser-native.lock'))).toBe(true); // left by the dead run
  }
  const events = path.join(tmp, 'local-events-final.jsonl');
  const last = start([script, options, events]);
  expect(await last.exited).toBe(0);
  expect(last.stderr()).toMatch(/SER_NATIVE_STALE_LOCK.*taking over the lock of ser-native optimize \(pid \d+/);
  startedIn.push(new Set(lines(events).map((l) => `${JSON.parse(l).search}:${JSON.parse(l).index}`)));

  for (const [k, kill] of kills.entries()) {
    expect(kill.workers).toBeGreaterThan(0);
    expect(kill.orphans).toEqual([]);
    // At most the evaluations in flight (one per worker) are lost...
    expect(kill.inFlight.length).toBeLessThanOrEqual(2);
    // ...and no finished one is run again by a later session.
    for (const later of startedIn.slice(k + 1)) expect([...later].filter((x) => kill.doneBefore.has(x))).toEqual([]);
  }
  const state = JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8'));
  expect(state.search.evaluations).toBe(PLANNED);
  const journal = lines(path.join(out, 'evaluations.jsonl')).map((l) => JSON.parse(l).index as number);
  expect(journal.sort((a, b) => a - b)).toEqual(Array.from({ length: PLANNED }, (_, i) => i));
  const baseline = lines(path.join(out, 'baseline-evaluations.jsonl')).map((l) => JSON.parse(l).index as number);
  expect(new Set(baseline).size).toBe(baseline.length);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')).evaluations).toBe(PLANNED);
  expectWholeFinishedRun(out);
}, 600000);

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
if (!HAVE_REDIS) console.warn('Skipping the optimize --queue kill test: redis-server is not on PATH (Debian: apt-get install redis-server).');

(HAVE_REDIS ? describe : describe.skip)('--queue', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('coordinator and worker killed in turn at random moments: the study completes, each evaluation once', async () => {
    const out = path.join(tmp, 'queue');
    const rng = new Rng(2207);
    const url = redis.urlFor(3);
    const script = runner();
    // One more iteration than local mode (4 + 8 + 8): evaluations must still be running at the fourth kill.
    const planned = 20;
    const options = JSON.stringify({ ...RUN, iterations: 3, out, queue: { url, study: 'kills', dataRoot, pollSeconds: 0.2, backoffSeconds: 0.5 } });
    const workerArgs = [cli, 'worker', '--queue', url, '--cpu-slots', '2', '--threads', '1', '--data-root', dataRoot, '--json', '--lock-seconds', '3', '--stalled-seconds', '1'];

    type Event = { event: string; id?: string; index?: number; cached?: boolean; pid?: number };
    const workerEvents: Event[][] = [];
    const startWorker = () => {
      const events: Event[] = [];
      workerEvents.push(events);
      return start(workerArgs, (l) => events.push(JSON.parse(l)));
    };
    let coordinator = start([script, options, path.join(tmp, 'queue-events.jsonl')]);
    let worker = startWorker();
    const trained = () => workerEvents.flat().filter((e) => e.event === 'started').length;
    const sessions: Session[] = [coordinator, worker];
    const order = ['coordinator', 'worker', 'coordinator', 'worker'];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const lost: number[] = [];
    try {
      for (const target of order) {
        // A random moment after the next evaluation started on the worker.
        const before = trained();
        await until('an evaluation start on the worker', worker, () => trained() > before);
        await sleep(rng.int(2000));
        if (target === 'worker') {
          const events = workerEvents[workerEvents.length - 1];
          const evalProcesses = watchChildren(worker.child.pid as number);
          await sleep(100);
          expect(running(worker)).toBe(true);
          worker.child.kill('SIGKILL');
          await worker.exited;
          const children = evalProcesses.stop();
          expect(children.size).toBeGreaterThan(0);
          expect(await survivors(children, 5000)).toEqual([]);
          // What the killed worker had started and not finished: retried, the only evaluations lost.
          const ended = new Set(events.filter((e) => e.event === 'completed' || e.event === 'failed').map((e) => e.id));
          lost.push(events.filter((e) => e.event === 'started' && !ended.has(e.id)).length);
          sessions.push((worker = startWorker()));
        } else {
          expect(running(coordinator)).toBe(true);
          expect(childrenOf(coordinator.child.pid as number)).toEqual([]); // evaluations run in the workers
          coordinator.child.kill('SIGKILL');
          await coordinator.exited;
          expectWhole(out);
          expect(fs.existsSync(path.join(out, '.ser-native.lock'))).toBe(true);
          sessions.push((coordinator = start([script, options, path.join(tmp, 'queue-events.jsonl')])));
          lost.push(0);
        }
      }
      const code = await coordinator.exited;
      if (code !== 0) throw new Error(`the last coordinator failed (${code}):\n${coordinator.stderr()}`);
      expect(coordinator.stderr()).toMatch(/SER_NATIVE_STALE_LOCK.*taking over the lock of ser-native optimize \(pid \d+/);
    } finally {
      for (const s of sessions) if (running(s)) s.child.kill('SIGKILL'); // (their evaluation processes follow: watchdog)
      await Promise.all(sessions.map((s) => s.exited));
    }

    const journal = lines(path.join(out, 'evaluations.jsonl')).map((l) => JSON.parse(l));
    expect(journal.map((r) => r.index).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: planned }, (_, i) => i));
    expect(journal.filter((r) => r.status !== 'ok')).toEqual([]);
    // Each distinct job trained once, plus the ones in flight on a killed worker (retried): at most those lost.
    const jobs = workerEvents.flat();
    const trainedIds = jobs.filter((e) => e.event === 'started').map((e) => e.id);
    const completed = new Set(jobs.filter((e) => e.event === 'completed' && !e.cached).map((e) => e.id));
    expect(trainedIds.length - completed.size).toBeLessThanOrEqual(lost.reduce((a, b) => a + b, 0));
    expect(lost.every((n) => n <= 2)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8')).search.evaluations).toBe(planned);
    expectWholeFinishedRun(out);
  }, 600000);
});
