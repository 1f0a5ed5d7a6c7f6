// optimize --queue on a real redis-server (loopback, started by the test) with real `ser-native worker`
// processes training on a tiny demo corpus: the same search as local mode, a worker and an evaluation process
// killed mid-evaluation, a coordinator killed and restarted, idempotent jobs, a config that always fails, an
// iteration deadline, and a worker with other data refusing a study's jobs. Each case uses its own Redis
// database, so stored results of one never answer another.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Job, Queue } from 'bullmq';
import { QueueCoordinator } from '../../lib/optimize/evaluators/queue/coordinator';
import { absoluteData, dataDigest, relativeData } from '../../lib/train/queue/data';
import { evaluationHash, jobIdOf } from '../../lib/optimize/evaluators/queue/job';
import { checkStudyName, parseQueueUrl, PREFIX, QUEUE_NAME } from '../../lib/queue/settings';
import type { WorkerEvent } from '../../lib/optimize/evaluators/queue/worker';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { decode } from '../../lib/hpo/space';
import { info } from '../../lib/info';
import type { EvaluationRecord } from '../../lib/optimize/journal';
import type { EvaluationJob } from '../../lib/optimize/objective';
import { EvaluationFailure } from '../../lib/optimize/evaluators/evaluator';
import { optimize, type OptimizeOptions, type OptimizeResult } from '../../lib/optimize/run';
import { runSpace, type SerHyperParameters } from '../../lib/optimize/space';
import { startRedis, type RedisServer } from '../helpers/redis';
import { spawnWorker } from '../helpers/worker-process';

// Evaluations are repeatable at a fixed thread count; local mode and the queue workers both use one thread.
process.env.SER_NATIVE_THREADS = '1';

