// The model's architecture and the training recipe, with their defaults and validation.
import * as is from '../is';
import type { NoiseSchedule } from '../augment/schedule';
import { validateSchedule } from '../augment/schedule';
import { LogMelOptions, resolveLogMelOptions } from '../features/options';

/** CNN+LSTM architecture (native/model.cc). */
export interface Architecture {
  /** Output channels of the four conv blocks. */
  channels: [number, number, number, number];
  /** Max-pool sizes over mel bins and over frames, per block. */
  poolFreq: [number, number, number, number];
  poolTime: [number, number, number, number];
  convDropout: number;
  activation: 'relu' | 'elu' | 'gelu';
  lstmHidden: number;
  lstmLayers: number;
  bidirectional: boolean;
  lstmDropout: number;
  headDropout: number;
  /** How the LSTM's outputs over time become one vector: mean, last step, or attention. */
  pooling: 'mean' | 'last' | 'attention';
}

/** What turns audio into the model's input; saved in every bundle so prediction matches training. */
export interface FeatureConfig {
  logMel: LogMelOptions;
  /** Length of the training crops and of the evaluation windows, seconds. */
  clipSeconds: number;
  /** Hop between evaluation windows over a long clip, seconds (the clip's score is their mean). */
  windowHopSeconds: number;
  /** Subtract each utterance's per-mel mean (cepstral-mean-style), which removes a speaker/channel offset. */
  utteranceNorm: boolean;
  /** Also divide by each utterance's per-mel standard deviation (per-utterance CMVN); needs utteranceNorm. */
  utteranceStd: boolean;
  /**
   * An utterance's own statistics come from its speech frames only (those speech detection keeps,
   * lib/model/speaker-stats.ts), as a voice's statistics do, so leading silence and pauses do not
   * shift them and own and speaker statistics mean the same thing. Needs utteranceNorm.
   */
  speechStats: boolean;
  /**
   * Speaker normalisation (lib/model/speaker-stats.ts): the probability that a training entry is
   * normalised with its speaker's per-mel statistics (from all of that speaker's training clips)
   * instead of its own; 0 = off. Between 0 and 1 the network learns both, so a lone clip (its own
   * statistics) and an adapted session (the voice's statistics) both work. Needs utteranceNorm.
   */
  speakerNorm: number;
}

export interface OptimizerConfig {
  lr: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
  /** AdamW's decoupled weight decay instead of Adam's L2 term. */
  decoupledWeightDecay: boolean;
  /** Gradient clipping by global norm (0 = off). */
  clipNorm: number;
  labelSmoothing: number;
  /** 'balanced' weighs classes by inverse frequency in the training set. */
  classWeights: 'none' | 'balanced';
}

export interface TrainConfig {
  features: FeatureConfig;
  architecture: Architecture;
  optimizer: OptimizerConfig;
  epochs: number;
  batchSize: number;
  /** Stop when validation UAR has not improved for this many epochs (0 = never stop early). */
  patience: number;
  /** Learning-rate schedule over epochs; warmup is linear from lr/10. */
  lrSchedule: 'constant' | 'cosine' | 'plateau';
  warmupEpochs: number;
  /** White-noise augmentation schedule (lib/augment/schedule.ts). */
  noise: NoiseSchedule;
  specAugment: { freqMasks: number; freqMaskWidth: number; timeMasks: number; timeMaskWidth: number };
  mixupAlpha: number;
  /**
   * Arithmetic of the training forward pass: 'bfloat16' runs it under LibTorch's CPU autocast
   * (convolutions, LSTM and linear layers in bfloat16 where the CPU has native support, e.g.
   * avx512_bf16); weights, gradients' accumulation and the optimizer stay float32, and prediction
   * is float32 either way.
   */
  precision: 'float32' | 'bfloat16';
  /** Exponential moving average of the weights, updated after each epoch (0 = off): validation, checkpoints and the bundle use the average (lib/train/weight-average.ts). */
  emaDecay: number;
  /** Training-time warps of each crop: tempo by up to ±time and the mel axis by up to ±freq (relative). */
  warp: { time: number; freq: number };
  seed: number;
}

export const DEFAULT_ARCHITECTURE: Architecture = {
  channels: [24, 48, 96, 96],
  poolFreq: [2, 2, 2, 2],
  poolTime: [2, 2, 2, 1],
  convDropout: 0.1,
  activation: 'relu',
  lstmHidden: 128,
  lstmLayers: 2,
  bidirectional: true,
  lstmDropout: 0.2,
  headDropout: 0.3,
  pooling: 'mean',
};

