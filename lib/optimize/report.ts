// The HTML report of an optimize run, from its records (renderOptimizeReport draws it).
import type { ClassificationReport } from '../metrics';
import { percent } from '../metrics/percent';
import { renderOptimizeReport, type OptimizeEvaluation } from '../report/optimize-report';
import type { EvaluationRecord } from './journal';
import type { RunSettings } from './settings';
import { fidelityOf } from './settings';
import { fixedLevers, runSpace } from './space';

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
    `Fitness = 1 − ${s.folds ? `mean validation UAR over ${s.folds} speaker-grouped folds` : 'validation UAR'} after ${s.epochsPerEval} training epoch(s) per evaluation, speaker-independent: ${i.split}.`,
    ...((s.rungs ?? 1) > 1 ? [`Successive halving in every iteration: rungs of ${fidelityOf(s).budgets.join(' / ')} epochs, the best 1/${s.eta} of a rung go on; the best configuration is the best at ${s.epochsPerEval} epochs.`] : []),
    `Evaluation #0 is the starting recipe (the default${Object.keys(s.fixed).length ? ' with the fixed overrides' : ''})${s.warmStart ? `, then ${s.warmStart.configs.length} configuration(s) from ${s.warmStart.file}` : ''}.`,
    `Every evaluation trains with seed ${s.seed}, so candidates differ only by their hyper-parameters.`,
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
      trainingEpochs: i.records.reduce((a, r) => a + (r.epochs ?? s.epochsPerEval) * (s.folds ?? 1), 0),
      folds: s.folds ?? 'none',
      finalEpochs: s.finalEpochs,
      workers: i.queue ? `${i.workers.workers} queue worker slot(s), ${i.queue.address}, study ${i.queue.study}` : i.workers.workers === 0 ? 'in-process' : i.workers.workers,
      threadsPerWorker: i.workers.threads,
      seed: s.seed,
    },
    fitnessLabel: '1 − validation UAR',
    versions: i.versions,
    notes,
    generatedAt: new Date(),
  });
}
