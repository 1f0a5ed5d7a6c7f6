// train --folds K --queue on a real redis-server (loopback, started by the test) with real `ser-native worker`
// processes training the tiny recipe on a demo corpus laid out as RAVDESS: a 2-fold + 1-member ensemble trained
// by two workers equals the in-process run bit for bit (fold and member weights, the ensemble, out-of-fold
// figures); a worker whose data differs refuses the jobs, and Ctrl-C on the coordinator removes its waiting
// jobs; an unreachable Redis fails at once with ERR_IO naming --queue. Skipped, saying why, without redis-server.
process.env.SER_NATIVE_THREADS = '1'; // trainings repeat bit for bit at a given thread count: one everywhere

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Queue } from 'bullmq';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { trainFolds, type FoldsOptions, type FoldsResult } from '../../lib/train/folds';
import { PREFIX, QUEUE_NAME } from '../../lib/queue/settings';
import type { WorkerEvent } from '../../lib/optimize/evaluators/queue/worker';
import { checkDist, cli } from '../helpers/dist';
import { startRedis, type RedisServer } from '../helpers/redis';
import { demo, fixed } from '../helpers/tiny-recipe';
import { spawnWorker, type SpawnedWorker } from '../helpers/worker-process';

const haveRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveRedis) {
  // eslint-disable-next-line no-console
  console.warn('test/native/train-queue.test.ts skipped: redis-server is not on PATH (Debian: apt-get install redis-server; .ci/run installs it)');
}
const suite = haveRedis ? describe : describe.skip;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-train-queue-'));
const dataRoot = path.join(tmp, 'data');
const demoDir = path.join(dataRoot, 'demo');
const otherRoot = path.join(tmp, 'other'); // the same corpus less one file: another data digest
const run: FoldsOptions = { ravdess: demoDir, split: 'all', folds: 2, members: 1, epochs: 3, seed: 2, config: fixed, device: 'cpu' };
const started: SpawnedWorker[] = [];
let redis: RedisServer;

async function worker(url: string, root = dataRoot): Promise<SpawnedWorker & { name: string }> {
  const w = spawnWorker(['--queue', url, '--cpu-slots', '1', '--threads', '1', '--data-root', root, '--lock-seconds', '5', '--stalled-seconds', '2', '--refuse-seconds', '2']);
  started.push(w);
  const ready = await w.waitFor('ready event', (e): e is Extract<WorkerEvent, { event: 'ready' }> => e.event === 'ready', 60000);
  return Object.assign(w, { name: ready.worker });
}

async function stop(w: SpawnedWorker): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 20000);
  await w.exit;
  clearTimeout(timer);
}

type RedisKeys = { keys(pattern: string): Promise<string[]>; get(key: string): Promise<string | null> };
const bytes = (f: string) => fs.readFileSync(f);
/** The files of a run folder (not its lock), relative. */
const files = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile() && !f.endsWith('.lock')).sort();
const runFolders = ['folds/fold-1', 'folds/fold-2', 'members/member-1'];

