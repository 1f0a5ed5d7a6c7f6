// Byte-identical recordings, found by sha1. Only files whose sizes collide are hashed (a file with a
// unique size cannot have a twin), which keeps indexing a large corpus quick.
import { createHash } from 'crypto';
import { createReadStream } from 'fs';
import { byCodePoint } from './order';
import type { DuplicateGroup } from './types';

/** How many files are hashed at once: enough to overlap I/O, few enough for a 2-core machine. */
const CONCURRENCY = 4;

export async function findDuplicates(files: readonly { path: string; size: number }[]): Promise<DuplicateGroup[]> {
  const bySize = new Map<number, string[]>();
  for (const f of files) {
    const list = bySize.get(f.size);
    if (list) list.push(f.path);
    else bySize.set(f.size, [f.path]);
  }
  const toHash = [...bySize.values()].filter((l) => l.length > 1).flat();
  const hashes = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toHash.length) {
      const p = toHash[next++];
      hashes.set(p, await sha1File(p));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, toHash.length) }, worker));

  const byHash = new Map<string, string[]>();
  for (const p of toHash) {
    const h = hashes.get(p)!;
    const list = byHash.get(h);
    if (list) list.push(p);
    else byHash.set(h, [p]);
  }
  return [...byHash.entries()]
    .filter(([, paths]) => paths.length > 1)
    .map(([hash, paths]) => ({ hash, paths: [...paths].sort(byCodePoint) }))
    .sort((a, b) => byCodePoint(a.paths[0], b.paths[0]));
}

export function sha1File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha1');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => resolve(h.digest('hex')));
  });
}
