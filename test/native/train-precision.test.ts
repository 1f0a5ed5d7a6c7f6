// TrainConfig.precision 'bfloat16': the training forward pass under LibTorch's CPU autocast
// (native/trainer.cc CpuAutocast). The float32 path must stay bit for bit what it was; bfloat16
// must train (finite losses near float32's) and really change the arithmetic, with float32 weights.
import { resolveTrainConfig, TrainConfig } from '../../lib/model/config';
import { windowFrames } from '../../lib/model/features';
import { NativeModel } from '../../lib/model/native-model';
import type { EpochRequest } from '../../lib/binding';
import { Rng } from '../../lib/random';
import { planTrainingEpoch } from '../../lib/train/plan';

const config: TrainConfig = resolveTrainConfig({
  features: { logMel: { nMels: 32 }, clipSeconds: 1 },
  architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 },
  noise: { kind: 'onTheFly', p: 0.5, snrDb: [5, 20] },
  batchSize: 4,
  seed: 5,
});
const f = config.features;
const len = windowFrames(f);
const rng = new Rng(3);
const audio = Array.from({ length: 12 }, (_, i) => {
  const a = new Float32Array(Math.round(16000 * (0.8 + 0.8 * rng.float())));
  for (let t = 0; t < a.length; t++) a[t] = 0.2 * Math.sin((2 * Math.PI * (100 + 25 * i) * t) / 16000) * (1 + 0.5 * Math.sin(t / 900)) + 0.01 * rng.normal();
  return a;
});
const labels = Int32Array.from(audio, (_, i) => i % 3);

async function run(o: Partial<EpochRequest>) {
  const net = new NativeModel(config.architecture, f.logMel.nMels, 3, 'cpu', 1);
  const set = net.setTrainingData(audio, labels, f.logMel, { utteranceNorm: true, windowFrames: len, padSamples: Math.round(f.clipSeconds * f.logMel.sampleRate) });
  net.setNormalization(set.mean, set.std);
  net.configureOptimizer(config.optimizer, null);
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const r = { batchSize: 4, seed: 9 + epoch, ...config.specAugment, mixupAlpha: 0, ...o };
    losses.push((await net.trainPlannedEpoch(planTrainingEpoch(config, epoch, set.frames, len), r)).loss);
  }
  return { net, losses, weights: net.getState().map((t) => t.data) };
}

test('bfloat16 autocast trains near float32 with float32 weights; float32 is unchanged and deterministic', async () => {
  const a = await run({});
  const b = await run({ bf16: false });
  expect(b.losses).toEqual(a.losses);
  expect(b.weights).toEqual(a.weights);
  const h = await run({ bf16: true });
  h.losses.forEach((l, e) => {
    expect(Number.isFinite(l)).toBe(true);
    expect(Math.abs(l - a.losses[e]) / a.losses[e]).toBeLessThan(0.1);
  });
  // The arithmetic really changed (bfloat16 keeps 8 bits of mantissa), and the weights are still float32.
  expect(h.losses).not.toEqual(a.losses);
  h.weights.forEach((w) => expect(Object.prototype.toString.call(w)).toBe('[object Float32Array]')); // arrays made by the addon come from another realm under jest
  // Prediction after bfloat16 training is float32: the same network predicts the same twice.
  const x = new Float32Array(2 * f.logMel.nMels * len).map(() => rng.normal());
  expect(h.net.predict(x, 2, len)).toEqual(h.net.predict(x, 2, len));
  await expect(run({ bf16: 'yes' as unknown as boolean })).rejects.toThrow(/bf16/);
  expect(() => resolveTrainConfig({ precision: 'fp16' as never })).toThrow(/config\.precision/);
}, 120000);