suite('train --folds --queue', () => {
  let reference: FoldsResult;
  const refOut = path.join(tmp, 'local');

  beforeAll(async () => {
    checkDist();
    ensureDemoCorpus(demoDir, demo);
    fs.cpSync(demoDir, path.join(otherRoot, 'demo'), { recursive: true });
    const actor = path.join(otherRoot, 'demo', 'Actor_01');
    fs.rmSync(path.join(actor, fs.readdirSync(actor).filter((f) => f.endsWith('.wav')).sort()[0]));
    redis = await startRedis();
    reference = await trainFolds({ ...run, out: refOut });
  }, 300000);

  afterAll(async () => {
    await Promise.all(started.map(stop));
    await redis?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 60000);

  test('two workers train the folds and the member; every model and figure equals the in-process run bit for bit', async () => {
    const url = redis.urlFor(1);
    const workers = [await worker(url), await worker(url)];
    const out = path.join(tmp, 'queue');
    const notes: string[] = [];
    const r = await trainFolds({ ...run, out, queue: { url, dataRoot, pollSeconds: 0.2 }, onProgress: (p) => p.phase === 'data' && notes.push(`${p.member ? `member ${p.member}` : `fold ${p.fold}`}: ${p.message}`) });
    for (const f of runFolders) {
      expect(bytes(path.join(out, f, 'model', 'weights.bin')).equals(bytes(path.join(refOut, f, 'model', 'weights.bin')))).toBe(true);
      expect(files(path.join(out, f))).toEqual(files(path.join(refOut, f)));
    }
    expect(bytes(path.join(out, 'model', 'weights.bin')).equals(bytes(path.join(refOut, 'model', 'weights.bin')))).toBe(true);
    expect(r.folds).toEqual(reference.folds);
    expect(r.outOfFold).toEqual(reference.outOfFold);
    expect(r.calibration).toEqual(reference.calibration);
    expect(r.members).toEqual(reference.members);
    expect(r.summary).toEqual(reference.summary);
    // Both workers trained; the progress named where each training ran and what came back.
    const done = workers.map((w) => w.events.filter((e) => e.event === 'train-completed').length);
    expect(done.reduce((a, b) => a + b, 0)).toBe(3);
    expect(done.every((n) => n > 0)).toBe(true);
    expect(notes.filter((n) => /^fold \d: started on worker .+\/cpu0 \(pid \d+, attempt 1, 1 thread\)$/.test(n))).toHaveLength(2);
    expect(notes.some((n) => /^member 1: done on worker .+ in [\d.]+ s: 4 files .* written to /.test(n))).toBe(true);
    // Nothing is left in Redis: jobs removed once collected, files deleted, the heartbeat gone.
    const q = new Queue(QUEUE_NAME, { connection: { url }, prefix: PREFIX });
    try {
      const client = (await q.getBackend().client) as unknown as RedisKeys;
      expect(await client.keys(`${PREFIX}:files:*`)).toEqual([]);
      expect(await client.keys(`${PREFIX}:run:*`)).toEqual([]);
      expect(await q.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed')).toEqual({ completed: 0, failed: 0, waiting: 0, active: 0, delayed: 0 });
    } finally {
      await q.close();
    }
    await Promise.all(workers.map(stop));
  }, 300000);

  test('a training process that dies is retried; a worker stopped mid-training hands its job back; the run still equals the in-process one', async () => {
    const url = redis.urlFor(3);
    let killedChild = false;
    const a = spawnWorker(['--queue', url, '--cpu-slots', '1', '--threads', '1', '--data-root', dataRoot, '--lock-seconds', '5', '--stalled-seconds', '2'], (e) => {
      if (e.event === 'train-started' && !killedChild) {
        killedChild = true;
        process.kill(e.pid, 'SIGKILL'); // the training's process, as the OOM killer would
      }
    });
    let stopped = false;
    const b = spawnWorker(['--queue', url, '--cpu-slots', '1', '--threads', '1', '--data-root', dataRoot, '--stop-seconds', '0'], (e, child) => {
      if (e.event === 'train-started' && !stopped) {
        stopped = true;
        child.kill('SIGTERM');
      }
    });
    started.push(a, b);
    await Promise.all([a, b].map((w) => w.waitFor('ready event', (e) => e.event === 'ready', 60000)));
    const notes: string[] = [];
    const r = await trainFolds({ ...run, out: path.join(tmp, 'retried'), queue: { url, dataRoot, pollSeconds: 0.2, backoffSeconds: 0.5 }, onProgress: (p) => p.phase === 'data' && notes.push(p.message) });
    expect(r.outOfFold).toEqual(reference.outOfFold);
    expect(r.members).toEqual(reference.members);
    const failed = a.events.find((e) => e.event === 'train-failed');
    expect(failed).toMatchObject({ retry: true, error: expect.stringMatching(/was killed by SIGKILL .*during (fold|member) .* on worker /) });
    expect(b.events.find((e) => e.event === 'train-handed-back')).toMatchObject({ queued: true });
    expect((await b.exit).code).toBe(0);
    expect(notes.some((n) => /^started again on worker .* attempt 2/.test(n))).toBe(true);
    await stop(a);
  }, 300000);

  test('a worker whose data differs refuses the jobs with a clear error; Ctrl-C on the coordinator removes its waiting jobs', async () => {
    const url = redis.urlFor(2);
    const bad = await worker(url, otherRoot);
    const controller = new AbortController();
    const notes: string[] = [];
    const running = trainFolds({ ...run, members: 0, out: path.join(tmp, 'refused'), queue: { url, dataRoot, pollSeconds: 0.2 }, signal: controller.signal, onProgress: (p) => p.phase === 'data' && notes.push(p.message) });
    const refused = await bad.waitFor('refusal', (e): e is Extract<WorkerEvent, { event: 'train-refused' }> => e.event === 'train-refused', 60000);
    expect(refused.error).toMatch(new RegExp(`^data digest mismatch: worker ${bad.name} indexes \\d+ items under --data-root ${otherRoot} with digest [0-9a-f]{12}, run \\S+ has digest [0-9a-f]{12}; give this worker the same data`));
    expect(refused.label).toMatch(/^fold [12]\/2$/);
    for (let i = 0; i < 100 && !notes.some((n) => n.startsWith('refused by a worker: data digest mismatch')); i++) await new Promise((res) => setTimeout(res, 100));
    expect(notes.some((n) => n.startsWith('refused by a worker: data digest mismatch'))).toBe(true);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'ERR_CANCELLED', message: expect.stringMatching(/trainFolds stopped in fold 1 of 2/) });
    const q = new Queue(QUEUE_NAME, { connection: { url }, prefix: PREFIX });
    try {
      expect(await q.getJobCounts('waiting', 'active', 'delayed', 'completed')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0 });
      const client = (await q.getBackend().client) as unknown as RedisKeys;
      const runs = await client.keys(`${PREFIX}:run:*`);
      expect(runs).toHaveLength(1);
      expect(await client.get(runs[0])).toBe('cancelled');
    } finally {
      await q.close();
    }
    expect(bad.events.some((e) => e.event === 'train-started')).toBe(false);
    await stop(bad);
  }, 120000);

  test('an unreachable Redis fails at once: ERR_IO naming options.queue (the API) or --queue (the CLI)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const url = `redis://127.0.0.1:${port}`;
    const t0 = Date.now();
    await expect(trainFolds({ ...run, queue: { url, dataRoot } })).rejects.toMatchObject({ code: 'ERR_IO', message: expect.stringMatching(new RegExp(`^cannot reach Redis at ${url} \\(options\\.queue\\): .*ECONNREFUSED`)) });
    expect(Date.now() - t0).toBeLessThan(10000);
    const c = spawnSync(process.execPath, [cli, 'train', '--ravdess', demoDir, '--split', 'all', '--folds', '2', '--epochs', '1', '--queue', url, '--data-root', dataRoot, '--out', path.join(tmp, 'cli')], { encoding: 'utf8', env: { ...process.env, SER_NATIVE_THREADS: '1' }, timeout: 60000 });
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(new RegExp(`ser-native train: error \\[ERR_IO\\]: cannot reach Redis at ${url} \\(--queue\\): .*ECONNREFUSED`));
    // Flags that do not go together are usage errors before anything runs.
    const u = spawnSync(process.execPath, [cli, 'train', '--folds', '2', '--queue', url, '--workers', '2'], { encoding: 'utf8', timeout: 60000 });
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--workers and --queue do not go together/);
    await expect(trainFolds({ ...run, queue: 'http://x:1' })).rejects.toThrow(/a redis:\/\/ or rediss:\/\/ address for options\.queue but received 'http:\/\/x:1'/);
    await expect(trainFolds({ ...run, queue: url, workers: 2 })).rejects.toMatchObject({ code: 'ERR_ARGUMENT' });
    // Data folders travel relative to the data root (default: the current directory), which must hold them.
    await expect(trainFolds({ ...run, queue: url })).rejects.toThrow(/--ravdess .* is not under the data root .*--data-root/);
  }, 120000);
});