/** The default recipe: the seed's (white noise, log-mel, CNN+LSTM, Adam, cross-entropy) with a few robust additions. */
export function defaultTrainConfig(): TrainConfig {
  return {
    features: { logMel: resolveLogMelOptions({ preset: 'default' }), clipSeconds: 3, windowHopSeconds: 1, utteranceNorm: true, utteranceStd: false, speechStats: false, speakerNorm: 0 },
    architecture: { ...DEFAULT_ARCHITECTURE, channels: [...DEFAULT_ARCHITECTURE.channels], poolFreq: [...DEFAULT_ARCHITECTURE.poolFreq], poolTime: [...DEFAULT_ARCHITECTURE.poolTime] },
    optimizer: { lr: 1.5e-3, beta1: 0.9, beta2: 0.999, weightDecay: 1e-4, decoupledWeightDecay: true, clipNorm: 5, labelSmoothing: 0.05, classWeights: 'balanced' },
    epochs: 60,
    batchSize: 32,
    patience: 15,
    lrSchedule: 'cosine',
    warmupEpochs: 2,
    noise: { kind: 'onTheFly', p: 0.5, snrDb: [10, 30] },
    specAugment: { freqMasks: 1, freqMaskWidth: 8, timeMasks: 1, timeMaskWidth: 25 },
    mixupAlpha: 0,
    precision: 'float32',
    emaDecay: 0,
    warp: { time: 0.1, freq: 0.08 },
    seed: 1,
  };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, over: unknown, where: string): T {
  if (over === undefined) return base;
  const o = is.plainObject(where, over);
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  is.knownKeys(where, o, Object.keys(out));
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const b = out[k];
    // Objects merge key by key, except the noise schedule and log-mel options which are replaced/resolved whole.
    out[k] = b && typeof b === 'object' && !Array.isArray(b) && k !== 'noise' && k !== 'logMel' ? merge(b, v, `${where}.${k}`) : v;
  }
  return out as T;
}

function tuple4(name: string, v: unknown): [number, number, number, number] {
  if (!Array.isArray(v) || v.length !== 4) throw is.invalidParameterError(name, 'an array of 4 positive integers', v);
  v.forEach((x, i) => is.positiveInteger(`${name}[${i}]`, x));
  return v as [number, number, number, number];
}

export function validateArchitecture(a: Architecture, where = 'architecture'): Architecture {
  tuple4(`${where}.channels`, a.channels);
  tuple4(`${where}.poolFreq`, a.poolFreq);
  tuple4(`${where}.poolTime`, a.poolTime);
  for (const k of ['convDropout', 'lstmDropout', 'headDropout'] as const) is.number(`${where}.${k}`, a[k], { min: 0, max: 0.95 });
  is.oneOf(`${where}.activation`, a.activation, ['relu', 'elu', 'gelu'] as const);
  is.positiveInteger(`${where}.lstmHidden`, a.lstmHidden);
  is.positiveInteger(`${where}.lstmLayers`, a.lstmLayers);
  is.boolean(`${where}.bidirectional`, a.bidirectional);
  is.oneOf(`${where}.pooling`, a.pooling, ['mean', 'last', 'attention'] as const);
  return a;
}

