// The files that make an optimize run survive a kill: evaluations.jsonl (one line per finished evaluation,
// appended as it finishes) and JSON state written atomically (temp file + fsync + rename), so a reader sees the
// old or the new state, never half of one.
import * as fs from 'fs';
import { SerNativeError } from '../errors';
import type { EvaluationMetrics } from './objective';
import type { SerHyperParameters } from './space';
import { writeTextAtomic } from '../fs-atomic';

/** One line of evaluations.jsonl. */
export interface EvaluationRecord {
  index: number;
  iteration: number;
  config: SerHyperParameters;
  /** Successive-halving rung (absent in journals written before rungs existed: 0). */
  rung?: number;
  /** Training epochs of this evaluation (per fold with --folds); absent in older journals: the run's epochsPerEval. */
  epochs?: number;
  /** --race: the training seed and fold of this one training (a replicate). */
  seed?: number;
  fold?: number;
  /** 1 − validation UAR (mean over the folds with --folds; with --race the one replicate's); null when the evaluation failed. */
  fitness: number | null;
  status: 'ok' | 'failed';
  error?: string;
  metrics?: EvaluationMetrics;
  /** Wall time of the evaluation as seen by the optimize process, seconds. */
  seconds: number;
  /** Worker slot that ran it, 'in-process' (workers: 0), or HOST:PID/SLOT of a queue worker. */
  worker: number | string;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeTextAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

export { writeTextAtomic };

export function appendRecord(file: string, record: EvaluationRecord): void {
  fs.appendFileSync(file, JSON.stringify(record) + '\n');
}

function isRecord(v: unknown): v is EvaluationRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return Number.isInteger(r.index) && Number.isInteger(r.iteration) && typeof r.config === 'object' && r.config !== null && (r.status === 'ok' || r.status === 'failed');
}

/**
 * The records of a journal, in file order. A torn last line (the process was killed mid-write) is dropped;
 * a bad line elsewhere means the file was edited or mixed up, which is an error naming the line.
 */
export function readRecords(file: string): EvaluationRecord[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: EvaluationRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (isRecord(parsed)) out.push(parsed);
    else if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim() !== '')) {
      throw new SerNativeError('ERR_DATA', `${file}:${i + 1} is not an evaluation record; the journal is damaged (remove that line, or start a new run in another folder)`);
    }
  });
  return out;
}

/** Replaces the journal with `records` (atomically). */
export function writeRecords(file: string, records: readonly EvaluationRecord[]): void {
  writeTextAtomic(file, records.map((r) => JSON.stringify(r) + '\n').join(''));
}
