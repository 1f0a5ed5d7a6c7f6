// config.emaDecay (lib/train/weight-average.ts) on a real network: the average it loads is
// decay·previous + (1 − decay)·current, the raw weights come back for training, and a training run
// with it keeps the averaged weights in its bundle.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveTrainConfig } from '../../lib/model/config';
import { NativeModel, TensorState } from '../../lib/model/native-model';
import { train } from '../../lib/train/train';
import { WeightAverage } from '../../lib/train/weight-average';
import { loadModel } from '../../lib/model/model';
import { SMALL } from '../helpers/bundles';

const c = resolveTrainConfig(SMALL);
const net = (seed: number) => new NativeModel(c.architecture, c.features.logMel.nMels, 3, 'cpu', seed);

function maxDiff(a: TensorState[], b: TensorState[]): number {
  let worst = 0;
  a.forEach((t, i) => t.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - b[i].data[k])))));
  return worst;
}

test('the average is decay·previous + (1 − decay)·current, and training resumes from the raw weights', () => {
  const model = net(1);
  const first = model.getState();
  const second = net(2).getState();
  const average = new WeightAverage(0.75);

  const raw1 = average.enter(model);
  expect(maxDiff(raw1, first)).toBe(0);
  expect(maxDiff(model.getState(), first)).toBe(0); // the first average is the weights themselves
  average.leave(model, raw1);

  model.setState(second); // as if an epoch had trained
  const raw2 = average.enter(model);
  expect(maxDiff(raw2, second)).toBe(0);
  const expected = first.map((t, i) => ({ ...t, data: t.data.map((v, k) => 0.75 * v + 0.25 * second[i].data[k]) }));
  expect(maxDiff(model.getState(), expected)).toBeLessThan(1e-6);
  expect(maxDiff(model.getState(), second)).toBeGreaterThan(1e-3);
  average.leave(model, raw2);
  expect(maxDiff(model.getState(), second)).toBe(0);
});

test('emaDecay out of range is an error naming the field', () => {
  expect(() => resolveTrainConfig({ emaDecay: 1 })).toThrow(/config\.emaDecay/);
  expect(() => resolveTrainConfig({ emaDecay: -0.1 })).toThrow(/config\.emaDecay/);
});

test('a run with emaDecay trains, validates the average and saves it', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-ema-'));
  try {
    const r = await train({
      demo: { actors: 8, emotions: ['neutral', 'happy', 'sad', 'angry'], seconds: 2 },
      demoDir: path.join(out, 'demo'),
      out: path.join(out, 'run'),
      epochs: 3,
      device: 'cpu',
      config: { features: { clipSeconds: 1.5, windowHopSeconds: 0.5 }, architecture: { channels: [8, 16, 16, 16], lstmHidden: 32 }, batchSize: 16, warmupEpochs: 0, emaDecay: 0.5 },
    });
    expect(r.config.emaDecay).toBe(0.5);
    expect(r.history).toHaveLength(3);
    expect(r.metrics?.uar).toBeGreaterThan(0);
    expect(loadModel(path.join(out, 'run', 'model')).predict({ samples: Float32Array.from({ length: 24000 }, (_, i) => 0.3 * Math.sin(i / 7)), sampleRate: 16000 }).probabilities).toBeDefined();
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120000);