export function validateFeatureConfig(f: FeatureConfig, architecture?: Architecture, where = 'features'): FeatureConfig {
  const logMel = resolveLogMelOptions(f.logMel as Partial<LogMelOptions>);
  is.number(`${where}.clipSeconds`, f.clipSeconds, { min: 0.25, max: 60 });
  is.number(`${where}.windowHopSeconds`, f.windowHopSeconds, { min: 0.01, max: 60 });
  is.boolean(`${where}.utteranceNorm`, f.utteranceNorm);
  // Bundles written before these options existed normalised by the utterance's mean alone.
  const utteranceStd = f.utteranceStd === undefined ? false : is.boolean(`${where}.utteranceStd`, f.utteranceStd);
  const speakerNorm = f.speakerNorm === undefined ? 0 : is.number(`${where}.speakerNorm`, f.speakerNorm, { min: 0, max: 1 });
  const speechStats = f.speechStats === undefined ? false : is.boolean(`${where}.speechStats`, f.speechStats);
  if ((utteranceStd || speakerNorm > 0 || speechStats) && !f.utteranceNorm) throw is.rangeError(`${where}.utteranceNorm`, `true when ${where}.utteranceStd, ${where}.speechStats or ${where}.speakerNorm is set (they change how the mean is removed)`, f.utteranceNorm);
  if (architecture) {
    const mels = architecture.poolFreq.reduce((m, p) => Math.floor(m / p), logMel.nMels);
    if (mels < 1) throw is.rangeError(`${where}.logMel.nMels`, `at least ${architecture.poolFreq.reduce((a, p) => a * p, 1)} mel bands for the frequency pooling ${JSON.stringify(architecture.poolFreq)}`, logMel.nMels);
    const frames = 1 + Math.floor((f.clipSeconds * logMel.sampleRate) / logMel.hopLength);
    const t = architecture.poolTime.reduce((m, p) => Math.floor(m / p), frames);
    if (t < 1) throw is.rangeError(`${where}.clipSeconds`, `a clip long enough for the time pooling ${JSON.stringify(architecture.poolTime)} (${architecture.poolTime.reduce((a, p) => a * p, 1)} frames of ${logMel.hopLength / logMel.sampleRate} s at least)`, f.clipSeconds);
  }
  return { ...f, logMel, utteranceStd, speechStats, speakerNorm };
}

/** Defaults overridden by `overrides` (validated; unknown keys are errors naming the key). */
export function resolveTrainConfig(overrides: DeepPartial<TrainConfig> | undefined): TrainConfig {
  const c = merge(defaultTrainConfig(), overrides, 'config');
  validateArchitecture(c.architecture, 'config.architecture');
  c.features = validateFeatureConfig(c.features, c.architecture, 'config.features');
  const o = c.optimizer;
  is.number('config.optimizer.lr', o.lr, { min: 0, exclusiveMin: true, max: 10 });
  is.number('config.optimizer.beta1', o.beta1, { min: 0, max: 0.9999 });
  is.number('config.optimizer.beta2', o.beta2, { min: 0, max: 0.99999 });
  is.number('config.optimizer.weightDecay', o.weightDecay, { min: 0 });
  is.boolean('config.optimizer.decoupledWeightDecay', o.decoupledWeightDecay);
  is.number('config.optimizer.clipNorm', o.clipNorm, { min: 0 });
  is.number('config.optimizer.labelSmoothing', o.labelSmoothing, { min: 0, max: 0.5 });
  is.oneOf('config.optimizer.classWeights', o.classWeights, ['none', 'balanced'] as const);
  is.positiveInteger('config.epochs', c.epochs);
  is.positiveInteger('config.batchSize', c.batchSize);
  is.number('config.patience', c.patience, { min: 0, integer: true });
  is.oneOf('config.lrSchedule', c.lrSchedule, ['constant', 'cosine', 'plateau'] as const);
  is.number('config.warmupEpochs', c.warmupEpochs, { min: 0, integer: true });
  c.noise = validateSchedule(c.noise, 'config.noise');
  for (const k of ['freqMasks', 'freqMaskWidth', 'timeMasks', 'timeMaskWidth'] as const) is.number(`config.specAugment.${k}`, c.specAugment[k], { min: 0, integer: true });
  is.number('config.mixupAlpha', c.mixupAlpha, { min: 0 });
  is.oneOf('config.precision', c.precision, ['float32', 'bfloat16'] as const);
  is.number('config.emaDecay', c.emaDecay, { min: 0, max: 0.999 });
  is.number('config.warp.time', c.warp.time, { min: 0, max: 0.5 });
  is.number('config.warp.freq', c.warp.freq, { min: 0, max: 0.5 });
  is.number('config.seed', c.seed, { min: 0, integer: true });
  return c;
}

/** Learning rate for a 0-based epoch under the schedule (plateau is handled by the loop). */
export function learningRateAt(c: TrainConfig, epoch: number): number {
  const lr = c.optimizer.lr;
  if (epoch < c.warmupEpochs) return lr * (0.1 + (0.9 * (epoch + 1)) / (c.warmupEpochs + 1));
  if (c.lrSchedule === 'cosine') {
    const span = Math.max(1, c.epochs - c.warmupEpochs);
    const t = (epoch - c.warmupEpochs) / span;
    return lr * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * t)));
  }
  return lr;
}
