// One resumable noise-aware search (optimize --race): lib/hpo/race-minimize.ts over the run's space, each evaluation
// one training of one configuration on one replicate (training seed, fold) sent to the evaluator and appended to
// the journal as it finishes, the race checkpoint (optimizer, incumbent, seed window, evaluation cache) saved
// after every iteration.
//
// Resume: evaluations of the unfinished iteration are in the journal but not in the checkpoint's cache; they are
// replayed (not re-run) by their (configuration, epochs, seed, fold), the key of the race's own cache, so only
// the evaluations in flight at the kill are trained again.
//
// Each iteration is also summarised (race-trajectory.ts: the incumbent, the rungs, the seed window) and saved with
// the checkpoint, for result.json and the report.
import type { FidelityPlan } from '../hpo/fidelity';
import { evaluationKey } from '../hpo/evaluation-cache';
import type { Algorithm } from '../hpo/optimizer';
import type { Replicate } from '../hpo/race';
import { raceMinimize, resumeRaceMinimize, type RaceCheckpoint, type RaceIterationProgress } from '../hpo/race-minimize';
import { appendRecord, readRecords, writeRecords, type EvaluationRecord } from './journal';
import type { EvaluationJob } from './objective';
import { EvaluationFailure, type Evaluator } from './evaluators/evaluator';
import type { SerHyperParameters, SerSpace } from './space';
import type { ConfigOf, Space } from '../hpo/space';
import { answerRecord, raceIteration, type RaceIteration } from './race-trajectory';
import type { SearchOutcome } from './search';
import type { OptimizeProgress, SearchName } from './types';

export interface RaceSearchOptions {
  name: SearchName;
  algorithm: Algorithm;
  /** The run's space: SER_SPACE without the levers its fixed part sets (runSpace in space.ts). */
  space: Space;
  population: number;
  iterations: number | null;
  maxEvals: number | null;
  /** Epochs of each rung (the last is epochsPerEval). */
  fidelity: FidelityPlan;
  /** Seeds measured by the end of each rung (cumulative). */
  seeds: number[];
  z: number;
  /** Folds per seed (1 without --folds). */
  folds: number;
  epochBudget: number | null;
  initial: SerHyperParameters[];
  seed: number;
  journal: string;
  checkpoint: RaceCheckpoint | null;
  /** The iterations summarised before the checkpoint (state.json), continued by this session. */
  trajectory?: readonly RaceIteration[];
  /** Persists the checkpoint and the trajectory together (one atomic state.json) after each iteration. */
  saveCheckpoint: (checkpoint: RaceCheckpoint, trajectory: RaceIteration[]) => void;
  evaluate: Evaluator;
  makeJob: (config: SerHyperParameters, index: number, iteration: number, epochs: number, replicate: Replicate) => EvaluationJob;
  concurrency: number;
  queue?: string;
  workers: number;
  threads: number;
  signal?: AbortSignal;
  onProgress?: (p: OptimizeProgress) => void;
}

export interface RaceOutcome extends SearchOutcome {
  /** The final incumbent: its configuration and its estimated fitness difference to the starting recipe (negative: better). */
  incumbent: { config: SerHyperParameters; level: number; since: number } | null;
  /** One summary per iteration (race-trajectory.ts); those of sessions that did not record them are missing. */
  trajectory: RaceIteration[];
}

const keyOf = (r: EvaluationRecord) => evaluationKey(r.config, r.epochs as number, { seed: r.seed as number, fold: r.fold ?? 0 });

