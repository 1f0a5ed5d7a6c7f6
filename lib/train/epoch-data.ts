// Step 2a of train(): one epoch's training set — the noise plan, the log-mel of the noisy copies,
// and a random (optionally warped) crop of every planned clip, stacked [n, nMels, len].
import { addWhiteNoise } from '../augment/noise';
import { planEpoch } from '../augment/schedule';
import type { LogMel } from '../features/logmel';
import type { TrainConfig } from '../model/config';
import { clipFeatures, copyWindow, copyWindowWarped, windowFrames } from '../model/features';
import { Rng, deriveSeed } from '../random';
import type { PreparedData } from './prepare';
import type { Stopwatch } from './profile';

export interface EpochData {
  x: Float32Array;
  y: Int32Array;
  /** Frames per crop. */
  len: number;
}

export function epochData(d: PreparedData, config: TrainConfig, epoch: number, device: string, watch: Stopwatch): EpochData {
  const f = config.features;
  const len = windowFrames(f);
  const nMels = f.logMel.nMels;
  // Each planned entry is a clean or noisy copy of one clip.
  const plan = planEpoch(config.noise, { seed: config.seed, epoch, numItems: d.cleanTrain.length, numEpochs: config.epochs });
  const noisyIdx = plan.map((p, i) => (p.snrDb === null ? -1 : i)).filter((i) => i >= 0);
  const noisyClips = noisyIdx.map((i) => addWhiteNoise(d.trainClips[plan[i].item], plan[i].snrDb!, { seed: plan[i].noiseSeed }));
  watch.lap('noise');
  const noisyFeats = new Map<number, LogMel>();
  clipFeatures(noisyClips, f, device).forEach((m, j) => noisyFeats.set(noisyIdx[j], m));
  watch.lap('noisyLogMel');

  const x = new Float32Array(plan.length * nMels * len);
  const y = new Int32Array(plan.length);
  plan.forEach((p, i) => {
    const m = noisyFeats.get(i) ?? d.cleanTrain[p.item];
    const rng = new Rng(deriveSeed(p.noiseSeed, 7));
    const timeScale = 1 + config.warp.time * (2 * rng.float() - 1);
    const freqScale = 1 + config.warp.freq * (2 * rng.float() - 1);
    // The crop spans len·timeScale source frames (at most the whole clip).
    const span = Math.min(m.frames - 1, Math.ceil((len - 1) * timeScale));
    const start = rng.int(Math.max(1, m.frames - span));
    if (config.warp.time === 0 && config.warp.freq === 0) copyWindow(m, start, len, x, i * nMels * len);
    else copyWindowWarped(m, start, len, x, i * nMels * len, Math.min(timeScale, (m.frames - 1 - start) / Math.max(1, len - 1)), freqScale);
    y[i] = d.trainLabels[p.item];
  });
  watch.lap('crops');
  return { x, y, len };
}
