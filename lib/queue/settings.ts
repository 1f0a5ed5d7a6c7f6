// Names, defaults and address parsing shared by the queue coordinators (optimize --queue, train --folds K --queue)
// and `ser-native worker`.
//
// Redis layout (all keys under the BullMQ prefix `ser-native`):
//   ser-native:evaluations:*   the BullMQ queue `evaluations`, one for every study and training run: optimize's
//                              evaluation jobs (ids STUDY/...) and trainFolds' training jobs (ids train/RUN/...)
//   ser-native:study:<NAME>    JSON of what defines a study (settings, data digest, versions): a coordinator
//                              started with the same --study must match it
//   ser-native:results         hash: evaluation hash → JSON { result, worker } of every successful evaluation,
//                              so an evaluation already done (same config, data and versions) is never retrained
//   ser-native:run:<RUN>       a training run's heartbeat, refreshed by its coordinator (expires when it is gone;
//                              'cancelled' after Ctrl-C): workers do not start, and stop, the trainings of a run
//                              whose coordinator stopped waiting
//   ser-native:files:<JOB ID>  hash: relative path → bytes of the run folder a worker trained (model bundle,
//                              history.jsonl, metrics.json, report.html), read and deleted by the coordinator;
//                              expires after filesTtlSeconds if nobody collects it
import { SerNativeError } from '../errors';
import * as is from '../is';

export const PREFIX = 'ser-native';
export const QUEUE_NAME = 'evaluations';
export const RESULTS_KEY = `${PREFIX}:results`;
export const studyKey = (study: string): string => `${PREFIX}:study:${study}`;
export const runKey = (run: string): string => `${PREFIX}:run:${run}`;
export const filesKey = (jobId: string): string => `${PREFIX}:files:${jobId}`;

/** The versions a job needs on its worker (results repeat only with the same code and LibTorch). */
export interface Versions {
  package: string;
  libtorch: string;
}

/** Documented in README "Distributed optimize"; every one can be changed by an option. */
export const QUEUE_DEFAULTS = {
  /** Runs of a job whose evaluation process died (killed, OOM killer): the first and two retries. */
  attempts: 3,
  /** First retry delay, doubled for the next one. */
  backoffSeconds: 10,
  /** A worker holds a job's lock this long and renews it every half of it; a dead worker's lock expires. */
  lockSeconds: 30,
  /** How often workers look for jobs whose lock expired (their worker died) and put them back in the queue. */
  stalledSeconds: 30,
  /** Times a job may be put back after its worker died before it fails for good. */
  maxStalledCount: 2,
  /** Wall-clock limit of one evaluation on a worker; its process is killed past it (no retry). */
  evalTimeoutSeconds: 2 * 3600,
  /** Limit of one iteration on the coordinator: evaluations without a result by then fail (penalty fitness). */
  iterationTimeoutSeconds: 6 * 3600,
  /** A worker that refuses a job (other data or versions) hides it this long, and pauses twice as long. */
  refuseSeconds: 30,
  /** The coordinator re-reads pending jobs this often (and at once on a queue event). */
  pollSeconds: 2,
  /** Bound on connecting to Redis at start, so a wrong --queue fails with a clear error instead of hanging. */
  connectSeconds: 15,
  /**
   * A stopping worker (SIGTERM, SIGINT) lets a running evaluation finish this long, then hands its job back to
   * the queue; none when Redis is unreachable (the result could not be stored).
   */
  stopSeconds: 5,
  /** Bound on each step of a stopping worker that needs Redis (handing a job back, closing the connections). */
  closeSeconds: 2,
  /** Wall-clock limit of one training (a fold or a member of train --queue) on a worker; its process is killed past it. */
  trainTimeoutSeconds: 24 * 3600,
  /** A training coordinator refreshes its run's heartbeat this often; it expires after 4 times as long. */
  heartbeatSeconds: 15,
  /** A worker stops a training whose run has had no heartbeat for this long (its coordinator is gone). */
  goneSeconds: 30,
  /** A finished training's files wait this long in Redis for their coordinator. */
  filesTtlSeconds: 24 * 3600,
};

export interface QueueAddress {
  /** As given, for the Redis client. */
  url: string;
  /** Without a password, for messages and result files. */
  display: string;
  db: number;
}

