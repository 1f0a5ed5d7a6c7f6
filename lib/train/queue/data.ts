// Data across machines: a queue job (an optimize evaluation, a trainFolds training) names its data folders relative
// to the coordinator's data root, each worker maps them onto its own --data-root, and both sides compute a digest
// of what they indexed (relative paths, labels, speakers and file sizes) so a worker whose copy of the data
// differs refuses the job.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../../errors';
import * as is from '../../is';
import { resolveData, type DataOptions } from '../data';

const PATH_KEYS = ['ravdess', 'savee', 'data'] as const;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const posix = (p: string): string => p.split(path.sep).join('/');

function relativeTo(root: string, p: string, what: string): string {
  const rel = path.relative(root, path.resolve(p));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw is.invalidArgument(`${what} ${p} is not under the data root ${root}: queue jobs name data folders relative to the data root so that workers can map them to theirs (set --data-root to a folder that holds all the data)`);
  }
  return posix(rel) || '.';
}

/** The data options (and any other options with them) with every folder made relative to `root` (POSIX separators), for queue jobs. */
export function relativeData<T extends DataOptions>(data: T, root: string): T {
  const r = path.resolve(root);
  const out: T = { ...data };
  for (const k of PATH_KEYS) if (data[k] !== undefined) out[k] = list(data[k]).map((p) => relativeTo(r, p, `--${k}`));
  if (data.demoDir !== undefined) out.demoDir = relativeTo(r, data.demoDir, 'the demo corpus folder');
  return out;
}

/** The inverse on a worker: relative folders resolved against its own data root. */
export function absoluteData<T extends DataOptions>(data: T, root: string): T {
  const r = path.resolve(root);
  const out: T = { ...data };
  const resolve = (p: string): string => {
    if (path.isAbsolute(p) || p.split('/').includes('..')) throw new SerNativeError('ERR_DATA', `data path ${JSON.stringify(p)} of the job is not relative to the data root`);
    return path.resolve(r, ...p.split('/'));
  };
  for (const k of PATH_KEYS) if (data[k] !== undefined) out[k] = list(data[k]).map(resolve);
  if (data.demoDir !== undefined) out.demoDir = resolve(data.demoDir);
  return out;
}

/** Only what decides which items the data options index (not the split): what dataDigest() covers. */
export function dataOnly(o: DataOptions): DataOptions {
  const out: DataOptions = {};
  for (const k of [...PATH_KEYS, 'labelMap', 'demo', 'demoDir'] as const) if (o[k] !== undefined) (out as Record<string, unknown>)[k] = o[k];
  return out;
}

export interface DataDigest {
  /** sha256 (hex) of the sorted "relative path, emotion, speaker, size" lines of the indexed items. */
  digest: string;
  items: number;
}

/**
 * Digest of the items `data` (absolute folders) indexes to. Paths are taken relative to `root`, or to the demo
 * corpus folder for the generated demo corpus (which lives in each machine's own cache).
 */
export async function dataDigest(data: DataOptions, root: string): Promise<DataDigest> {
  const resolved = await resolveData(data);
  const base = resolved.source === 'demo' ? resolved.folders[0] : path.resolve(root);
  const lines = resolved.items.map((it) => `${posix(path.relative(base, it.path))}\t${it.emotion}\t${it.speaker}\t${fs.statSync(it.path).size}`).sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l + '\n');
  return { digest: h.digest('hex'), items: lines.length };
}