import { checkDist, cli, root } from '../helpers/dist';
import { demo, fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-distributed-'));
const dataRoot = path.join(tmp, 'data');
const demoDir = path.join(dataRoot, 'demo');
const otherRoot = path.join(tmp, 'other'); // the same corpus less one file: another data digest
const fixedFile = path.join(tmp, 'fixed.json');
// 4 + 8 evaluations of SFS-WOA: the run both modes must agree on. 8 epochs, so that fitness differs between
// candidates (after 1-3 epochs every one still predicts a single class).
const run: OptimizeOptions = { ravdess: demoDir, fixed, population: 4, iterations: 2, epochsPerEval: 8, finalEpochs: 1, device: 'cpu', seed: 3 };
const runArgs = ['--ravdess', demoDir, '--config', fixedFile, '--population', '4', '--iterations', '2', '--epochs-per-eval', '8', '--final-epochs', '1', '--device', 'cpu', '--seed', '3'];
/** Candidates of a run that need training: SFS-WOA may ask for a configuration again (its result is reused). */
const distinct = (records: EvaluationRecord[]) => new Set(records.map((r) => JSON.stringify(r.config))).size;

const journal = (out: string): EvaluationRecord[] =>
  fs.readFileSync(path.join(out, 'evaluations.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EvaluationRecord);
const outcome = (records: EvaluationRecord[]) => [...records].sort((a, b) => a.index - b.index).map((r) => ({ index: r.index, iteration: r.iteration, config: r.config, fitness: r.fitness, status: r.status }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WorkerProcess {
  child: ChildProcess;
  events: WorkerEvent[];
  name: string;
  stderr: () => string;
  waitFor<E extends WorkerEvent>(what: string, pred: (e: WorkerEvent) => e is E, timeoutMs?: number): Promise<E>;
  stop(): Promise<void>;
}

const started: WorkerProcess[] = [];
let redis: RedisServer;
let threads = 1;

/** `ser-native worker --json` in a child process, its events collected; resolves once it is ready. */
async function startWorkerProcess(url: string, o: { root?: string; onEvent?: (e: WorkerEvent, w: ChildProcess) => void } = {}): Promise<WorkerProcess> {
  const spawned = spawnWorker(['--queue', url, '--cpu-slots', '1', '--threads', String(threads), '--data-root', o.root ?? dataRoot, '--lock-seconds', '3', '--stalled-seconds', '1', '--refuse-seconds', '2'], o.onEvent);
  const { child, events, waitFor } = spawned;
  const exited = spawned.exit;
  const w: WorkerProcess = {
    child,
    events,
    name: '',
    stderr: spawned.stderr,
    waitFor,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  started.push(w);
  const ready = await waitFor('ready event', (e): e is Extract<WorkerEvent, { event: 'ready' }> => e.event === 'ready', 60000);
  w.name = ready.worker;
  return w;
}

const completedIds = (workers: WorkerProcess[]): string[] =>
  workers.flatMap((w) => w.events.flatMap((e) => (e.event === 'completed' ? [e.id] : [])));

/** The workers' stdout may trail the coordinator, which reads results from Redis: wait (bounded) for n events. */
async function completedOn(workers: WorkerProcess[], n: number): Promise<string[]> {
  for (let i = 0; i < 100 && completedIds(workers).length < n; i++) await sleep(50);
  return completedIds(workers);
}

let reference: OptimizeResult;
const refOut = path.join(tmp, 'local');

beforeAll(async () => {
  checkDist();
  ensureDemoCorpus(demoDir, demo);
  fs.cpSync(demoDir, path.join(otherRoot, 'demo'), { recursive: true });
  const actor = path.join(otherRoot, 'demo', 'Actor_01');
  fs.rmSync(path.join(actor, fs.readdirSync(actor).filter((f) => f.endsWith('.wav')).sort()[0]));
  fs.writeFileSync(fixedFile, JSON.stringify(fixed));
  redis = await startRedis();
  reference = await optimize({ ...run, workers: 2, out: refOut });
  threads = reference.workers.threads;
  // Guards the test itself: equal results would be meaningless if every candidate scored the same.
  expect(new Set(journal(refOut).map((r) => r.fitness)).size).toBeGreaterThan(1);
}, 150000);

afterAll(async () => {
  await Promise.all(started.map((w) => w.stop()));
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}, 60000);

describe('addresses, data paths and job identity', () => {
  test('queue addresses and study names are checked; data paths travel relative to the data root', () => {
    expect(parseQueueUrl('redis://:secret@10.1.2.3:6380/4')).toMatchObject({ display: 'redis://10.1.2.3:6380/4', db: 4 });
    expect(() => parseQueueUrl('http://x:1')).toThrow(/a redis:\/\/ or rediss:\/\/ address for queue but received 'http:\/\/x:1'/);
    expect(() => parseQueueUrl('redis://x:1/db')).toThrow(/database number/);
    expect(() => checkStudyName('a:b')).toThrow(/Expected a valid name .* for queue\.study but received 'a:b'/);
    const rel = relativeData({ ravdess: [demoDir], split: 'default' }, dataRoot);
    expect(rel).toEqual({ ravdess: ['demo'], split: 'default' });
    expect(absoluteData(rel, '/elsewhere')).toEqual({ ravdess: ['/elsewhere/demo'], split: 'default' });
    expect(() => relativeData({ ravdess: [demoDir] }, otherRoot)).toThrow(/--ravdess .* is not under the data root .*--data-root/);
    expect(() => absoluteData({ ravdess: ['../up'] }, dataRoot)).toThrow(/not relative to the data root/);
  });

  test('the evaluation hash depends on what decides the result, not on where it sits in the study', () => {
    const v = { package: '1.0.0', libtorch: '2.0.0' };
    const j: EvaluationJob = { index: 0, iteration: 0, config: decode(runSpace(fixed), Object.keys(runSpace(fixed)).map(() => 0.5)) as unknown as SerHyperParameters, data: { ravdess: ['a'] }, fixed, seed: 3, epochsPerEval: 1, device: 'cpu' };
    const h = evaluationHash(j, 'd', v);
    expect(evaluationHash({ ...j, index: 7, iteration: 2, data: { ravdess: ['b'] } }, 'd', v)).toBe(h);
    expect(evaluationHash(j, 'other data', v)).not.toBe(h);
    expect(evaluationHash(j, 'd', { ...v, libtorch: '2.0.1' })).not.toBe(h);
    expect(evaluationHash({ ...j, seed: 4 }, 'd', v)).not.toBe(h);
    expect(evaluationHash({ ...j, config: { ...j.config, lr: j.config.lr * 2 } }, 'd', v)).not.toBe(h);
    expect(jobIdOf('s1', 'search', { ...j, iteration: 1, index: 5 }, h)).toBe(`s1/search/1/5/${h.slice(0, 16)}`);
    // A rung's epochs and the folds decide the result too.
    expect(evaluationHash({ ...j, epochsPerEval: 2 }, 'd', v)).not.toBe(h);
    expect(evaluationHash({ ...j, splits: ['speakers:/ravdess:01', 'speakers:/ravdess:02'] }, 'd', v)).not.toBe(h);
  });
});

describe('multi-fidelity through the queue', () => {
  test('--rungs and --folds: the same evaluations, epochs and best as local mode', async () => {
    const url = redis.urlFor(7);
    const workers = [await startWorkerProcess(url), await startWorkerProcess(url)];
    const opts: OptimizeOptions = { ...run, algorithm: 'tpe', iterations: 1, epochsPerEval: 2, rungs: 2, eta: 2, folds: 2 };
    const local = await optimize({ ...opts, workers: 2, out: path.join(tmp, 'rungs-local') });
    const queued = await optimize({ ...opts, out: path.join(tmp, 'rungs-queue'), queue: { url, study: 'rungs', dataRoot, pollSeconds: 0.2 } });
    const records = journal(path.join(tmp, 'rungs-queue'));
    expect(outcome(records)).toEqual(outcome(journal(path.join(tmp, 'rungs-local'))));
    expect([...records].sort((a, b) => a.index - b.index).map((x) => x.epochs)).toEqual([1, 1, 1, 1, 2, 2]);
    expect(records.every((x) => x.metrics?.foldUars?.length === 2)).toBe(true);
    expect(queued.epochs).toBe(local.epochs);
    expect(queued.best).toMatchObject({ index: local.best.index, fitness: local.best.fitness });
    await Promise.all(workers.map((w) => w.stop()));
  }, 200000);
});

describe('one study, two workers', () => {
  test('gives the same evaluations and best result as local mode with the same seed; a known result is reused, not retrained', async () => {
    const url = redis.urlFor(1);
    const workers = [await startWorkerProcess(url), await startWorkerProcess(url)];
    const out = path.join(tmp, 'queue');
    const r = await optimize({ ...run, out, queue: { url, study: 'same', dataRoot, pollSeconds: 0.2 } });
    expect(outcome(journal(out))).toEqual(outcome(journal(refOut)));
    expect(r.best).toMatchObject({ index: reference.best.index, config: reference.best.config, fitness: reference.best.fitness });
    expect(r.evaluations).toBe(12);
    // Both workers took jobs; each distinct candidate was trained once, a repeated one was answered from its result.
    const records = journal(out);
    const n = distinct(records);
    expect(new Set(records.filter((x) => !String(x.worker).endsWith('(reused)')).map((x) => String(x.worker).split('/')[0]))).toEqual(new Set(workers.map((w) => w.name)));
    expect(records.filter((x) => String(x.worker).endsWith('(reused)'))).toHaveLength(12 - n);
    const done = await completedOn(workers, n);
    expect(done).toHaveLength(n);
    expect(new Set(done).size).toBe(n);
    expect(r.queue).toMatchObject({ study: 'same', added: n, reused: 12 - n, found: 0 });
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/2 queue worker slot\(s\), redis:\/\/127\.0\.0\.1:\d+\/1, study same/);

    // Another study with the same settings: every evaluation has a stored result, so nothing is queued or trained.
    const again = await optimize({ ...run, out: path.join(tmp, 'queue-again'), queue: { url, study: 'same-again', dataRoot, pollSeconds: 0.2 } });
    expect(again.queue).toMatchObject({ added: 0, reused: 12 });
    expect(outcome(journal(path.join(tmp, 'queue-again')))).toEqual(outcome(journal(refOut)));
    expect(completedIds(workers)).toHaveLength(n);
    // The same study name with other settings would mix two searches.
    await expect(optimize({ ...run, seed: 4, out: path.join(tmp, 'queue-other'), queue: { url, study: 'same', dataRoot } })).rejects.toThrow(/study same already exists .* other settings \(seed\)/);
    await Promise.all(workers.map((w) => w.stop()));
  }, 150000);
});

describe('jobs', () => {
  const job = (index: number, over: Partial<EvaluationJob['config']> = {}): EvaluationJob => ({
    index,
    iteration: 0,
    config: { ...(decode(runSpace(fixed), Object.keys(runSpace(fixed)).map((_, j) => ((j * 7 + index) % 10) / 10 + 0.05)) as unknown as SerHyperParameters), ...over },
    data: { ravdess: [demoDir], split: 'default' },
    fixed,
    seed: 3,
    epochsPerEval: 1,
    device: 'cpu',
  });
  const versions = () => ({ package: info().version, libtorch: info().libtorch.version });
  const open = async (url: string, study: string, extra: Partial<Parameters<typeof QueueCoordinator.open>[0]> = {}) =>
    QueueCoordinator.open({ queue: url, study, dataRoot, dataDigest: (await dataDigest({ ravdess: [demoDir] }, dataRoot)).digest, versions: versions(), pollSeconds: 0.2, ...extra });

  test('a job added twice runs once; a config that always fails fails at once, without retries', async () => {
    const url = redis.urlFor(2);
    const worker = await startWorkerProcess(url);
    const c = await open(url, 'jobs');
    const queue = new Queue(QUEUE_NAME, { connection: { url, maxRetriesPerRequest: null }, prefix: PREFIX });
    try {
      const [a, b] = await Promise.all([c.evaluate(job(0), 'search'), c.evaluate(job(0), 'search')]);
      expect(b).toEqual(a);
      // Added again later (a restarted coordinator): collected from the finished job.
      const again = await c.evaluate(job(0), 'search');
      expect(again.result).toEqual(a.result);
      expect(c.stats).toMatchObject({ added: 1, found: 1 });
      const id = jobIdOf('jobs', 'search', job(0), evaluationHash(job(0), (await dataDigest({ ravdess: [demoDir] }, dataRoot)).digest, versions()));
      expect(worker.events.filter((e) => e.event === 'started').map((e) => (e as { id: string }).id)).toEqual([id]);
      expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed')).toEqual({ completed: 1, failed: 0, waiting: 0, active: 0, delayed: 0 });

      const bad = await c.evaluate(job(1, { lr: 0.5 }), 'search').catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(EvaluationFailure);
      expect((bad as Error).message).toMatch(/config\.lr/);
      const failedJob = (await queue.getJobs(['failed']))[0] as Job;
      expect(failedJob.opts.attempts).toBe(3);
      expect(failedJob.attemptsMade).toBe(1);
      expect(worker.events.filter((e) => e.event === 'failed')).toEqual([expect.objectContaining({ index: 1, retry: false, error: expect.stringMatching(/config\.lr/) })]);
    } finally {
      await queue.close();
      await c.close();
      await worker.stop();
    }
  }, 90000);

  test('an iteration deadline fails evaluations nobody takes, and removes their jobs', async () => {
    const url = redis.urlFor(3);
    const c = await open(url, 'deadline', { iterationTimeoutSeconds: 1 });
    const queue = new Queue(QUEUE_NAME, { connection: { url, maxRetriesPerRequest: null }, prefix: PREFIX });
    try {
      const t0 = Date.now();
      await expect(c.evaluate(job(2), 'search')).rejects.toThrow(/no result for evaluation 2 within the iteration deadline of 1 s .*waiting; no worker took it/);
      expect(Date.now() - t0).toBeLessThan(10000);
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    } finally {
      await queue.close();
      await c.close();
    }
  }, 30000);

  test('a worker whose data differs refuses the job with a clear error; a worker with the data then runs it', async () => {
    const url = redis.urlFor(4);
    const bad = await startWorkerProcess(url, { root: otherRoot });
    const notes: string[] = [];
    const c = await open(url, 'refuse', { iterationTimeoutSeconds: 90, onNote: (m) => notes.push(m) });
    try {
      const pending = c.evaluate(job(3), 'search');
      const refused = await bad.waitFor('refusal', (e): e is Extract<WorkerEvent, { event: 'refused' }> => e.event === 'refused', 30000);
      expect(refused.error).toMatch(new RegExp(`^data digest mismatch: worker ${bad.name} indexes 71 items under --data-root ${otherRoot} with digest [0-9a-f]{12}, study refuse has digest [0-9a-f]{12}; give this worker the same data`));
      const good = await startWorkerProcess(url);
      const r = await pending;
      expect(r.worker).toBe(`${good.name}/cpu0`);
      expect(notes.some((n) => n.includes('refused by a worker: data digest mismatch'))).toBe(true);
      expect(bad.events.some((e) => e.event === 'started')).toBe(false);
      await good.stop();
    } finally {
      await c.close();
      await bad.stop();
    }
  }, 90000);
});

describe('failures during a study', () => {
  test('kill -9 of a worker, and of another worker\'s evaluation process, mid-evaluation: the study completes, each evaluation counted once', async () => {
    const url = redis.urlFor(5);
    const kills: { what: string; id: string }[] = [];
    // Worker A dies with its first job; worker B loses the evaluation process of its first job.
    const a = await startWorkerProcess(url, {
      onEvent: (e, child) => {
        if (e.event === 'started' && kills.every((k) => k.what !== 'worker')) {
          kills.push({ what: 'worker', id: e.id });
          child.kill('SIGKILL');
        }
      },
    });
    const b = await startWorkerProcess(url, {
      onEvent: (e) => {
        if (e.event === 'started' && kills.every((k) => k.what !== 'process')) {
          kills.push({ what: 'process', id: e.id });
          process.kill(e.pid, 'SIGKILL');
        }
      },
    });
    const out = path.join(tmp, 'kills');
    const r = await optimize({ ...run, iterations: 1, epochsPerEval: 2, out, queue: { url, study: 'kills', dataRoot, pollSeconds: 0.2, backoffSeconds: 0.5 } });
    expect(kills.map((k) => k.what).sort()).toEqual(['process', 'worker']);
    const records = journal(out);
    expect(records.map((x) => x.index).sort()).toEqual([0, 1, 2, 3]);
    expect(records.every((x) => x.status === 'ok')).toBe(true);
    expect(r.failed).toBe(0);
    // Worker A never finished anything; B finished every job exactly once, the two killed ones included.
    expect(completedIds([a])).toEqual([]);
    const done = await completedOn([b], 4);
    expect(done.sort()).toEqual([...new Set(done)].sort());
    expect(done).toHaveLength(4);
    for (const k of kills) expect(done).toContain(k.id);
    const retried = b.events.filter((e) => e.event === 'failed');
    expect(retried).toEqual([expect.objectContaining({ retry: true, error: expect.stringMatching(/killed by SIGKILL/) })]);
    await b.stop();
  }, 120000);

  test('SIGKILL of the coordinator mid-iteration, then the same command again: the same study, no evaluation run twice', async () => {
    const url = redis.urlFor(6);
    const workers = [await startWorkerProcess(url), await startWorkerProcess(url)];
    const out = path.join(tmp, 'restart');
    const args = [cli, 'optimize', ...runArgs, '--queue', url, '--study', 'restart', '--data-root', dataRoot, '--out', out, '--json'];
    const first = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    first.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<void>((resolve) => first.once('exit', () => resolve()));
    const file = path.join(out, 'evaluations.jsonl');
    const end = Date.now() + 90000;
    for (;;) {
      if (first.exitCode !== null) throw new Error(`the coordinator ended before it could be killed:\n${stderr}`);
      if (Date.now() > end) throw new Error(`the coordinator wrote fewer than 6 evaluations in 90 s:\n${stderr}`);
      const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
      if (lines >= 6) break; // inside iteration 1 (evaluations 4..11)
      await sleep(25);
    }
    first.kill('SIGKILL');
    await exited;
    expect(JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8')).search.evaluations).toBe(4);

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
    // The jobs left by the killed coordinator were collected, not added again; none ran twice.
    const n = distinct(journal(out));
    const done = await completedOn(workers, n);
    expect(done).toHaveLength(n);
    expect(new Set(done).size).toBe(n);
    expect(r.queue?.added).toBe(0);
    await Promise.all(workers.map((w) => w.stop()));
  }, 150000);
});
