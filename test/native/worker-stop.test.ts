// `ser-native worker` stops when asked (SIGTERM/SIGINT), in bounded time, even when its Redis server went away:
// idle with Redis gone, or frozen; with an evaluation running, Redis up (the job goes back to the queue, no
// attempt used); with an evaluation running and Redis gone. Each case has its own redis-server (loopback, started here).
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Queue } from 'bullmq';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { decode } from '../../lib/hpo/space';
import { info } from '../../lib/info';
import type { EvaluationJob } from '../../lib/optimize/objective';
import { dataDigest, relativeData } from '../../lib/train/queue/data';
import { evaluationHash, jobIdOf, type QueueJobData } from '../../lib/optimize/evaluators/queue/job';
import { connectionOf, parseQueueUrl, PREFIX, QUEUE_NAME } from '../../lib/queue/settings';
import type { WorkerEvent } from '../../lib/optimize/evaluators/queue/worker';
import { runSpace, type SerHyperParameters } from '../../lib/optimize/space';
import { checkDist } from '../helpers/dist';
import { startRedis, type RedisServer } from '../helpers/redis';
import { spawnWorker, type SpawnedWorker } from '../helpers/worker-process';
import { demo, fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-worker-stop-'));
const dataRoot = path.join(tmp, 'data');
const demoDir = path.join(dataRoot, 'demo');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
const servers: RedisServer[] = [];

type Worker = SpawnedWorker;

function startWorker(url: string): Worker {
  const w = spawnWorker(['--queue', url, '--cpu-slots', '1', '--threads', '1', '--data-root', dataRoot, '--lock-seconds', '5', '--stalled-seconds', '1']);
  children.push(w.child);
  return w;
}

/**
 * Adds one evaluation job as `optimize --queue` would, long enough to be running when the worker is stopped: many
 * epochs and no early stopping (with the default patience it ended within the 5 s grace on an idle machine).
 */
async function addLongJob(url: string): Promise<{ queue: Queue; id: string }> {
  const i = info();
  const versions = { package: i.version, libtorch: i.libtorch.version };
  const data = relativeData({ ravdess: [demoDir] }, dataRoot);
  const digest = await dataDigest({ ravdess: [demoDir] }, dataRoot);
  const job: EvaluationJob = { index: 0, iteration: 0, config: decode(runSpace(fixed), Object.keys(runSpace(fixed)).map(() => 0.5)) as unknown as SerHyperParameters, data, fixed: { ...fixed, patience: 0 }, seed: 1, epochsPerEval: 500, device: 'cpu' };
  const hash = evaluationHash(job, digest.digest, versions);
  const body: QueueJobData = { kind: 'ser-native/evaluation', version: 1, study: 'stop', search: 'search', hash, dataDigest: digest.digest, versions, timeoutSeconds: 600, job };
  const queue = new Queue(QUEUE_NAME, { connection: connectionOf(parseQueueUrl(url)), prefix: PREFIX });
  const id = jobIdOf('stop', 'search', job, hash);
  await queue.add('evaluate', body, { jobId: id, attempts: 3, removeOnComplete: false, removeOnFail: false });
  return { queue, id };
}

async function redisServer(): Promise<RedisServer> {
  const r = await startRedis();
  servers.push(r);
  return r;
}

beforeAll(() => {
  checkDist();
  ensureDemoCorpus(demoDir, demo);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
}, 30000);

test('an idle worker whose Redis went away exits within 10 s of SIGTERM', async () => {
  const redis = await redisServer();
  const w = startWorker(redis.url);
  await w.waitFor('ready event', (e) => e.event === 'ready');
  await redis.stop();
  await sleep(1000); // the client is now reconnecting
  const t0 = Date.now();
  w.child.kill('SIGTERM');
  const r = await w.exit;
  expect(r.at - t0).toBeLessThan(10000);
  expect(r).toMatchObject({ code: 0, signal: null });
  expect(w.events.map((e) => e.event)).toContain('closed');
}, 60000);

test('an idle worker whose Redis stopped answering (frozen, connections open) exits within 10 s of SIGTERM', async () => {
  const redis = await redisServer();
  const w = startWorker(redis.url);
  await w.waitFor('ready event', (e) => e.event === 'ready');
  process.kill(redis.pid, 'SIGSTOP');
  await sleep(500);
  const t0 = Date.now();
  w.child.kill('SIGTERM');
  const r = await w.exit;
  expect(r.at - t0).toBeLessThan(10000);
  expect(r).toMatchObject({ code: 0, signal: null });
}, 60000);

test('SIGTERM during an evaluation hands the job back to the queue (no attempt used) and exits', async () => {
  const redis = await redisServer();
  const { queue, id } = await addLongJob(redis.url);
  try {
    const w = startWorker(redis.url);
    await w.waitFor('started event', (e) => e.event === 'started');
    const t0 = Date.now();
    w.child.kill('SIGTERM');
    const r = await w.exit;
    expect(r.at - t0).toBeLessThan(15000); // the default --stop-seconds 5, then the hand-back
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(w.events.filter((e) => e.event === 'handed-back')).toEqual([expect.objectContaining({ id, queued: true })]);
    const job = await queue.getJob(id);
    expect(await job!.getState()).toBe('waiting');
    expect(job!.attemptsMade).toBe(0);
  } finally {
    await queue.close();
  }
}, 90000);

test('SIGTERM during an evaluation after Redis went away: the worker exits within 10 s', async () => {
  const redis = await redisServer();
  const { queue } = await addLongJob(redis.url);
  await queue.close();
  const w = startWorker(redis.url);
  await w.waitFor('started event', (e) => e.event === 'started');
  const pid = (w.events.find((e) => e.event === 'started') as Extract<WorkerEvent, { event: 'started' }>).pid;
  await redis.stop();
  await sleep(1000);
  const t0 = Date.now();
  w.child.kill('SIGTERM');
  const r = await w.exit;
  expect(r.at - t0).toBeLessThan(10000);
  expect(r.signal).toBeNull();
  expect(w.events.filter((e) => e.event === 'handed-back')).toEqual([expect.objectContaining({ queued: false })]);
  // The evaluation's process is gone with it.
  expect(() => process.kill(pid, 0)).toThrow();
}, 90000);
