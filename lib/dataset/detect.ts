/**
 * Which indexer reads which file. With one corpus forced, every file goes to that indexer. With
 * `auto`, each folder ranks the indexers by how many of its files they recognise (ties: the order
 * of AUTO_ORDER, most specific naming first) and each file is read by the first indexer in that
 * ranking that recognises it — so a folder of one corpus is read consistently and a mixed tree
 * still works file by file. Files nobody recognises are skipped with the namings that were tried.
 */
import * as path from 'path';
import type { FileEntry, FileParser, RawItem, SkippedFile } from './types';

export interface ClassifiedFile {
  raw: RawItem;
  size: number;
}

export interface Classification {
  entries: ClassifiedFile[];
  skipped: SkippedFile[];
}

export function classifyFiles(files: FileEntry[], parsers: FileParser[]): Classification {
  const out: Classification = { entries: [], skipped: [] };
  const byFolder = new Map<string, FileEntry[]>();
  for (const f of files) {
    const dir = path.dirname(f.path);
    const list = byFolder.get(dir);
    if (list) list.push(f);
    else byFolder.set(dir, [f]);
  }
  const ranked = new Map<string, FileParser[]>();
  for (const [dir, list] of byFolder) {
    const hits = parsers.map((p) => list.filter((f) => p.parse(f) !== null).length);
    ranked.set(
      dir,
      parsers.map((p, i) => ({ p, i })).sort((a, b) => hits[b.i] - hits[a.i] || a.i - b.i).map((x) => x.p),
    );
  }
  // Files stay in walk order (not grouped by folder), so the item order is the sorted path order.
  for (const f of files) {
    let done = false;
    for (const p of ranked.get(path.dirname(f.path)) ?? parsers) {
      const outcome = p.parse(f);
      if (outcome === null) continue;
      if ('item' in outcome) out.entries.push({ raw: outcome.item, size: f.size });
      else out.skipped.push({ path: f.path, reason: outcome.skip });
      done = true;
      break;
    }
    if (!done) out.skipped.push({ path: f.path, reason: noMatchReason(parsers) });
  }
  return out;
}

function noMatchReason(parsers: FileParser[]): string {
  if (parsers.length === 1) {
    return `name does not follow the ${parsers[0].corpus} naming ${parsers[0].pattern}; check --corpus or use a manifest (path,emotion,speaker)`;
  }
  const tried = parsers.map((p) => `${p.corpus} ${p.pattern}`).join('; ');
  return `name matches no known corpus naming (${tried}); index it with a manifest (path,emotion,speaker)`;
}
