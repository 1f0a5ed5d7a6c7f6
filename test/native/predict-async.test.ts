// predictAsync/predictBatchAsync/timelineAsync (native pipeline on the libuv pool, micro-batched
// per model) against the synchronous forms and against the TypeScript feature path used in training.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';
import { clipFeatures, evaluationWindows } from '../../lib/model/reference';
import { NativeModel } from '../../lib/model/native-model';
import { readBundle } from '../../lib/model/bundle';
import { meanByOwner } from '../../lib/metrics';
import { decodeAudio } from '../../lib/audio/decode';
import { untrainedBundle } from '../helpers/bundles';
import { HAVE_SHARED_DATA, SAMPLE_CLIPS } from '../helpers/shared-data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-async-'));
const dir = path.join(tmp, 'model');
const labels = ['neutral', 'happy', 'sad', 'angry'];
untrainedBundle(dir, labels, 7, { features: { clipSeconds: 1, windowHopSeconds: 0.5 }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 } });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A voiced-like test signal: harmonics of a gliding f0 with an amplitude envelope, `seconds` long. */
function tone(seconds: number, f0: number, sampleRate = 16000): { samples: Float32Array; sampleRate: number } {
  const n = Math.round(seconds * sampleRate);
  const s = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    phase += (2 * Math.PI * f0 * (1 + 0.2 * Math.sin(2 * Math.PI * 0.7 * t))) / sampleRate;
    let v = 0;
    for (let h = 1; h <= 6; h++) v += Math.sin(h * phase) / h;
    s[i] = 0.2 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2.5 * t));
  }
  return { samples: s, sampleRate };
}

const inputs = [tone(0.6, 120), tone(1.3, 180), tone(2.7, 220, 22050), tone(4.2, 150, 48000)];

test('the native pipeline equals the TypeScript feature path (clipFeatures + evaluationWindows + forward + mean)', () => {
  const model = loadModel(dir);
  const clips = inputs.map((x) => decodeAudio(x, 16000));
  const native = model.probabilities(clips);
  const { meta, state } = readBundle(dir);
  const net = new NativeModel(meta.architecture, meta.features.logMel.nMels, labels.length, 'cpu', 0);
  net.setState(state);
  const w = evaluationWindows(clipFeatures(clips, meta.features), meta.features);
  const ts = meanByOwner(net.predict(w.data, w.n, w.frames), w.owner, clips.length, labels.length);
  expect(native.length).toBe(ts.length);
  for (let i = 0; i < ts.length; i++) expect(Math.abs(native[i] - ts[i])).toBeLessThan(1e-6);
});

test('predictAsync and predictBatchAsync equal predict', async () => {
  const model = loadModel(dir);
  const sync = model.predictBatch(inputs, { vad: false });
  const batch = await model.predictBatchAsync(inputs, { vad: false });
  const one = await Promise.all(inputs.map((x) => model.predictAsync(x, { vad: false })));
  for (let i = 0; i < inputs.length; i++) {
    expect(batch[i].emotion).toBe(sync[i].emotion);
    expect(one[i].emotion).toBe(sync[i].emotion);
    for (const l of labels) {
      expect(batch[i].probabilities![l]).toBeCloseTo(sync[i].probabilities![l], 6);
      expect(one[i].probabilities![l]).toBeCloseTo(sync[i].probabilities![l], 6);
    }
  }
  // Distinct inputs give distinct outputs: rows were not mixed up.
  expect(sync[0].probabilities).not.toEqual(sync[3].probabilities);
});

test('100 concurrent predictAsync calls on one model all resolve with their own clip\'s result', async () => {
  const model = loadModel(dir);
  const clips = Array.from({ length: 100 }, (_, i) => tone(0.8 + (i % 7) * 0.3, 100 + i * 3));
  const expected = model.predictBatch(clips, { vad: false });
  const got = await Promise.all(clips.map((c) => model.predictAsync(c, { vad: false })));
  // Submitted in one tick: the first call takes clip 0 alone, the other 99 wait and go in calls of
  // at most MAX_BATCH_CLIPS (64 + 35), so three native calls in all.
  expect(model.queueStats()).toEqual({ calls: 3, clips: 100, maxBatch: 64, busy: false });
  got.forEach((g, i) => {
    for (const l of labels) expect(g.probabilities![l]).toBeCloseTo(expected[i].probabilities![l], 6);
  });
});

test('a bad request among concurrent ones fails alone; the others resolve', async () => {
  const model = loadModel(dir);
  const results = await Promise.allSettled([model.predictAsync(inputs[0], { vad: false }), model.predictAsync(path.join(tmp, 'missing.wav')), model.predictAsync(inputs[1], { vad: false })]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(String((results[1] as PromiseRejectedResult).reason.message)).toContain('missing.wav');
});

test('timelineAsync equals timeline', async () => {
  const model = loadModel(dir);
  const x = tone(4.2, 150, 48000);
  const sync = model.timeline(x, { vad: false, hop: 0.5 });
  const [a, b] = await Promise.all([model.timelineAsync(x, { vad: false, hop: 0.5 }), model.predictAsync(inputs[1], { vad: false })]);
  expect(b.emotion).not.toBeUndefined();
  expect(a.length).toBe(sync.length);
  expect(a.length).toBeGreaterThan(3);
  a.forEach((s, i) => {
    expect(s.start).toBeCloseTo(sync[i].start, 9);
    for (const l of labels) expect(s.probabilities![l]).toBeCloseTo(sync[i].probabilities![l], 6);
  });
});

(HAVE_SHARED_DATA ? test : test.skip)('real clips (with speech detection): predictAsync equals predict', async () => {
  const model = loadModel(dir);
  const sync = model.predictBatch(SAMPLE_CLIPS);
  const got = await Promise.all(SAMPLE_CLIPS.map((f) => model.predictAsync(f)));
  got.forEach((g, i) => {
    expect(g.speech).toBe(sync[i].speech);
    expect(g.speechSeconds).toBeCloseTo(sync[i].speechSeconds, 9);
    for (const l of labels) expect(g.probabilities![l]).toBeCloseTo(sync[i].probabilities![l], 6);
  });
});
