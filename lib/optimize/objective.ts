// The SER objective: one evaluation of one configuration. fitness = 1 − validation UAR on a speaker-independent
// split after a short training run (epochsPerEval epochs: the rung's budget with successive halving) seeded with
// the run's seed, so the same job gives the same fitness at the same thread count. With `splits` (optimize
// --folds K) the candidate is trained once per fold and fitness = 1 − the mean of the K validation UARs. Jobs are plain JSON: the worker processes (eval-worker.ts) and
// any other runner (e.g. a queue consumer) call runEvaluation() on what they receive.
import { SerNativeError } from '../errors';
import * as is from '../is';
import type { DeepPartial, TrainConfig } from '../model/config';
import type { AudioCache, DataOptions } from '../train/data';
import { train } from '../train/train';
import { configToOverrides, type SerHyperParameters } from './space';

export interface EvaluationJob {
  /** Global 0-based evaluation index in the run. */
  index: number;
  /** Optimizer iteration (ask/tell round) the candidate belongs to. */
  iteration: number;
  /** The decoded point of SER_SPACE. */
  config: SerHyperParameters;
  /** Where the data comes from (folders, split, or demo corpus options). */
  data: DataOptions;
  /** Recipe overrides shared by every evaluation (e.g. a smaller architecture); see validateFixed(). */
  fixed?: DeepPartial<TrainConfig>;
  /** Seed of initialisation, shuffling and augmentation: the run's seed, the same for every candidate. */
  seed: number;
  epochsPerEval: number;
  device: is.Device;
  /** --folds: the split spec of every fold (lib/optimize/folds.ts), replacing data.split; absent: data.split. */
  splits?: string[];
}

export interface EvaluationMetrics {
  /** Mean over the folds with --folds. */
  uar: number;
  accuracy: number;
  macroF1: number;
  /** --folds: the validation UAR of each fold, fold 0 first. */
  foldUars?: number[];
}

export interface EvaluationResult {
  /** 1 − validation UAR (lower is better). */
  fitness: number;
  metrics: EvaluationMetrics;
  /** Wall time of the evaluation where it ran, seconds. */
  seconds: number;
}

export interface RunEvaluationOptions {
  /** Decoded audio kept between evaluations in one process. */
  audioCache?: AudioCache;
  signal?: AbortSignal;
}

/** Validates a job received from elsewhere (IPC, a queue), naming the offending field. */
export function validateJob(job: unknown): EvaluationJob {
  const j = is.plainObject('job', job);
  is.knownKeys('job', j, ['index', 'iteration', 'config', 'data', 'fixed', 'seed', 'epochsPerEval', 'device', 'splits']);
  is.number('job.index', j.index, { min: 0, integer: true });
  is.number('job.iteration', j.iteration, { min: 0, integer: true });
  is.plainObject('job.config', j.config);
  is.plainObject('job.data', j.data);
  if (j.fixed !== undefined) is.plainObject('job.fixed', j.fixed);
  is.number('job.seed', j.seed, { min: 0, integer: true });
  is.positiveInteger('job.epochsPerEval', j.epochsPerEval);
  is.device('job.device', j.device);
  if (j.splits !== undefined) {
    if (!Array.isArray(j.splits) || j.splits.length < 2 || !j.splits.every((x) => typeof x === 'string' && x !== '')) {
      throw is.invalidArgument(`job.splits must be an array of at least 2 split specs (one per fold) but received ${JSON.stringify(j.splits)}`);
    }
  }
  return j as unknown as EvaluationJob;
}

/** Trains one candidate briefly and scores it (on each fold with `splits`). Throws (with the reason) when it cannot complete. */
export async function runEvaluation(job: EvaluationJob, options: RunEvaluationOptions = {}): Promise<EvaluationResult> {
  const started = Date.now();
  const j = validateJob(job);
  const splits = j.splits ?? [j.data.split];
  const scores: EvaluationMetrics[] = [];
  for (const [fold, split] of splits.entries()) {
    const which = j.splits ? ` (fold ${fold + 1} of ${splits.length})` : '';
    const r = await train({
      ...j.data,
      split,
      config: configToOverrides(j.config, j.fixed),
      epochs: j.epochsPerEval,
      seed: j.seed,
      device: j.device,
      audioCache: options.audioCache,
      signal: options.signal,
    });
    if (r.cancelled) throw new SerNativeError('ERR_CANCELLED', `evaluation ${j.index}${which} was cancelled`);
    // Tuning on speakers the model has heard would select for speaker memorisation, not emotion.
    if (r.protocol.name !== 'speaker-independent') {
      throw new SerNativeError('ERR_DATA', `evaluation ${j.index}${which}: the split '${r.split.description}' is speaker-dependent; optimize needs a speaker-independent split (e.g. --split default or speakers:...)`);
    }
    if (r.metrics === null) throw new SerNativeError('ERR_DATA', `evaluation ${j.index}${which}: training produced no validation score`);
    scores.push({ uar: r.metrics.uar, accuracy: r.metrics.accuracy, macroF1: r.metrics.macroF1 });
  }
  const mean = (k: 'uar' | 'accuracy' | 'macroF1') => scores.reduce((a, m) => a + m[k], 0) / scores.length;
  const metrics: EvaluationMetrics = { uar: mean('uar'), accuracy: mean('accuracy'), macroF1: mean('macroF1') };
  if (j.splits) metrics.foldUars = scores.map((m) => m.uar);
  return { fitness: 1 - metrics.uar, metrics, seconds: (Date.now() - started) / 1000 };
}
