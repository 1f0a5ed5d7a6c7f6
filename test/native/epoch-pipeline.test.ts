// The native epoch pipeline (native/epoch_pipeline.cc): seeded and repeatable, noise at the asked
// SNR, inputs equal to the TypeScript reference, and a cancel that leaves no producer thread.
import { native } from '../../lib/binding';
import { measureSnrDb } from '../../lib/augment/noise';
import { resolveTrainConfig, TrainConfig } from '../../lib/model/config';
import { windowFrames } from '../../lib/model/features';
import { clipFeatures } from '../../lib/model/reference';
import { NativeModel } from '../../lib/model/native-model';
import { Rng } from '../../lib/random';
import { planTrainingEpoch } from '../../lib/train/plan';
import { referenceInput } from '../../lib/train/reference-pipeline';

// A small recipe: 32 mels, 1 s crops, warps and both kinds of masks on, half the clips noisy.
const config: TrainConfig = resolveTrainConfig({
  features: { logMel: { nMels: 32 }, clipSeconds: 1 },
  architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 },
  noise: { kind: 'onTheFly', p: 0.5, snrDb: [5, 20] },
  specAugment: { freqMasks: 2, freqMaskWidth: 6, timeMasks: 1, timeMaskWidth: 20 },
  warp: { time: 0.1, freq: 0.08 },
  batchSize: 4,
  epochs: 3,
  seed: 5,
});
const f = config.features;
const len = windowFrames(f);
const request = { batchSize: 4, seed: 9, ...config.specAugment, mixupAlpha: 0 };

// Voiced-like clips of 0.8–1.6 s (some shorter than a crop, so padding is exercised).
function clips(n: number): Float32Array[] {
  const rng = new Rng(3);
  return Array.from({ length: n }, (_, i) => {
    const a = new Float32Array(Math.round(16000 * (0.8 + 0.8 * rng.float())));
    const f0 = 100 + 20 * i;
    for (let t = 0; t < a.length; t++) a[t] = 0.2 * Math.sin((2 * Math.PI * f0 * t) / 16000) * (1 + 0.5 * Math.sin(t / 900)) + 0.01 * rng.normal();
    return a;
  });
}
const audio = clips(10);
const labels = Int32Array.from(audio, (_, i) => i % 3);

function model(): { net: NativeModel; frames: Int32Array; mean: Float32Array } {
  const net = new NativeModel(config.architecture, f.logMel.nMels, 3, 'cpu', 1);
  const set = net.setTrainingData(audio, labels, f.logMel, { utteranceNorm: f.utteranceNorm, windowFrames: len, padSamples: Math.round(f.clipSeconds * f.logMel.sampleRate) });
  net.setNormalization(set.mean, set.std);
  net.configureOptimizer(config.optimizer, null);
  return { net, frames: set.frames, mean: set.mean };
}

test('frame counts and normalisation statistics match the TypeScript features', () => {
  const { frames, mean } = model();
  const ts = clipFeatures(audio, f);
  expect(Array.from(frames)).toEqual(ts.map((m) => m.frames));
  const sum = new Float64Array(f.logMel.nMels);
  let count = 0;
  for (const m of ts) {
    for (let k = 0; k < m.nMels; k++) for (let t = 0; t < m.frames; t++) sum[k] += m.data[k * m.frames + t];
    count += m.frames;
  }
  for (let k = 0; k < f.logMel.nMels; k++) expect(mean[k]).toBeCloseTo(sum[k] / count, 3);
});

test('the noise has the requested SNR within 0.1 dB, is seeded, and leaves silence alone', () => {
  for (const snr of [0, 10, 17.5, 30]) {
    const noisy = native().whiteNoise(audio[2], snr, 1234);
    expect(Math.abs(measureSnrDb(audio[2], noisy) - snr)).toBeLessThan(0.1);
  }
  expect(native().whiteNoise(audio[2], 10, 7)).toEqual(native().whiteNoise(audio[2], 10, 7));
  expect(native().whiteNoise(audio[2], 10, 7)).not.toEqual(native().whiteNoise(audio[2], 10, 8));
  expect(native().whiteNoise(new Float32Array(100), 10, 7)).toEqual(new Float32Array(100));
});