export async function runRaceSearch(o: RaceSearchOptions): Promise<RaceOutcome> {
  const settled = o.checkpoint?.evaluations ?? 0;
  const prior = readRecords(o.journal).sort((a, b) => a.index - b.index);
  const records = prior.filter((r) => r.index < settled);
  const replay = new Map(prior.filter((r) => r.index >= settled && r.seed !== undefined).map((r) => [keyOf(r), r]));
  writeRecords(o.journal, records);
  const report = o.onProgress ?? (() => undefined);
  const planned = o.maxEvals ?? records.length;
  report({ phase: 'start', search: o.name, algorithm: `${o.algorithm} (race)`, done: settled, planned, workers: o.workers, threads: o.threads, ...(o.queue ? { queue: o.queue } : {}), resumed: o.checkpoint !== null || prior.length > 0 });
  let incumbentSummary: { index: number; fitness: number; uar: number } | null = null;
  const finish = (record: EvaluationRecord): void => {
    appendRecord(o.journal, record);
    records.push(record);
    report({ phase: 'evaluation', search: o.name, record, done: records.length, planned: Math.max(planned, records.length), best: incumbentSummary, etaSeconds: null });
  };
  const objective = async (config: SerHyperParameters, ctx: { evaluation: number; iteration: number; rung: number; budget: number; replicate: Replicate; signal?: AbortSignal }): Promise<number> => {
    const { evaluation: index, iteration, rung, budget: epochs, replicate } = ctx;
    const where = { index, iteration, rung, epochs, config, seed: replicate.seed, fold: replicate.fold };
    const cached = replay.get(evaluationKey(config, epochs, replicate));
    if (cached) {
      finish({ ...cached, ...where });
      if (cached.status === 'ok') return cached.fitness as number;
      throw new Error(cached.error ?? 'failed');
    }
    const started = Date.now();
    try {
      const reply = await o.evaluate(o.makeJob(config, index, iteration, epochs, replicate), ctx.signal);
      finish({ ...where, fitness: reply.result.fitness, status: 'ok', metrics: reply.result.metrics, seconds: reply.seconds, worker: reply.worker });
      return reply.result.fitness;
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      const f = e instanceof EvaluationFailure ? e : null;
      finish({ ...where, fitness: null, status: 'failed', error: e instanceof Error ? e.message : String(e), seconds: f?.seconds ?? (Date.now() - started) / 1000, worker: f?.worker ?? 'in-process' });
      throw e;
    }
  };
  const trajectory = (o.trajectory ?? []).filter((t) => t.iteration < (o.checkpoint?.optimizer.iteration ?? 0));
  const onIteration = (p: RaceIterationProgress<SerHyperParameters>): void => {
    const summary = raceIteration({ ...p, trainings: p.records.length, records, budgets: o.fidelity.budgets, seeds: o.seeds });
    trajectory.push(summary);
    o.saveCheckpoint(p.state, trajectory.slice());
    // The incumbent, shown by its answer record and its estimated UAR gain over the recipe (1 − fitness).
    const level = p.incumbent?.level ?? 0;
    incumbentSummary = { index: summary.incumbent.index, fitness: level, uar: -level };
    const epochs = records.reduce((a, r) => a + (r.epochs ?? 0), 0);
    report({ phase: 'iteration', search: o.name, iteration: p.iteration, iterations: o.iterations, done: p.evaluations, planned: Math.max(planned, p.evaluations), epochs, best: incumbentSummary, etaSeconds: null });
  };
  const race = { budgets: o.fidelity.budgets, seeds: o.seeds, eta: o.fidelity.eta, folds: o.folds, z: o.z };
  const run = { maxEvaluations: o.maxEvals ?? undefined, maxBudget: o.epochBudget ?? undefined, concurrency: o.concurrency, onIteration, signal: o.signal };
  // Typed as SER_SPACE for the configurations' types; its points lack the levers the fixed part sets.
  const space = o.space as SerSpace;
  const initial = o.initial as ConfigOf<SerSpace>[];
  const result = o.checkpoint
    ? await resumeRaceMinimize(objective, space, o.checkpoint, run)
    : await raceMinimize(objective, space, { ...run, algorithm: o.algorithm, population: o.population, iterations: o.iterations ?? undefined, seed: o.seed, initial, race, replicateSeed: o.seed });
  records.sort((a, b) => a.index - b.index);
  const inc = result.best;
  const top = o.fidelity.budgets[o.fidelity.budgets.length - 1];
  // The record that stands for the answer: the incumbent's first successful evaluation at the top epochs (at the
  // highest it reached when every challenger left the race below the top rung).
  const best = inc === null ? null : answerRecord(records, inc.config);
  return {
    records,
    evaluations: result.evaluations,
    iterations: result.iterations,
    best,
    epochs: records.reduce((a, r) => a + (r.epochs ?? top), 0),
    incumbent: inc === null ? null : { config: inc.config, level: inc.level, since: inc.since },
    trajectory,
  };
}
