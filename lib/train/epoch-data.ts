// Step 2a of train(): where each epoch's training batches come from (an EpochSource).
//   'native' (the default): the training clips go to the network once (NativeModel.setTrainingData:
//     int16 audio, clean log-mel and its statistics computed natively); each epoch, plan.ts draws the
//     plan (noise, SNR, seeds, crops, warps, SpecAugment masks, order) and a native producer thread
//     turns it into batches while earlier batches train (native/epoch_pipeline.cc).
//   'js': the previous TypeScript pipeline — noise, noisy log-mel and crops on the JS thread before
//     the epoch, SpecAugment in the training loop. Kept as the baseline of bench/train-epochs.ts
//     (TrainOptions.pipeline); same recipe and seeds, statistically the same training.
import { addWhiteNoise } from '../augment/noise';
import { planEpoch } from '../augment/schedule';
import type { BatchProgress, EpochRequest, EpochStats } from '../binding';
import type { LogMel } from '../features/logmel';
import type { TrainConfig } from '../model/config';
import { clipFeatures, copyWindowWarped, windowFrames } from '../model/features';
import type { NativeModel } from '../model/native-model';
import { packStats } from '../model/speaker-stats';
import * as is from '../is';
import { cropOf, planTrainingEpoch } from './plan';
import type { PreparedData } from './prepare';
import type { Stopwatch } from './profile';

export type PipelineKind = 'native' | 'js';

export interface EpochSource {
  kind: PipelineKind;
  /** Per-mel mean and standard deviation over every frame of the clean training features. */
  stats: { mean: Float32Array; std: Float32Array };
  /** Trains one epoch on its data; the data phases are added to `watch.profile`. */
  trainEpoch(epoch: number, request: EpochRequest, onBatch: (p: BatchProgress) => void, signal: AbortSignal | undefined, watch: Stopwatch): Promise<EpochStats>;
}

export function epochSource(kind: PipelineKind, net: NativeModel, d: PreparedData, config: TrainConfig, device: string): EpochSource {
  return kind === 'native' ? nativeSource(net, d, config) : jsSource(net, d, config, device);
}

function nativeSource(net: NativeModel, d: PreparedData, config: TrainConfig): EpochSource {
  const f = config.features;
  const len = windowFrames(f);
  // Speaker normalisation: each clip's speaker's statistics, from that speaker's clean training clips.
  const speakerStats = f.speakerNorm > 0 ? packStats(d.trainStats!, f.logMel.nMels) : undefined;
  const set = net.setTrainingData(d.trainClips, d.trainLabels, f.logMel, { utteranceNorm: f.utteranceNorm, utteranceStd: f.utteranceStd, speakerStats, windowFrames: len, padSamples: Math.round(f.clipSeconds * f.logMel.sampleRate) });
  // The network holds the audio now (int16); our float copies can go (an audioCache keeps its own).
  d.trainClips.length = 0;
  return {
    kind: 'native',
    stats: { mean: set.mean, std: set.std },
    async trainEpoch(epoch, request, onBatch, signal, watch) {
      watch.profile.pipeline = 'native';
      const stats = await net.trainPlannedEpoch(planTrainingEpoch(config, epoch, set.frames, len), request, onBatch, signal);
      // Producer-thread seconds, overlapped with training (not on the epoch's critical path).
      for (const k of ['noise', 'noisyLogMel', 'crops'] as const) watch.profile[k] += stats.seconds[k];
      return stats;
    },
  };
}

function jsSource(net: NativeModel, d: PreparedData, config: TrainConfig, device: string): EpochSource {
  const f = config.features;
  if (f.speakerNorm > 0) throw is.rangeError('options.pipeline', "'native' with config.features.speakerNorm > 0 (the 'js' baseline normalises per utterance only)", 'js');
  // Clean features are computed once; only noisy copies are recomputed per epoch.
  const cleanTrain = clipFeatures(d.trainClips, f, device);
  return {
    kind: 'js',
    stats: normalisationStats(cleanTrain, f.logMel.nMels),
    async trainEpoch(epoch, request, onBatch, signal, watch) {
      watch.profile.pipeline = 'js';
      const { x, y, len } = jsEpochData(d, cleanTrain, config, epoch, device, watch);
      return net.trainEpoch(x, y, len, request, onBatch, signal);
    },
  };
}

/** One epoch's training set on the JS thread: noise plan, noisy copies' log-mel, a crop of every entry, stacked [n, nMels, len]. */
function jsEpochData(d: PreparedData, cleanTrain: LogMel[], config: TrainConfig, epoch: number, device: string, watch: Stopwatch): { x: Float32Array; y: Int32Array; len: number } {
  const f = config.features;
  const len = windowFrames(f);
  const nMels = f.logMel.nMels;
  const plan = planEpoch(config.noise, { seed: config.seed, epoch, numItems: cleanTrain.length, numEpochs: config.epochs });
  const noisyIdx = plan.map((p, i) => (p.snrDb === null ? -1 : i)).filter((i) => i >= 0);
  const noisyClips = noisyIdx.map((i) => addWhiteNoise(d.trainClips[plan[i].item], plan[i].snrDb!, { seed: plan[i].noiseSeed }));
  watch.lap('noise');
  const noisyFeats = new Map<number, LogMel>();
  clipFeatures(noisyClips, f, device).forEach((m, j) => noisyFeats.set(noisyIdx[j], m));
  watch.lap('noisyLogMel');
  const x = new Float32Array(plan.length * nMels * len);
  const y = new Int32Array(plan.length);
  plan.forEach((p, i) => {
    const m = noisyFeats.get(i) ?? cleanTrain[p.item];
    const c = cropOf(p.noiseSeed, m.frames, len, config.warp);
    copyWindowWarped(m, c.start, len, x, i * nMels * len, c.timeScale, c.freqScale);
    y[i] = d.trainLabels[p.item];
  });
  watch.lap('crops');
  return { x, y, len };
}

/** Per-mel mean and standard deviation over every frame of the training features. */
function normalisationStats(feats: LogMel[], nMels: number): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(nMels);
  const sq = new Float64Array(nMels);
  let count = 0;
  for (const m of feats) {
    for (let k = 0; k < nMels; k++) {
      const row = m.data.subarray(k * m.frames, (k + 1) * m.frames);
      for (let t = 0; t < row.length; t++) {
        sum[k] += row[t];
        sq[k] += row[t] * row[t];
      }
    }
    count += m.frames;
  }
  const mean = new Float32Array(nMels);
  const std = new Float32Array(nMels);
  for (let k = 0; k < nMels; k++) {
    mean[k] = sum[k] / count;
    std[k] = Math.sqrt(Math.max(1e-8, sq[k] / count - mean[k] * mean[k]));
  }
  return { mean, std };
}
