// optimize --race through the queue, on a real redis-server (loopback, started by the test) with real `ser-native
// worker` processes training on the tiny demo corpus: every replicate (seed, fold) of the race is a job, the recheck's
// trainings are jobs of the same study, and the result is local mode's — the same trainings with the same seeds, folds
// and fitness, the same incumbent, trajectory and recheck. A coordinator killed in the middle of a race continues from
// state.json (cache, seed window, incumbent) without training anything twice, and a coordinator with other race
// settings is refused by the study. Each case uses its own Redis database.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import type { EvaluationRecord } from '../../lib/optimize/journal';
import { optimize, type OptimizeOptions, type OptimizeResult } from '../../lib/optimize/run';
import { recheckVerdict } from '../../lib/report/recheck-section';
import type { WorkerEvent } from '../../lib/optimize/evaluators/queue/worker';
import { startRedis, type RedisServer } from '../helpers/redis';
import { spawnWorker, type SpawnedWorker } from '../helpers/worker-process';
import { checkDist, cli } from '../helpers/dist';
import { demo, fixed } from '../helpers/tiny-recipe';

// Trainings repeat at a fixed thread count; local mode's worker processes and the queue workers both use one thread.
process.env.SER_NATIVE_THREADS = '1';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-race-queue-'));
const dataRoot = path.join(tmp, 'data');
const demoDir = path.join(dataRoot, 'demo');
const fixedFile = path.join(tmp, 'fixed.json');
// Random search over 3 candidates a batch, 2 iterations, raced on 1 then 2 seeds × 2 folds of 3 epochs, rechecked on
// 2 fresh seeds × 2 fresh folds: about 20 trainings of well under a second each, plus the recheck's.
const run: OptimizeOptions = { ravdess: demoDir, fixed, algorithm: 'random', population: 3, iterations: 2, epochsPerEval: 3, race: true, raceSeeds: [1, 2], folds: 2, finalEpochs: 1, device: 'cpu', seed: 3 };
const runArgs = ['--ravdess', demoDir, '--config', fixedFile, '--algorithm', 'random', '--population', '3', '--iterations', '2', '--epochs-per-eval', '3', '--race', '--race-seeds', '1,2', '--folds', '2', '--final-epochs', '1', '--device', 'cpu', '--seed', '3'];

