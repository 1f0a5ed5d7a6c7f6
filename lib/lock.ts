// One run per output folder: `train --out X` and `optimize --out X` hold X/.ser-native.lock (owner
// PID, host, start time) while they run, so a second run on the same folder fails at once with the
// owner's PID instead of interleaving history.jsonl or state.json. A lock left by a killed run (its
// PID is gone on this host) is taken over with a warning. Released when the run settles, and on exit.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SerNativeError } from './errors';

export const LOCK_FILE = '.ser-native.lock';

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/** Alive as far as this host can tell: signal 0 reaches it, or it exists under another user (EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8'));
    return o && Number.isInteger(o.pid) && typeof o.host === 'string' ? (o as LockOwner) : null;
  } catch {
    return null; // unreadable or half-written: treated as stale below
  }
}

/** The run's own processes (held locks): a second run in this process on the same folder is refused too. */
const held = new Set<string>();

/** Takes `dir`'s lock for `command`; throws ERR_LOCKED while a live run holds it. */
export function acquireRunLock(dir: string, command: string): RunLock {
  const root = path.resolve(dir);
  const created = !fs.existsSync(root);
  const file = path.join(root, LOCK_FILE);
  const unwritable = (e: unknown): SerNativeError => new SerNativeError('ERR_IO', `cannot write the output folder ${root}: ${(e as Error).message}`, { cause: e });
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (e) {
    throw unwritable(e);
  }
  const me: LockOwner = { pid: process.pid, host: os.hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx': created only if absent, atomically; the owner's record is written in the same call.
      fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(e);
      if (attempt > 0) throw new SerNativeError('ERR_LOCKED', `${root} was locked by another ser-native run at the same moment: wait for it to finish or choose another output folder`, { cause: e });
    }
    const owner = readOwner(file);
    const ours = owner !== null && owner.pid === process.pid && owner.host === me.host;
    if (owner && (ours ? held.has(file) : owner.host !== me.host || processAlive(owner.pid))) {
      const where = owner.host === me.host ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`;
      const remote = owner.host === me.host ? '' : ` (if that run is gone, delete ${file})`;
      throw new SerNativeError('ERR_LOCKED', `${root} is in use by another ser-native ${owner.command} (${where}, since ${owner.startedAt}): wait for it to finish or choose another output folder${remote}`);
    }
    process.emitWarning(
      owner ? `${root}: taking over the lock of ser-native ${owner.command} (pid ${owner.pid}, started ${owner.startedAt}), which is no longer running` : `${root}: replacing an unreadable lock file ${file}`,
      { code: 'SER_NATIVE_STALE_LOCK' },
    );
    fs.rmSync(file, { force: true });
  }
  held.add(file);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    held.delete(file);
    process.removeListener('exit', release);
    // Only our own record is removed (a run that took over a lock we thought stale keeps its lock).
    if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    if (created) {
      try {
        fs.rmdirSync(root); // only when empty: a run refused before writing anything leaves no folder behind
      } catch {
        /* not empty: the run's outputs stay */
      }
    }
  };
  process.on('exit', release);
  return { file, release };
}

/** `fn` holding the lock of its options' output folder (none when `out` resolves to null). */
export function withRunLock<O, R>(command: string, outOf: (options: O | undefined) => string | null, fn: (options?: O) => Promise<R>): (options?: O) => Promise<R> {
  return async (options?: O) => {
    const out = outOf(options);
    if (out === null) return fn(options);
    const lock = acquireRunLock(out, command);
    try {
      return await fn(options);
    } finally {
      lock.release();
    }
  };
}

/** The `out` option when it is a non-empty string (validation of anything else is left to the run). */
export function outOption(options: unknown, fallback: string | null = null): string | null {
  const out = options !== null && typeof options === 'object' ? (options as { out?: unknown }).out : undefined;
  return typeof out === 'string' && out !== '' ? out : out === undefined || out === null ? fallback : null;
}