test('crop/warp/SpecAugment inputs equal the TypeScript reference (clean and noisy entries)', () => {
  const { net, frames, mean } = model();
  const plan = planTrainingEpoch(config, 1, frames, len);
  const entries = Int32Array.from({ length: plan.item.length }, (_, e) => e);
  expect(Array.from(plan.snrDb).some(Number.isNaN)).toBe(true);
  expect(Array.from(plan.snrDb).some((v) => !Number.isNaN(v))).toBe(true);
  const got = net.planInputs(plan, entries);
  const per = f.logMel.nMels * len;
  for (const e of entries) {
    const clip = audio[plan.item[e]];
    // The noisy clip as the pipeline made it (int16 storage, then seeded noise), then TS log-mel and crop.
    const source = Number.isNaN(plan.snrDb[e]) ? clip : native().whiteNoise(quantised(clip), plan.snrDb[e], plan.noiseSeed[e]);
    const m = clipFeatures([source], f)[0];
    const want = referenceInput(m, plan, e, len, mean);
    let worst = 0;
    for (let i = 0; i < per; i++) worst = Math.max(worst, Math.abs(got[e * per + i] - want[i]));
    expect(worst).toBeLessThan(Number.isNaN(plan.snrDb[e]) ? 1e-3 : 2e-2);
  }
});

// The int16 storage of a clip with a per-clip peak scale (native TrainingSet), for the reference.
function quantised(x: Float32Array): Float32Array {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  const scale = Math.fround(peak > 0 ? Math.fround(peak / 32767) : 1);
  return x.map((v) => Math.fround(Math.round(Math.fround(v / scale)) * scale));
}

test('a seeded planned epoch is repeatable whatever the prefetch depth, and another plan differs', async () => {
  const run = async (prefetch: number, epoch: number) => {
    const { net, frames } = model();
    const stats = await net.trainPlannedEpoch({ ...planTrainingEpoch(config, epoch, frames, len), prefetch }, request);
    return { loss: stats.loss, batches: stats.batches, weights: net.getState().map((t) => Array.from(t.data.slice(0, 8))) };
  };
  const a = await run(3, 0);
  const b = await run(1, 0);
  expect(a.batches).toBe(3); // 10 entries in batches of 4, 4 and 2
  expect(b).toEqual(a);
  const c = await run(3, 1);
  expect(c.loss).not.toBe(a.loss);
});

test('cancelling during the prefetch leaves no producer thread and no growing memory', async () => {
  const { net, frames } = model();
  const many = { ...config, noise: { kind: 'onTheFly' as const, p: 1, snrDb: [5, 20] as [number, number] } };
  const base = planTrainingEpoch(many, 0, frames, len);
  // 40 copies of the plan's entries: long enough to cancel in the middle.
  const order = Int32Array.from({ length: base.order.length * 40 }, (_, i) => base.order[i % base.order.length]);
  const rss: number[] = [];
  for (let round = 0; round < 6; round++) {
    const controller = new AbortController();
    const stats = await net.trainPlannedEpoch({ ...base, order, prefetch: 2 }, request, (p) => {
      if (p.batch === 2) controller.abort();
    }, controller.signal);
    expect(stats.cancelled).toBe(true);
    expect(stats.batches).toBeLessThan(order.length / 4);
    expect(native().liveProducerThreads()).toBe(0);
    rss.push(process.memoryUsage().rss);
  }
  // After the first rounds (allocator warm-up) the resident set stays flat.
  expect(rss[5] - rss[2]).toBeLessThan(64 * 2 ** 20);
});

test('bad plans fail with a clear message, before any thread starts', async () => {
  const { net, frames } = model();
  const plan = planTrainingEpoch(config, 0, frames, len);
  await expect(net.trainPlannedEpoch({ ...plan, item: plan.item.map(() => 99) }, request)).rejects.toThrow(/plan.item\[0\] is not a clip/);
  await expect(net.trainPlannedEpoch({ ...plan, masks: plan.masks.subarray(1) }, request)).rejects.toThrow(/plan.masks/);
  expect(native().liveProducerThreads()).toBe(0);
});
