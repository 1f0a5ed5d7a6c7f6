// One resumable search over SER_SPACE (the chosen algorithm, or the random baseline): the hpo ask/tell loop
// (minimize / resumeMinimize) with each evaluation sent to the evaluator, logged to a journal as it finishes,
// and the optimizer checkpoint saved after every iteration.
//
// Resume: the checkpoint is taken at iteration boundaries, so evaluations of the unfinished iteration that had
// already finished are in the journal but not in the checkpoint. The journal is cut back to the checkpoint and
// those records are replayed (not re-run) when the resumed optimizer asks for the same candidate at the same
// index, which it does, being seeded: only the evaluations in flight at the kill are run again.
import { minimize, resumeMinimize, type MinimizeCheckpoint } from '../hpo/minimize';
import type { Algorithm } from '../hpo/optimizer';
import { appendRecord, readRecords, writeRecords, type EvaluationRecord } from './journal';
import type { EvaluationJob } from './objective';
import { EvaluationFailure, type Evaluator } from './evaluators/evaluator';
import { SER_SPACE, type SerHyperParameters } from './space';
import type { BestSoFar, OptimizeProgress, SearchName } from './types';

export interface SearchOptions {
  name: SearchName;
  algorithm: Algorithm;
  population: number;
  /** Planned iterations (ask/tell rounds), or null to derive them from maxEvals. */
  iterations: number | null;
  maxEvals: number | null;
  seed: number;
  /** Path of this search's evaluations.jsonl. */
  journal: string;
  /** Where a previous session stopped, or null for a fresh start. */
  checkpoint: MinimizeCheckpoint | null;
  /** Persists the checkpoint (atomically) after each iteration. */
  saveCheckpoint: (checkpoint: MinimizeCheckpoint) => void;
  evaluate: Evaluator;
  makeJob: (config: SerHyperParameters, index: number, iteration: number) => EvaluationJob;
  /** Evaluations in flight at once (the number of workers). */
  concurrency: number;
  /** Evaluations actually running side by side, for the ETA, when not `concurrency` (queue mode). */
  etaParallelism?: () => number;
  /** For the start event: the queue evaluations go through, if any. */
  queue?: string;
  /** For the start event. */
  workers: number;
  threads: number;
  signal?: AbortSignal;
  onProgress?: (p: OptimizeProgress) => void;
}

export interface SearchOutcome {
  /** Every evaluation of the search (before and after a resume), by index. */
  records: EvaluationRecord[];
  evaluations: number;
  iterations: number;
  /** Lowest fitness among successful evaluations (earliest on ties), or null if none succeeded. */
  best: EvaluationRecord | null;
}

/** Evaluations a search will spend: exact for woa, sfs-woa (default walks) and random; an upper bound for sfs. */
export function plannedEvaluations(algorithm: Algorithm, population: number, iterations: number | null, maxEvals: number | null): number {
  if (iterations === null) return maxEvals ?? 0;
  const perRound = algorithm === 'sfs-woa' ? 2 * population : population;
  const planned = population + (iterations - 1) * perRound;
  return maxEvals === null ? planned : Math.min(planned, maxEvals);
}

export function bestRecord(records: readonly EvaluationRecord[]): EvaluationRecord | null {
  let best: EvaluationRecord | null = null;
  for (const r of [...records].sort((a, b) => a.index - b.index)) {
    if (r.status === 'ok' && typeof r.fitness === 'number' && (best === null || r.fitness < (best.fitness as number))) best = r;
  }
  return best;
}

const summary = (r: EvaluationRecord | null): BestSoFar | null =>
  r === null ? null : { index: r.index, fitness: r.fitness as number, uar: r.metrics?.uar ?? 1 - (r.fitness as number) };

