// One resumable search over the run's space (the chosen algorithm, or the random baseline): the hpo ask/tell loop
// (minimize / resumeMinimize) with each evaluation sent to the evaluator, logged to a journal as it finishes,
// and the optimizer checkpoint saved after every iteration.
//
// Resume: the checkpoint is taken at iteration boundaries, so evaluations of the unfinished iteration that had
// already finished are in the journal but not in the checkpoint. The journal is cut back to the checkpoint and
// those records are replayed (not re-run) when the resumed optimizer asks for the same candidate at the same
// index and epochs, which it does, being seeded: only the evaluations in flight at the kill are run again, also
// in the middle of a rung (successive halving numbers evaluations rung by rung, see lib/hpo/minimize.ts).
//
// Multi-fidelity: every iteration runs successive halving over `fidelity` (epochs per rung, the last being
// epochsPerEval); the best result is the best evaluation at the top rung. `initial` configurations (the starting
// recipe, a warm start) are the first candidates of the first iteration; the recipe always reaches the top rung.
import { SerNativeError } from '../errors';
import { affordableCandidates, halvingCost, type FidelityPlan } from '../hpo/fidelity';
import { minimize, plannedIterationsByBudget, resumeMinimize, type MinimizeCheckpoint } from '../hpo/minimize';
import type { Algorithm } from '../hpo/optimizer';
import { appendRecord, readRecords, writeRecords, type EvaluationRecord } from './journal';
import type { EvaluationJob } from './objective';
import { EvaluationFailure, type Evaluator } from './evaluators/evaluator';
import type { SerHyperParameters, SerSpace } from './space';
import type { ConfigOf, Space } from '../hpo/space';
import type { BestSoFar, OptimizeProgress, SearchName } from './types';

export interface SearchOptions {
  name: SearchName;
  algorithm: Algorithm;
  /** The run's space: SER_SPACE without the levers its fixed part sets (runSpace in space.ts). */
  space: Space;
  population: number;
  /** Planned iterations (ask/tell rounds), or null to derive them from maxEvals. */
  iterations: number | null;
  maxEvals: number | null;
  /** Successive halving: epochs per rung, the last being the full evaluation. */
  fidelity: FidelityPlan;
  /** Training epochs the search may spend (all folds counted), or null. */
  epochBudget: number | null;
  /** Trainings per evaluation (the folds; 1 without --folds): an evaluation of e epochs costs folds × e. */
  folds: number;
  /** Evaluated first, in order (the starting recipe, then a warm start). */
  initial: SerHyperParameters[];
  seed: number;
  /** Path of this search's evaluations.jsonl. */
  journal: string;
  /** Where a previous session stopped, or null for a fresh start. */
  checkpoint: MinimizeCheckpoint | null;
  /** Persists the checkpoint (atomically) after each iteration. */
  saveCheckpoint: (checkpoint: MinimizeCheckpoint) => void;
  evaluate: Evaluator;
  makeJob: (config: SerHyperParameters, index: number, iteration: number, epochs: number) => EvaluationJob;
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
  /** Lowest fitness among successful evaluations at the top rung (earliest on ties), or null if none succeeded. */
  best: EvaluationRecord | null;
  /** Training epochs spent (all folds counted), including before a resume. */
  epochs: number;
}

/**
 * Evaluations a search will spend (for progress and the ETA): exact for woa, sfs-woa (default walks), tpe and
 * random without failures; for sfs (whose batches vary in size) an upper bound given iterations and an
 * estimate given only an epoch budget. With only an epoch budget: what the budget buys, the last round's
 * affordable part included.
 */
export function plannedEvaluations(algorithm: Algorithm, population: number, iterations: number | null, maxEvals: number | null, fidelity: FidelityPlan = { budgets: [1], eta: 2 }, maxBudget: number | null = null): number {
  const perRound = algorithm === 'sfs-woa' ? 2 * population : population;
  const first = halvingCost(population, fidelity);
  const later = halvingCost(perRound, fidelity);
  let planned: number;
  if (iterations !== null) planned = first.evaluations + (iterations - 1) * later.evaluations;
  else if (maxBudget !== null) {
    // As minimize() spends it: each round evaluates the largest prefix of its batch whose halving the rest of
    // the budget pays for, until not one candidate is affordable or the optimizer's planned rounds are done.
    const rounds = plannedIterationsByBudget(algorithm, { population }, fidelity, maxBudget);
    let left = maxBudget;
    planned = 0;
    for (let r = 0; r < rounds; r++) {
      const k = affordableCandidates(r === 0 ? population : perRound, fidelity, null, left);
      if (k === 0) break;
      const c = halvingCost(k, fidelity);
      planned += c.evaluations;
      left -= c.budget;
    }
  } else planned = maxEvals ?? 0;
  return maxEvals === null ? planned : Math.min(planned, maxEvals);
}

