// lib/lock.ts: one run per output folder, live owners named, stale locks taken over.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireRunLock, LOCK_FILE, withRunLock } from '../../lib/lock';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-lock-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeLock(dir: string, pid: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid, host: os.hostname(), command: 'train', startedAt: '2026-01-01T00:00:00.000Z' }));
}

test('a second run on a held folder fails with ERR_LOCKED; release frees it', () => {
  const dir = path.join(tmp, 'a');
  const lock = acquireRunLock(dir, 'train');
  expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'train' });
  expect(() => acquireRunLock(dir, 'optimize')).toThrow(expect.objectContaining({ code: 'ERR_LOCKED', message: expect.stringContaining(`in use by another ser-native train (pid ${process.pid}`) }));
  lock.release();
  expect(fs.existsSync(lock.file)).toBe(false);
  acquireRunLock(dir, 'optimize').release();
});

test('a lock held by another live process names its PID', () => {
  const dir = path.join(tmp, 'b');
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    writeLock(dir, other.pid!);
    expect(() => acquireRunLock(dir, 'train')).toThrow(expect.objectContaining({ code: 'ERR_LOCKED', message: expect.stringContaining(`(pid ${other.pid}, since 2026-01-01T00:00:00.000Z)`) }));
  } finally {
    other.kill('SIGKILL');
  }
});

test('a stale lock (its process is gone) is taken over with a warning', () => {
  const dir = path.join(tmp, 'c');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeLock(dir, Number(dead.stdout));
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const lock = acquireRunLock(dir, 'train');
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${path.resolve(dir)}: taking over the lock of ser-native train (pid ${dead.stdout}`), { code: 'SER_NATIVE_STALE_LOCK' });
  } finally {
    warn.mockRestore();
  }
});

test('withRunLock releases when the run fails, and leaves no empty folder behind', async () => {
  const dir = path.join(tmp, 'd');
  const run = withRunLock('train', (o?: { out: string }) => o!.out, async () => {
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    throw new Error('bad option');
  });
  await expect(run({ out: dir })).rejects.toThrow('bad option');
  expect(fs.existsSync(dir)).toBe(false);
});
