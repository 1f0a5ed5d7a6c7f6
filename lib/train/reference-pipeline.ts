// The reference TypeScript training pipeline (TrainOptions.pipeline 'js'): noise, noisy log-mel and
// crops on the JS thread before each epoch, SpecAugment in the native training loop. The native
// pipeline (epoch-data.ts, native/epoch_pipeline.cc) replaced it; it stays as the baseline of
// `npm run bench:train` and as the oracle the native inputs are tested against (referenceInput).
// Same recipe and seeds, statistically the same training; it normalises per utterance only.
import { addWhiteNoise } from '../augment/noise';
import { planEpoch } from '../augment/schedule';
import type { EpochPlanArrays } from '../binding';
import type { LogMel } from '../features/logmel';
import * as is from '../is';
import type { TrainConfig } from '../model/config';
import { windowFrames } from '../model/features';
import { clipFeatures, copyWindowWarped } from '../model/reference';
import type { NativeModel } from '../model/native-model';
import type { EpochSource } from './epoch-data';
import { cropOf } from './plan';
import type { PreparedData } from './prepare';
import type { Stopwatch } from './profile';

export function referenceSource(net: NativeModel, d: PreparedData, config: TrainConfig, device: string): EpochSource {
  const f = config.features;
  if (f.speakerNorm > 0) throw is.rangeError('options.pipeline', "'native' with config.features.speakerNorm > 0 (the 'js' baseline normalises per utterance only)", 'js');
  if (f.speechStats) throw is.rangeError('options.pipeline', "'native' with config.features.speechStats (the 'js' baseline takes statistics over every frame)", 'js');
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

/**
 * The model input of plan entry `e` computed in TypeScript (the oracle of the native pipeline's
 * crop/warp/SpecAugment, test/native/epoch-pipeline.test.ts): `m` is the entry's log-mel, `fill`
 * the per-mel value masked cells take (the normalisation mean).
 */
export function referenceInput(m: LogMel, plan: EpochPlanArrays, e: number, len: number, fill: Float32Array): Float32Array {
  const out = new Float32Array(m.nMels * len);
  copyWindowWarped(m, plan.start[e], len, out, 0, plan.timeScale[e], plan.freqScale[e]);
  const per = 2 * (plan.freqMasks + plan.timeMasks);
  const mk = plan.masks.subarray(e * per, (e + 1) * per);
  for (let q = 0; q < plan.freqMasks; q++) {
    for (let k = mk[2 * q]; k < mk[2 * q] + mk[2 * q + 1]; k++) out.fill(fill[k], k * len, (k + 1) * len);
  }
  for (let q = 0; q < plan.timeMasks; q++) {
    const t0 = mk[2 * (plan.freqMasks + q)];
    const w = mk[2 * (plan.freqMasks + q) + 1];
    for (let k = 0; k < m.nMels; k++) out.fill(fill[k], k * len + t0, k * len + t0 + w);
  }
  return out;
}
