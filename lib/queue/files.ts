// A run folder across machines: a queue worker trains into a folder of its own, stores every file of it in one
// Redis hash (relative path → bytes; settings.ts filesKey), and returns the list with sizes and sha256; the
// coordinator reads the hash, checks each file against the list, writes the files where its own run would have
// written them, and deletes the hash. A model bundle is a few MB, so one hash per run is enough.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import { LOCK_FILE } from '../lock';

/** One file of a shipped run folder. */
export interface ShippedFile {
  /** Relative to the run folder, POSIX separators (e.g. model/weights.bin). */
  path: string;
  bytes: number;
  sha256: string;
}

/** The few Redis commands used here (an ioredis client). */
export interface FilesClient {
  hgetallBuffer(key: string): Promise<Record<string, Buffer>>;
  del(key: string): Promise<number>;
  multi(): { del(key: string): unknown; hset(key: string, values: Record<string, Buffer>): unknown; expire(key: string, seconds: number): unknown; exec(): Promise<unknown> };
}

/** Redis strings stop at 512 MB; a run folder is a few MB (more would be a mistake worth an error). */
export const MAX_SHIPPED_BYTES = 256 * 1024 * 1024;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every regular file under `dir` (not the run lock, not half-written temporary files), with its bytes. */
export function readRunFolder(dir: string): { files: ShippedFile[]; contents: Record<string, Buffer> } {
  const files: ShippedFile[] = [];
  const contents: Record<string, Buffer> = {};
  let total = 0;
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && e.name !== LOCK_FILE && !/\.tmp-\d+$/.test(e.name)) {
        const b = fs.readFileSync(path.join(dir, ...r.split('/')));
        total += b.length;
        if (total > MAX_SHIPPED_BYTES) throw new SerNativeError('ERR_LIMIT', `the run folder ${dir} holds more than ${MAX_SHIPPED_BYTES >> 20} MB, too much to send back through Redis`);
        files.push({ path: r, bytes: b.length, sha256: sha256(b) });
        contents[r] = b;
      }
    }
  };
  walk('');
  return { files, contents };
}

/** Stores the files in one hash under `key` (replacing any), expiring after `ttlSeconds`. */
export async function storeFiles(client: FilesClient, key: string, contents: Record<string, Buffer>, ttlSeconds: number): Promise<void> {
  const m = client.multi();
  m.del(key);
  if (Object.keys(contents).length > 0) m.hset(key, contents);
  m.expire(key, ttlSeconds);
  await m.exec();
}

/**
 * Reads the hash under `key`, checks every listed file (present, size, sha256), writes them under `dir`, then
 * deletes the hash. ERR_DATA when a file is missing or damaged (e.g. the hash expired).
 */
export async function fetchFiles(client: FilesClient, key: string, files: ShippedFile[], dir: string, what: string): Promise<void> {
  const stored = await client.hgetallBuffer(key);
  for (const f of files) {
    const b = stored[f.path];
    if (!b) throw new SerNativeError('ERR_DATA', `${what}: ${f.path} is not in Redis under ${key} (its files expire after a day, or were deleted)`);
    if (b.length !== f.bytes || sha256(b) !== f.sha256) throw new SerNativeError('ERR_DATA', `${what}: ${f.path} arrived damaged (${b.length} bytes, expected ${f.bytes} with sha256 ${f.sha256.slice(0, 12)})`);
    if (f.path.split('/').some((p) => p === '..' || p === '' || p === '.') || path.isAbsolute(f.path)) throw new SerNativeError('ERR_DATA', `${what}: the file name ${JSON.stringify(f.path)} is not relative to the run folder`);
  }
  for (const f of files) {
    const file = path.join(dir, ...f.path.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stored[f.path]);
  }
  await client.del(key);
}