export async function runSearch(o: SearchOptions): Promise<SearchOutcome> {
  const settled = o.checkpoint?.evaluations ?? 0;
  const prior = readRecords(o.journal);
  const byIndex = new Map<number, EvaluationRecord>();
  for (const r of prior) byIndex.set(r.index, r);
  const records: EvaluationRecord[] = [];
  for (let i = 0; i < settled; i++) {
    const r = byIndex.get(i);
    if (!r) throw new Error(`${o.journal} lacks evaluation ${i}, which the saved state counts as done: the journal and state.json do not belong to the same run (start a new run in another folder)`);
    records.push(r);
  }
  const replay = new Map([...byIndex].filter(([i]) => i >= settled));
  writeRecords(o.journal, records); // drops the unfinished iteration (replayed below) and any torn line

  const planned = Math.max(plannedEvaluations(o.algorithm, o.population, o.iterations, o.maxEvals), settled);
  const spent: number[] = []; // wall seconds of evaluations run in this session, for the ETA
  const eta = (): number | null => {
    if (spent.length === 0) return null;
    const mean = spent.reduce((a, b) => a + b, 0) / spent.length;
    return (Math.max(0, planned - records.length) * mean) / (o.etaParallelism?.() ?? o.concurrency);
  };
  const report = o.onProgress ?? (() => undefined);
  report({ phase: 'start', search: o.name, algorithm: o.algorithm, done: settled, planned, workers: o.workers, threads: o.threads, ...(o.queue ? { queue: o.queue } : {}), resumed: o.checkpoint !== null || prior.length > 0 });

  const finish = (record: EvaluationRecord, ranHere: boolean): void => {
    appendRecord(o.journal, record);
    records.push(record);
    if (ranHere) spent.push(record.seconds);
    report({ phase: 'evaluation', search: o.name, record, done: records.length, planned, best: summary(bestRecord(records)), etaSeconds: eta() });
  };

  const objective = async (config: SerHyperParameters, ctx: { evaluation: number; iteration: number; signal?: AbortSignal }): Promise<number> => {
    const { evaluation: index, iteration } = ctx;
    const cached = replay.get(index);
    replay.delete(index);
    if (cached && JSON.stringify(cached.config) === JSON.stringify(config) && cached.iteration === iteration) {
      finish(cached, false);
      if (cached.status === 'ok') return cached.fitness as number;
      throw new Error(cached.error ?? 'failed');
    }
    const started = Date.now();
    try {
      const reply = await o.evaluate(o.makeJob(config, index, iteration), ctx.signal);
      const { fitness, metrics } = reply.result;
      finish({ index, iteration, config, fitness, status: 'ok', metrics, seconds: reply.seconds, worker: reply.worker }, true);
      return fitness;
    } catch (e) {
      // An evaluation cut short by the run's own abort is not a result; the resumed run evaluates it again.
      if (ctx.signal?.aborted) throw e;
      const f = e instanceof EvaluationFailure ? e : null;
      const error = e instanceof Error ? e.message : String(e);
      finish({ index, iteration, config, fitness: null, status: 'failed', error, seconds: f?.seconds ?? (Date.now() - started) / 1000, worker: f?.worker ?? 'in-process' }, true);
      throw e;
    }
  };

  const onIteration = (p: { iteration: number; evaluations: number; state: MinimizeCheckpoint }): void => {
    o.saveCheckpoint(p.state);
    report({ phase: 'iteration', search: o.name, iteration: p.iteration, iterations: o.iterations, done: p.evaluations, planned, best: summary(bestRecord(records)), etaSeconds: eta() });
  };
  const run = { maxEvaluations: o.maxEvals ?? undefined, concurrency: o.concurrency, onIteration, signal: o.signal };
  const result = o.checkpoint
    ? await resumeMinimize(objective, SER_SPACE, o.checkpoint, run)
    : await minimize(objective, SER_SPACE, { ...run, algorithm: o.algorithm, population: o.population, iterations: o.iterations ?? undefined, seed: o.seed });
  records.sort((a, b) => a.index - b.index);
  return { records, evaluations: result.evaluations, iterations: result.iterations, best: bestRecord(records) };
}
