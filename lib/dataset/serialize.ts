// The JSON form of an index: what `ser-native index --json` prints and `--out` writes.
import * as path from 'path';
import type { DatasetCounts, DatasetItem, DuplicateGroup, IndexResult, SkippedFile } from './types';

export interface IndexJson {
  items: DatasetItem[];
  counts: DatasetCounts;
  skipped: SkippedFile[];
  duplicates: DuplicateGroup[];
}

/**
 * Paths stay absolute by default. With `relativeTo` (the folder of the file being written) they
 * are made relative to it with `/` separators, so the file stays a valid manifest (manifest paths
 * are relative to the manifest) when it moves together with the data, and across platforms.
 */
export function toIndexJson(result: IndexResult, relativeTo?: string): IndexJson {
  const fix = (p: string): string => (relativeTo === undefined ? p : path.relative(relativeTo, p).split(path.sep).join('/'));
  return {
    items: result.items.map((it) => ({ ...it, path: fix(it.path) })),
    counts: result.counts,
    // Skipped manifest rows may be named "file line N" rather than by a path; leave those as they are.
    skipped: result.skipped.map((s) => ({ ...s, path: path.isAbsolute(s.path) && !/ line \d+$/.test(s.path) ? fix(s.path) : s.path })),
    duplicates: result.duplicates.map((d) => ({ ...d, paths: d.paths.map(fix) })),
  };
}
