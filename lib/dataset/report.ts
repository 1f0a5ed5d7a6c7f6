// The human-readable report of `ser-native index`: corpus × emotion and speaker tables, skips, duplicates.
import * as path from 'path';
import { EMOTIONS, type Emotion } from './emotions';
import { countByEmotion } from './counts';
import type { IndexResult } from './types';

export interface ReportOptions {
  /** Paths are shown relative to this folder when that is shorter. Default: process.cwd(). */
  cwd?: string;
  /** Wall time of the indexing, for the summary line. */
  seconds?: number;
  /** Example paths shown per skip reason. Default 3. */
  examples?: number;
}

export function formatIndexReport(result: IndexResult, options: ReportOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const show = (p: string): string => {
    const rel = path.relative(cwd, p);
    return path.isAbsolute(p) && rel.length < p.length ? rel : p;
  };
  const { items, counts, skipped, duplicates, warnings } = result;
  const emotions = EMOTIONS.filter((e) => (counts.byEmotion[e] ?? 0) > 0);
  const out: string[] = [];
  const time = options.seconds === undefined ? '' : ` in ${options.seconds.toFixed(2)} s`;
  out.push(
    `Indexed ${items.length} recordings (${Object.keys(counts.byCorpus).length} corpora, ${Object.keys(counts.bySpeaker).length} speakers)${time}; ` +
      `${skipped.length} skipped; ${duplicates.length} duplicate group${duplicates.length === 1 ? '' : 's'}.`,
  );

  if (items.length > 0) {
    const row = (name: string, byEmotion: Partial<Record<Emotion, number>>, extra: string[] = []): string[] => [
      name,
      ...extra,
      ...emotions.map((e) => String(byEmotion[e] ?? '-')),
      String(Object.values(byEmotion).reduce((a, b) => a + (b ?? 0), 0)),
    ];
    out.push('', 'Per corpus:');
    out.push(
      table(
        [['corpus', ...emotions, 'total'], ...Object.entries(counts.byCorpus).map(([c, e]) => row(c, e)), row('total', counts.byEmotion)],
        1,
      ),
    );
    const bySpeaker = groupBy(items, (i) => i.speaker);
    out.push('', 'Per speaker:');
    out.push(
      table(
        [
          ['speaker', 'gender', ...emotions, 'total'],
          ...Object.keys(counts.bySpeaker).map((s) => row(s, countByEmotion(bySpeaker.get(s)!), [bySpeaker.get(s)![0].gender ?? '?'])),
        ],
        2,
      ),
    );
  }

  out.push('');
  if (skipped.length === 0) {
    out.push('Skipped: none.');
  } else {
    out.push(`Skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}:`);
    const n = options.examples ?? 3;
    for (const [reason, list] of groupBy(skipped, (s) => s.reason)) {
      out.push(`  ${String(list.length).padStart(5)}  ${reason}`);
      const more = list.length > n ? `, ... (${list.length - n} more)` : '';
      out.push(`         e.g. ${list.slice(0, n).map((s) => show(s.path)).join(', ')}${more}`);
    }
  }
  if (duplicates.length === 0) {
    out.push('Duplicates: none.');
  } else {
    out.push(`Duplicates (byte-identical, sha1; splits keep each group together): ${duplicates.length} group${duplicates.length === 1 ? '' : 's'}`);
    for (const d of duplicates) out.push(`  ${d.hash.slice(0, 12)}  ${d.paths.map(show).join('  =  ')}`);
  }
  if (warnings.length > 0) {
    out.push('Warnings:');
    for (const w of warnings) out.push(`  ${w}`);
  }
  return out.join('\n') + '\n';
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Columns padded to width; the first `leftColumns` columns left-aligned, numbers right-aligned. */
function table(rows: string[][], leftColumns: number): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}