/** Checks a --queue address: redis://[user:password@]HOST:PORT[/DB] (or rediss:// for TLS); `name` names it in errors. */
export function parseQueueUrl(url: unknown, name = 'queue'): QueueAddress {
  const address = 'a redis://HOST:PORT[/DB] address';
  if (typeof url !== 'string' || url === '') throw is.invalidParameterError(name, address, url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw is.invalidParameterError(name, `${address} (a URL)`, url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw is.invalidParameterError(name, 'a redis:// or rediss:// address', url);
  if (!u.hostname) throw is.invalidParameterError(name, `${address} with a host`, url);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) throw is.invalidParameterError(name, `${address} whose path is a database number`, url);
  if (u.search || u.hash) throw is.invalidParameterError(name, `${address} without query or fragment`, url);
  const display = `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${dbText ? `/${dbText}` : ''}`;
  return { url, display, db: dbText === '' ? 0 : Number(dbText) };
}

/** Study names become part of Redis keys and job ids (which BullMQ forbids ':' in). */
export function checkStudyName(study: unknown, name = 'queue.study'): string {
  if (typeof study !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(study)) {
    throw is.invalidParameterError(name, "a valid name (1-64 letters, digits, '.', '_' or '-', starting with a letter or digit)", study);
  }
  return study;
}

/** BullMQ connection options: workers and queue events need maxRetriesPerRequest null (blocking commands). */
export function connectionOf(a: QueueAddress): { url: string; maxRetriesPerRequest: null } {
  return { url: a.url, maxRetriesPerRequest: null };
}

export function seconds(name: string, v: unknown): number {
  return is.number(name, v, { min: 0, exclusiveMin: true });
}

/** Rejects with `message` when `p` has not settled after `ms` (e.g. Redis unreachable: the client retries forever). */
export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new SerNativeError('ERR_IO', message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Connection errors that will not go away by waiting: an address nobody listens on, an unknown host, a wrong password. */
const HOPELESS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Waits until `ready` (a queue's, worker's or events' waitUntilReady()) settles, for at most connectSeconds; fails
 * at once with ERR_IO when one of `clients` reports a connection error that waiting will not cure (the Redis
 * clients otherwise retry for ever). `what` names the address in the message (e.g. "options.queue").
 */
export async function connectOrFail(ready: Promise<unknown>, clients: { on(event: 'error', f: (e: Error) => void): unknown; off(event: 'error', f: (e: Error) => void): unknown }[], address: QueueAddress, what: string): Promise<void> {
  const s = QUEUE_DEFAULTS.connectSeconds;
  let fail: (e: Error) => void = () => undefined;
  const hopeless = new Promise<never>((_, reject) => {
    fail = (e: Error) => {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (HOPELESS.has(code) || /NOAUTH|WRONGPASS|invalid password/i.test(e.message)) {
        reject(new SerNativeError('ERR_IO', `cannot reach Redis at ${address.display} (${what}): ${e.message}; is redis-server running there, and is the address right?`, { cause: e }));
      }
    };
  });
  hopeless.catch(() => undefined); // raced below; never left unhandled
  for (const c of clients) c.on('error', fail);
  try {
    await withTimeout(Promise.race([ready, hopeless]), 1000 * s, `cannot reach Redis at ${address.display} (${what}) within ${s} s: is redis-server running there, and is the address right?`);
  } finally {
    for (const c of clients) c.off('error', fail);
  }
}

/**
 * Closes queue clients (a Queue, QueueEvents or Worker) within `ms`, then drops their connections: with Redis
 * unreachable a client's close() waits for ever for its QUIT to be answered.
 */
export async function closeWithin(clients: { close(): Promise<void>; disconnect(): Promise<void> }[], ms = 1000 * QUEUE_DEFAULTS.closeSeconds): Promise<void> {
  const within = async (p: Promise<unknown>, limit: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limit)));
    try {
      return (await Promise.race([p, late])) !== 'late';
    } finally {
      clearTimeout(timer);
    }
  };
  if (await within(Promise.allSettled(clients.map((c) => c.close())), ms)) return;
  await within(Promise.allSettled(clients.map((c) => c.disconnect())), ms / 2);
}