const journal = (out: string): EvaluationRecord[] =>
  fs.readFileSync(path.join(out, 'evaluations.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EvaluationRecord);
/** What must not depend on where a training ran. */
const outcome = (records: EvaluationRecord[]) =>
  [...records].sort((a, b) => a.index - b.index).map((r) => ({ index: r.index, iteration: r.iteration, rung: r.rung, epochs: r.epochs, seed: r.seed, fold: r.fold, config: r.config, fitness: r.fitness, status: r.status }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: RedisServer;
const workers: SpawnedWorker[] = [];
let reference: OptimizeResult;
const refOut = path.join(tmp, 'local');

async function startWorker(url: string): Promise<SpawnedWorker> {
  const w = spawnWorker(['--queue', url, '--cpu-slots', '1', '--threads', '1', '--data-root', dataRoot, '--lock-seconds', '3', '--stalled-seconds', '1']);
  workers.push(w);
  await w.waitFor('ready event', (e) => e.event === 'ready', 60000);
  return w;
}

async function stop(w: SpawnedWorker): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) {
    w.child.kill('SIGTERM');
    const timer = setTimeout(() => w.child.kill('SIGKILL'), 20000);
    await w.exit;
    clearTimeout(timer);
  }
}

type Completed = Extract<WorkerEvent, { event: 'completed' }>;
const completed = (ws: SpawnedWorker[]): Completed[] => ws.flatMap((w) => w.events.filter((e): e is Completed => e.event === 'completed'));

/** The workers' stdout may trail the coordinator, which reads results from Redis: wait (bounded) for n completions. */
async function completedOn(ws: SpawnedWorker[], n: number): Promise<Completed[]> {
  for (let i = 0; i < 100 && completed(ws).length < n; i++) await sleep(50);
  return completed(ws);
}

/** Trainings of a recheck: the recipe and the best on each pair, the recipe once when it is the best. */
const recheckTrainings = (r: OptimizeResult) => (r.recheck ? r.recheck.pairs.length * (JSON.stringify(r.best.config) === JSON.stringify(r.recipe?.config) ? 1 : 2) : 0);

beforeAll(async () => {
  checkDist();
  ensureDemoCorpus(demoDir, demo);
  fs.writeFileSync(fixedFile, JSON.stringify(fixed));
  redis = await startRedis();
  reference = await optimize({ ...run, workers: 2, out: refOut });
  expect(reference.workers.threads).toBe(1);
  // Guards the test itself: equal results would say little if every training scored the same.
  expect(new Set(journal(refOut).map((r) => r.fitness)).size).toBeGreaterThan(1);
}, 240000);

afterAll(async () => {
  await Promise.all(workers.map(stop));
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60000);

describe('optimize --race through the queue', () => {
  test('each replicate and each recheck training is a job; the same trainings, incumbent, trajectory and recheck as local mode', async () => {
    const url = redis.urlFor(1);
    const ws = [await startWorker(url), await startWorker(url)];
    const out = path.join(tmp, 'queue');
    const r = await optimize({ ...run, out, queue: { url, study: 'race', dataRoot, pollSeconds: 0.2 } });

    // Every evaluation is one training on one replicate: seeds from --seed on, both folds, in local mode's order.
    const records = journal(out);
    expect(outcome(records)).toEqual(outcome(journal(refOut)));
    expect(new Set(records.map((x) => x.seed))).toEqual(new Set([3, 4]));
    expect(new Set(records.map((x) => x.fold))).toEqual(new Set([0, 1]));
    expect(records.filter((x) => x.iteration === 0 && x.rung === 0).every((x) => x.seed === 3)).toBe(true);
    expect(new Set(records.map((x) => String(x.worker).split('/')[0]))).toEqual(new Set(ws.map((w) => w.events.find((e) => e.event === 'ready') as Extract<WorkerEvent, { event: 'ready' }>).map((e) => e.worker)));

    // The answer: the same incumbent, the same iterations, the same recheck.
    expect(r.best).toMatchObject({ index: reference.best.index, config: reference.best.config, fitness: reference.best.fitness });
    expect(r.race).toEqual(reference.race);
    expect(r.race?.iterations.map((it) => it.iteration)).toEqual([0, 1]);
    expect(r.race?.iterations.reduce((a, it) => a + it.trainings, 0)).toBe(records.length);
    expect(r.race?.incumbent.index).toBe(r.best.index);
    expect(r.recheck).toEqual(reference.recheck);
    expect(r.recheck?.pairs.map((p) => [p.seed, p.fold])).toEqual([
      [100003, 0],
      [100003, 1],
      [100004, 0],
      [100004, 1],
    ]);
    expect(r.recheck?.folds).toHaveLength(2);

    // The recheck's trainings went through the study's queue too; every training ran once.
    const n = records.length + recheckTrainings(r);
    const done = await completedOn(ws, n);
    expect(done.filter((e) => !e.cached)).toHaveLength(n);
    expect(new Set(done.map((e) => e.id)).size).toBe(done.length);
    expect(done.filter((e) => e.id.startsWith('race/recheck/0/'))).toHaveLength(recheckTrainings(r));
    expect(done.filter((e) => e.id.startsWith('race/search/'))).toHaveLength(records.length);
    expect(r.queue).toMatchObject({ study: 'race', added: n, reused: 0, found: 0 });

    // report.html shows the race and the recheck from these outputs.
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    const race = r.race as NonNullable<OptimizeResult['race']>;
    expect(html).toContain('<h2>Race: the incumbent iteration by iteration</h2>');
    expect(html).toContain(`<div class="label">Incumbent</div><div class="value">#${race.incumbent.index}</div>`);
    expect(html).toContain(`<div class="label">Challengers</div><div class="value">${race.iterations.reduce((a, it) => a + it.rungs[0].raced, 0)}</div>`);
    expect(html).toContain('<th>rung 1 (3 ep., 1 seed)</th><th>rung 2 (3 ep., 2 seeds)</th>');
    expect(html).toContain('<h2>Recheck on fresh seeds</h2>');
    const g = (r.recheck as NonNullable<OptimizeResult['recheck']>).gainPoints;
    const verdict = JSON.stringify(r.best.config) === JSON.stringify(r.recipe?.config) ? 'The best configuration is the starting recipe: the gain is 0 by construction.' : recheckVerdict(g);
    expect(html).toContain(`<p class="protocol-sentence">${verdict}</p>`);
    expect(html).toContain(`<div class="label">Pairs</div><div class="value">${g.n}</div><div class="hint">2 fresh seeds (100003, 100004) × 2 fresh folds</div>`);
    await Promise.all(ws.map(stop));
  }, 240000);

  test('a coordinator killed in the middle of a race continues it from state.json, training nothing twice', async () => {
    const url = redis.urlFor(2);
    const ws = [await startWorker(url), await startWorker(url)];
    const out = path.join(tmp, 'restart');
    const args = [cli, 'optimize', ...runArgs, '--queue', url, '--study', 'restart', '--data-root', dataRoot, '--out', out, '--json'];
    const first = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    first.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<void>((resolve) => first.once('exit', () => resolve()));
    const firstIteration = reference.race?.iterations[0].trainings as number;
    const file = path.join(out, 'evaluations.jsonl');
    const end = Date.now() + 120000;
    for (;;) {
      if (first.exitCode !== null) throw new Error(`the coordinator ended before it could be killed:\n${stderr}`);
      if (Date.now() > end) throw new Error(`the coordinator wrote fewer than ${firstIteration + 2} evaluations in 120 s:\n${stderr}`);
      const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
      if (lines >= firstIteration + 2) break; // inside iteration 1
      await sleep(25);
    }
    first.kill('SIGKILL');
    await exited;
    // Iteration 0's race is in the state: its checkpoint (cache, seed window, incumbent) and its summary.
    const state = JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8'));
    expect(state.search.kind).toBe('ser-native/race-checkpoint');
    expect(state.search.evaluations).toBe(firstIteration);
    expect(state.raceTrajectory.search).toEqual(reference.race?.iterations.slice(0, 1));

    const second = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr2 = '';
    second.stdout?.on('data', (d) => (stdout += d));
    second.stderr?.on('data', (d) => (stderr2 += d));
    const code = await new Promise<number | null>((resolve) => second.once('exit', (c) => resolve(c)));
    if (code !== 0) throw new Error(`the restarted coordinator failed (${code}):\n${stderr2}`);
    const r = JSON.parse(stdout) as OptimizeResult;
    expect(r.resumed).toBe(true);
    expect(outcome(journal(out))).toEqual(outcome(journal(refOut)));
    expect(r.best).toMatchObject({ index: reference.best.index, config: reference.best.config });
    expect(r.race).toEqual(reference.race);
    expect(r.recheck).toEqual(reference.recheck);
    // The killed coordinator's jobs were collected by the new one (found), finished ones replayed from the journal.
    const n = journal(out).length + recheckTrainings(r);
    const done = await completedOn(ws, n);
    expect(done.filter((e) => !e.cached)).toHaveLength(n);
    expect(new Set(done.map((e) => e.id)).size).toBe(done.length);
    await Promise.all(ws.map(stop));
  }, 240000);

  test('the race settings are part of the study: a coordinator with other ones is refused', async () => {
    const url = redis.urlFor(1); // the study 'race' of the first test
    const { race: _race, raceSeeds: _seeds, ...plain } = run;
    for (const other of [{ ...run, raceSeeds: [1, 3] }, plain]) {
      const e = await optimize({ ...other, out: path.join(tmp, `other-${Object.keys(other).length}`), queue: { url, study: 'race', dataRoot } }).catch((x: unknown) => x as Error & { code?: string });
      expect(e).toBeInstanceOf(Error);
      expect((e as Error & { code?: string }).code).toBe('ERR_ARGUMENT');
      expect((e as Error).message).toMatch(/^study race already exists in Redis at redis:\/\/127\.0\.0\.1:\d+\/1 with other settings \(race\): use another --study name/);
    }
  }, 60000);
});
