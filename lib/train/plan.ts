// One epoch's data decisions, drawn in TypeScript from seeds and handed to the native pipeline once
// (native/epoch_pipeline.h EpochPlan): which clip each entry is, noise or not and its SNR and seed,
// the crop start, the warps, the SpecAugment masks, and the training order. Every draw depends only
// on (seed, epoch, item), so a seeded run is repeatable whatever the threads do.
import { planEpoch } from '../augment/schedule';
import type { EpochPlanArrays } from '../binding';
import type { TrainConfig } from '../model/config';
import { deriveSeed, Rng } from '../random';

export type { EpochPlanArrays };

const TAG_ORDER = 0x0de5;
const TAG_CROP = 7; // the crop/warp stream of the TS pipeline (same draws)
const TAG_MASKS = 11;
const TAG_SPEAKER = 13; // which entries are normalised per speaker (its own stream: the other draws stay as they were)

/** Crop start and warps of one entry: the same draws as the TS pipeline made (lib/train/train.ts before issue 13). */
export function cropOf(noiseSeed: number, frames: number, len: number, warp: TrainConfig['warp']): { start: number; timeScale: number; freqScale: number } {
  const rng = new Rng(deriveSeed(noiseSeed, TAG_CROP));
  const timeScale = 1 + warp.time * (2 * rng.float() - 1);
  const freqScale = 1 + warp.freq * (2 * rng.float() - 1);
  // The crop spans len·timeScale source frames (at most the whole clip).
  const span = Math.min(frames - 1, Math.ceil((len - 1) * timeScale));
  const start = rng.int(Math.max(1, frames - span));
  if (warp.time === 0 && warp.freq === 0) return { start, timeScale: 1, freqScale: 1 };
  return { start, timeScale: Math.min(timeScale, (frames - 1 - start) / Math.max(1, len - 1)), freqScale };
}

/** SpecAugment masks (Park et al. 2019) of one entry: (start, width) pairs, freq masks first; width 0 = none. */
export function masksOf(noiseSeed: number, nMels: number, len: number, s: TrainConfig['specAugment']): number[] {
  const rng = new Rng(deriveSeed(noiseSeed, TAG_MASKS));
  const out: number[] = [];
  const draw = (count: number, width: number, size: number) => {
    for (let k = 0; k < count; k++) {
      if (width <= 0) {
        out.push(0, 0);
        continue;
      }
      const w = rng.int(Math.min(width, size - 1) + 1);
      out.push(rng.int(size - w + 1), w);
    }
  };
  draw(s.freqMasks, s.freqMaskWidth, nMels);
  draw(s.timeMasks, s.timeMaskWidth, len);
  return out;
}

/** The whole epoch's plan; `frames[i]` is clip i's frame count (from setTrainingData). */
export function planTrainingEpoch(config: TrainConfig, epoch: number, frames: ArrayLike<number>, len: number): EpochPlanArrays {
  const decisions = planEpoch(config.noise, { seed: config.seed, epoch, numItems: frames.length, numEpochs: config.epochs });
  const n = decisions.length;
  const nMels = config.features.logMel.nMels;
  const s = config.specAugment;
  const per = 2 * (s.freqMasks + s.timeMasks);
  const plan: EpochPlanArrays = {
    order: new Int32Array(n),
    item: new Int32Array(n),
    snrDb: new Float32Array(n),
    noiseSeed: new Uint32Array(n),
    start: new Int32Array(n),
    timeScale: new Float64Array(n),
    freqScale: new Float64Array(n),
    masks: new Int32Array(n * per),
    freqMasks: s.freqMasks,
    timeMasks: s.timeMasks,
    ...(config.features.speakerNorm > 0 ? { bySpeaker: new Uint8Array(n) } : {}),
  };
  decisions.forEach((d, e) => {
    plan.item[e] = d.item;
    plan.snrDb[e] = d.snrDb === null ? NaN : d.snrDb;
    plan.noiseSeed[e] = d.noiseSeed >>> 0;
    const c = cropOf(d.noiseSeed, frames[d.item], len, config.warp);
    plan.start[e] = c.start;
    plan.timeScale[e] = c.timeScale;
    plan.freqScale[e] = c.freqScale;
    plan.masks.set(masksOf(d.noiseSeed, nMels, len, s), e * per);
    if (plan.bySpeaker) plan.bySpeaker[e] = new Rng(deriveSeed(d.noiseSeed, TAG_SPEAKER)).float() < config.features.speakerNorm ? 1 : 0;
  });
  // Training order: Fisher-Yates from the run seed and the epoch.
  const rng = new Rng(deriveSeed(config.seed, TAG_ORDER, epoch));
  for (let i = 0; i < n; i++) plan.order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = plan.order[i];
    plan.order[i] = plan.order[j];
    plan.order[j] = t;
  }
  return plan;
}
