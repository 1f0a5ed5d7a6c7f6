// The HTML report of an optimize run, from its records, the race's iterations and the recheck (renderOptimizeReport
// draws it).
import type { ClassificationReport } from '../metrics';
import { percent } from '../metrics/percent';
import { renderOptimizeReport, type OptimizeEvaluation } from '../report/optimize-report';
import type { RaceSectionInput } from '../report/race-section';
import type { RecheckSectionInput } from '../report/recheck-section';
import type { EvaluationRecord } from './journal';
import type { RaceSummary } from './race-trajectory';
import type { RecheckOutcome } from './recheck';
import type { RunSettings } from './settings';
import { fidelityOf } from './settings';
import { fixedLevers, runSpace, type SerHyperParameters } from './space';

export interface ReportInput {
  settings: RunSettings;
  records: readonly EvaluationRecord[];
  baseline: readonly EvaluationRecord[] | null;
  best: EvaluationRecord;
  /** Scores of the retrained best configuration (finalEpochs), when it produced any. */
  finalMetrics: ClassificationReport | null;
  split: string;
  workers: { workers: number; threads: number };
  versions: { package: string; libtorch: string };
  /** Queue mode: where the evaluations ran (workers then counts the queue workers seen). */
  queue?: { address: string; study: string };
  /** --race: the final incumbent and the recorded iterations; iterations: how many the search ran. */
  race?: { summary: RaceSummary; iterations: number } | null;
  recheck?: RecheckOutcome | null;
  /** The starting recipe's configuration (to say when the best is the recipe). */
  recipe?: SerHyperParameters | null;
}

const points = (v: number) => 100 * v;

/** The race's iterations as the report draws them: levels and differences (fitness, lower is better) as UAR points gained. */
function raceInput(race: { summary: RaceSummary; iterations: number }, s: RunSettings): RaceSectionInput {
  const iterations = race.summary.iterations.map((it) => ({
    iteration: it.iteration,
    incumbent: { index: it.incumbent.index, since: it.incumbent.since, gainPoints: -points(it.incumbent.level) },
    firstSeed: it.firstSeed,
    newSeed: it.newSeed,
    rungs: it.rungs,
    winner: it.winner === null ? null : { index: it.winner.index, gainPoints: -points(it.winner.mean), sePoints: it.winner.se === null ? null : points(it.winner.se), n: it.winner.n },
    trainings: it.trainings,
  }));
  return { iterations, folds: s.folds ?? 1, eta: s.eta, z: s.race?.z ?? 2, unrecorded: Math.max(0, race.iterations - iterations.length) };
}

function recheckInput(r: RecheckOutcome, s: RunSettings, recipe: SerHyperParameters | null, best: EvaluationRecord): RecheckSectionInput {
  return {
    index: r.index,
    bestIsRecipe: recipe !== null && JSON.stringify(recipe) === JSON.stringify(best.config),
    epochs: s.epochsPerEval,
    seeds: r.seeds,
    folds: r.folds?.length ?? null,
    pairs: r.pairs,
    gainPoints: r.gainPoints,
  };
}

const asEvaluation = (r: EvaluationRecord): OptimizeEvaluation => ({
  index: r.index,
  iteration: r.iteration,
  config: { ...r.config },
  fitness: r.fitness,
  status: r.status,
  ...(r.error === undefined ? {} : { error: r.error }),
  seconds: r.seconds,
  worker: r.worker,
});

export function optimizeReportHtml(i: ReportInput): string {
  const s = i.settings;
  const notes = [
    s.race
      ? `Fitness = 1 − validation UAR of one training (a seed${s.folds ? ` and one of ${s.folds} speaker-grouped folds` : ''}) after ${s.epochsPerEval} training epoch(s), speaker-independent: ${i.split}.`
      : `Fitness = 1 − ${s.folds ? `mean validation UAR over ${s.folds} speaker-grouped folds` : 'validation UAR'} after ${s.epochsPerEval} training epoch(s) per evaluation, speaker-independent: ${i.split}.`,
    ...((s.rungs ?? 1) > 1 ? [`Successive halving in every iteration: rungs of ${fidelityOf(s).budgets.join(' / ')} epochs, the best 1/${s.eta} of a rung go on; the best configuration is the best at ${s.epochsPerEval} epochs.`] : []),
    `Evaluation #0 is the starting recipe (the default${Object.keys(s.fixed).length ? ' with the fixed overrides' : ''})${s.warmStart ? `, then ${s.warmStart.configs.length} configuration(s) from ${s.warmStart.file}` : ''}.`,
    s.race
      ? `Every candidate of a rung trains on the same seeds (from ${s.seed} on)${s.folds ? ' and folds' : ''} as the incumbent, and is judged by its paired difference to it; the answer is the final incumbent.`
      : `Every evaluation trains with seed ${s.seed}, so candidates differ only by their hyper-parameters.`,
    i.finalMetrics
      ? `The best configuration (evaluation #${i.best.index}) was retrained for ${s.finalEpochs} epochs: validation UAR ${percent(i.finalMetrics.uar)}, accuracy ${percent(i.finalMetrics.accuracy)} (the scores shown under "Best configuration").`
      : `The best configuration (evaluation #${i.best.index}) was retrained for ${s.finalEpochs} epochs.`,
  ];
  if (Object.keys(s.fixed).length > 0) notes.push(`Fixed recipe overrides of every evaluation: ${JSON.stringify(s.fixed)}.`);
  const fixedLever = fixedLevers(s.fixed);
  if (fixedLever.length > 0) notes.push(`Not searched, set by the fixed overrides: ${fixedLever.map((l) => `${l.name} (${l.by})`).join(', ')}.`);
  return renderOptimizeReport({
    title: 'Hyper-parameter search',
    algorithm: s.algorithm,
    evaluations: i.records.map(asEvaluation),
    ...(i.baseline ? { baseline: { name: 'random search', evaluations: i.baseline.map(asEvaluation) } } : {}),
    best: { config: { ...i.best.config }, fitness: i.best.fitness as number, ...(i.finalMetrics ? { metrics: i.finalMetrics } : {}) },
    space: runSpace(s.fixed) as unknown as Record<string, unknown>,
    budget: {
      population: s.population,
      iterations: s.iterations ?? 'from maxEvals',
      maxEvals: s.maxEvals ?? 'none',
      evaluations: i.records.length,
      epochsPerEval: s.epochsPerEval,
      rungs: (s.rungs ?? 1) > 1 ? `${fidelityOf(s).budgets.join(' / ')} epochs (eta ${s.eta})` : 'none',
      // A raced evaluation is one training (one fold); a plain one trains every fold.
      trainingEpochs: i.records.reduce((a, r) => a + (r.epochs ?? s.epochsPerEval) * (s.race ? 1 : (s.folds ?? 1)), 0),
      ...(s.race ? { race: `seeds ${s.race.seeds.join(' / ')} per rung, z ${s.race.z}` } : {}),
      folds: s.folds ?? 'none',
      finalEpochs: s.finalEpochs,
      workers: i.queue ? `${i.workers.workers} queue worker slot(s), ${i.queue.address}, study ${i.queue.study}` : i.workers.workers === 0 ? 'in-process' : i.workers.workers,
      threadsPerWorker: i.workers.threads,
      seed: s.seed,
    },
    fitnessLabel: '1 − validation UAR',
    versions: i.versions,
    ...(i.race ? { race: raceInput(i.race, s) } : {}),
    ...(i.recheck ? { recheck: recheckInput(i.recheck, s, i.recipe ?? null, i.best) } : {}),
    notes,
    generatedAt: new Date(),
  });
}
