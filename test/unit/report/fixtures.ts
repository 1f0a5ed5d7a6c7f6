// Small, realistic inputs for the report renderers (also used to write example pages by hand).
import { classificationReport, type Protocol } from '../../../lib/metrics/classification';
import type { OptimizeEvaluation, OptimizeReportInput } from '../../../lib/report/optimize-report';
import type { TrainingReportInput } from '../../../lib/report/train-report';
import type { RaceSectionInput } from '../../../lib/report/race-section';
import type { RecheckSectionInput } from '../../../lib/report/recheck-section';

export const LABELS = ['neutral', 'happy', 'sad', 'angry', '<script>alert(1)</script>'];

export const PROTOCOL: Protocol = {
  name: 'speaker-independent',
  description: 'RAVDESS actors 01-16 train, 17-20 validation',
  trainSpeakers: ['ravdess:01', 'ravdess:02', 'ravdess:03'],
  testSpeakers: ['ravdess:17', 'ravdess:18'],
};

/** A deterministic set of predictions: mostly right, with a few confusions. */
export function validationReport(protocol: Protocol = PROTOCOL): ReturnType<typeof classificationReport> {
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let c = 0; c < LABELS.length; c++) {
    for (let i = 0; i < 8; i++) {
      yTrue.push(c);
      yPred.push(i < 5 + (c % 3) ? c : (c + 1 + (i % 2)) % LABELS.length);
    }
  }
  return classificationReport(yTrue, yPred, LABELS, protocol);
}

export function trainingInput(): TrainingReportInput {
  const history = Array.from({ length: 12 }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1.6 * Math.exp(-i / 4) + 0.2,
    trainAccuracy: Math.min(0.98, 0.25 + i * 0.07),
    valLoss: 1.5 * Math.exp(-i / 5) + 0.45 + (i > 8 ? (i - 8) * 0.05 : 0),
    valAccuracy: Math.min(0.8, 0.22 + i * 0.055),
    valUar: Math.min(0.78, 0.2 + i * 0.055),
    lr: i < 8 ? 1e-3 : 2.5e-4,
    seconds: 41.5 + i,
  }));
  const v = validationReport();
  return {
    title: 'CNN+LSTM on RAVDESS',
    metrics: { validation: v, perCorpus: { ravdess: v, 'savee & <co>': validationReport({ name: 'speaker-independent', description: 'SAVEE JE held out' }) } },
    history,
    config: { model: { conv: [32, 64], lstmHidden: 128, dropout: 0.3 }, optimizer: 'adamw', lr: 1e-3, batchSize: 32, augment: { noise: true, note: '<b>bold</b>' } },
    dataset: { train: { n: 960, speakers: ['ravdess:01', 'ravdess:02', 'ravdess:03'] }, validation: { n: 240, speakers: 4 } },
    versions: { package: '0.1.0', libtorch: '2.5.1' },
    notes: ['Early stopping on validation UAR, patience 5.'],
  };
}

function evaluation(index: number, fitness: number | null, extra: Partial<OptimizeEvaluation> = {}): OptimizeEvaluation {
  return {
    index,
    iteration: Math.floor(index / 4),
    config: { lr: 10 ** (-4 + (index % 7) * 0.3), dropout: 0.1 + (index % 5) * 0.1, hidden: [64, 128, 256][index % 3] },
    fitness,
    status: fitness === null ? 'failed' : 'ok',
    seconds: 60 + index,
    worker: index % 2,
    ...extra,
  };
}

export function optimizeInput(): OptimizeReportInput {
  const fit = (i: number, speed: number): number => 0.3 + 0.5 * Math.exp(-i / speed) + 0.05 * Math.sin(i * 1.7);
  const evaluations = Array.from({ length: 16 }, (_, i) => evaluation(i, i === 5 ? null : fit(i, 5)));
  evaluations[5] = { ...evaluations[5], error: 'SerNativeError: CUDA out of memory <tried 2.0 GiB>' };
  const baseline = Array.from({ length: 16 }, (_, i) => evaluation(i, fit(i, 12) + 0.04));
  const best = evaluations.filter((e) => e.status === 'ok').reduce((a, b) => ((a.fitness as number) <= (b.fitness as number) ? a : b));
  return {
    title: 'SFS-WOA search',
    algorithm: 'sfs-woa',
    evaluations,
    baseline: { name: 'random search', evaluations: baseline },
    best: { config: best.config, fitness: best.fitness as number, metrics: validationReport() },
    space: { lr: { type: 'float', min: 1e-4, max: 1e-2, log: true }, dropout: { type: 'float', min: 0, max: 0.5 }, hidden: { type: 'choice', values: [64, 128, 256] } },
    budget: { evaluations: 16, population: 4, iterations: 4, epochsPerEvaluation: 10 },
    fitnessLabel: '1 − validation UAR',
  };
}

/** A race of three iterations: the recipe leads, a challenger takes the lead, then the leader earns a new seed. */
export function raceInput(): RaceSectionInput {
  const rungs = (raced: number, dropped: number, stopped: number) => [
    { epochs: 6, seeds: 1, raced, dropped, stopped, failed: 0 },
    { epochs: 6, seeds: 2, raced: raced - dropped - stopped, dropped: 0, stopped: 0, failed: 0 },
  ];
  return {
    folds: 3,
    eta: 3,
    z: 2,
    iterations: [
      { iteration: 0, incumbent: { index: 0, since: 0, gainPoints: 0 }, firstSeed: 1, newSeed: null, rungs: rungs(5, 1, 3), winner: null, trainings: 24 },
      { iteration: 1, incumbent: { index: 31, since: 1, gainPoints: 2.25 }, firstSeed: 1, newSeed: null, rungs: rungs(6, 2, 3), winner: { index: 31, gainPoints: 2.25, sePoints: 0.8, n: 6 }, trainings: 21 },
      { iteration: 2, incumbent: { index: 31, since: 1, gainPoints: 2.25 }, firstSeed: 2, newSeed: 'leader', rungs: rungs(5, 0, 4), winner: null, trainings: 24 },
    ],
  };
}

/** A recheck whose interval includes 0. */
export function recheckInput(): RecheckSectionInput {
  return {
    index: 31,
    bestIsRecipe: false,
    epochs: 6,
    seeds: [100001, 100002],
    folds: 2,
    pairs: [
      { seed: 100001, fold: 0, bestUar: 0.42, recipeUar: 0.4 },
      { seed: 100001, fold: 1, bestUar: 0.38, recipeUar: 0.39 },
      { seed: 100002, fold: 0, bestUar: 0.45, recipeUar: 0.41 },
      { seed: 100002, fold: 1, bestUar: 0.36, recipeUar: 0.37 },
    ],
    gainPoints: { mean: 1, low: -1.62, high: 3.62, n: 4 },
  };
}