/** The best successful record at the top rung (`topEpochs`; records without epochs are full evaluations). */
export function bestRecord(records: readonly EvaluationRecord[], topEpochs?: number): EvaluationRecord | null {
  let best: EvaluationRecord | null = null;
  for (const r of [...records].sort((a, b) => a.index - b.index)) {
    if (topEpochs !== undefined && r.epochs !== undefined && r.epochs !== topEpochs) continue;
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
    if (!r) throw new SerNativeError('ERR_DATA', `${o.journal} lacks evaluation ${i}, which the saved state counts as done: the journal and state.json do not belong to the same run (start a new run in another folder)`);
    records.push(r);
  }
  const replay = new Map([...byIndex].filter(([i]) => i >= settled));
  writeRecords(o.journal, records); // drops the unfinished iteration (replayed below) and any torn line

  const top = o.fidelity.budgets[o.fidelity.budgets.length - 1];
  const maxBudget = o.epochBudget === null ? null : o.epochBudget / o.folds; // minimize counts epochs per candidate
  const planned = Math.max(plannedEvaluations(o.algorithm, o.population, o.iterations, o.maxEvals, o.fidelity, maxBudget), settled);
  const epochsOf = (r: EvaluationRecord) => (r.epochs ?? top) * o.folds;
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
    report({ phase: 'evaluation', search: o.name, record, done: records.length, planned, best: summary(bestRecord(records, top)), etaSeconds: eta() });
  };

  const objective = async (config: SerHyperParameters, ctx: { evaluation: number; iteration: number; rung: number; budget?: number; signal?: AbortSignal }): Promise<number> => {
    const { evaluation: index, iteration, rung } = ctx;
    const epochs = ctx.budget ?? top; // checkpoints written before rungs existed have no plan
    const cached = replay.get(index);
    replay.delete(index);
    if (cached && JSON.stringify(cached.config) === JSON.stringify(config) && cached.iteration === iteration && (cached.epochs ?? top) === epochs) {
      finish(cached, false);
      if (cached.status === 'ok') return cached.fitness as number;
      throw new Error(cached.error ?? 'failed');
    }
    const started = Date.now();
    try {
      const reply = await o.evaluate(o.makeJob(config, index, iteration, epochs), ctx.signal);
      const { fitness, metrics } = reply.result;
      finish({ index, iteration, rung, epochs, config, fitness, status: 'ok', metrics, seconds: reply.seconds, worker: reply.worker }, true);
      return fitness;
    } catch (e) {
      // An evaluation cut short by the run's own abort is not a result; the resumed run evaluates it again.
      if (ctx.signal?.aborted) throw e;
      const f = e instanceof EvaluationFailure ? e : null;
      const error = e instanceof Error ? e.message : String(e);
      finish({ index, iteration, rung, epochs, config, fitness: null, status: 'failed', error, seconds: f?.seconds ?? (Date.now() - started) / 1000, worker: f?.worker ?? 'in-process' }, true);
      throw e;
    }
  };

  const onIteration = (p: { iteration: number; evaluations: number; state: MinimizeCheckpoint }): void => {
    o.saveCheckpoint(p.state);
    const epochs = records.reduce((a, r) => a + epochsOf(r), 0);
    report({ phase: 'iteration', search: o.name, iteration: p.iteration, iterations: o.iterations, done: p.evaluations, planned, epochs, best: summary(bestRecord(records, top)), etaSeconds: eta() });
  };
  const run = { maxEvaluations: o.maxEvals ?? undefined, maxBudget: maxBudget ?? undefined, concurrency: o.concurrency, onIteration, signal: o.signal };
  // Typed as SER_SPACE for the configurations' types; its points lack the levers the fixed part sets.
  const space = o.space as SerSpace;
  const initial = o.initial as ConfigOf<SerSpace>[];
  const result = o.checkpoint
    ? await resumeMinimize(objective, space, o.checkpoint, run)
    : await minimize(objective, space, { ...run, algorithm: o.algorithm, population: o.population, iterations: o.iterations ?? undefined, seed: o.seed, fidelity: o.fidelity, initial });
  records.sort((a, b) => a.index - b.index);
  return { records, evaluations: result.evaluations, iterations: result.iterations, best: bestRecord(records, top), epochs: records.reduce((a, r) => a + epochsOf(r), 0) };
}
