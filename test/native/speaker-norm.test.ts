// Speaker and session adaptation (issue 25): the statistics of a voice, the normalisation with them
// in training (native epoch pipeline) and prediction (native predictClips) against the TypeScript
// reference, sessions and streams that converge to the batch statistics and never hear silence,
// and evaluate's adapted figures.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveTrainConfig, TrainConfig } from '../../lib/model/config';
import { rawClipFeatures, windowFrames } from '../../lib/model/features';
import { clipFeatures, evaluationWindows } from '../../lib/model/reference';
import { loadModel } from '../../lib/index';
import { readBundle } from '../../lib/model/bundle';
import { NativeModel } from '../../lib/model/native-model';
import { FeatureStats, ownSpeechStats, packStats, speakerStats, speechFrameMask, speechMasks } from '../../lib/model/speaker-stats';
import { meanByOwner } from '../../lib/metrics';
import { Rng } from '../../lib/random';
import { planTrainingEpoch } from '../../lib/train/plan';
import { referenceInput } from '../../lib/train/reference-pipeline';
import { evaluate } from '../../lib/train/evaluate';
import { encodeWav } from '../../lib/audio/wav';
import { untrainedBundle } from '../helpers/bundles';
import { exportOnnx } from '../../lib/export/onnx';
import { train } from '../../lib/train/train';
import { fixed } from '../helpers/tiny-recipe';

const config: TrainConfig = resolveTrainConfig({
  features: { logMel: { nMels: 32 }, clipSeconds: 1, utteranceStd: true, speakerNorm: 0.5 },
  architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 },
  noise: { kind: 'onTheFly', p: 0, snrDb: [10, 20] },
  specAugment: { freqMasks: 1, freqMaskWidth: 4, timeMasks: 1, timeMaskWidth: 10 },
  batchSize: 4,
  epochs: 20,
  seed: 3,
});
const f = config.features;
const sr = f.logMel.sampleRate;

// A voiced-like clip: silence, a vowel-ish tone of `seconds`, silence.
function utterance(seed: number, f0: number, seconds = 1.2): Float32Array {
  const rng = new Rng(seed);
  const lead = Math.round(0.3 * sr);
  const a = new Float32Array(lead * 2 + Math.round(seconds * sr));
  for (let t = 0; t < a.length; t++) a[t] = 0.0005 * rng.normal();
  for (let t = 0; t < a.length - 2 * lead; t++) {
    const x = t / sr;
    a[lead + t] += 0.25 * Math.sin(2 * Math.PI * f0 * x) * (1 + 0.4 * Math.sin(2 * Math.PI * 3 * x)) + 0.08 * Math.sin(2 * Math.PI * 2.7 * f0 * x);
  }
  return a;
}

const voiceA = [utterance(1, 120), utterance(2, 130, 1.5), utterance(3, 115, 0.9), utterance(4, 125)];
const voiceB = [utterance(5, 210), utterance(6, 230, 1.4)];

test('FeatureStats: per-mel mean and population std equal a hand computation over the kept frames', () => {
  const m = { nMels: 2, frames: 3, data: Float32Array.from([1, 2, 6, 10, 10, 40]) };
  const s = new FeatureStats(2).add(m).stats()!;
  expect(Array.from(s.subarray(0, 2))).toEqual([3, 20]);
  expect(s[2]).toBeCloseTo(Math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 3), 5);
  expect(s[3]).toBeCloseTo(Math.sqrt((100 + 100 + 400) / 3), 4);
  // Only the frames kept: frames 0 and 2.
  const k = new FeatureStats(2).add(m, (t) => t !== 1).stats()!;
  expect(Array.from(k)).toEqual([3.5, 25, 2.5, 15]);
  expect(new FeatureStats(2).stats()).toBeNull();
});

test("speakerStats: each speaker's statistics over their clips' speech frames only", () => {
  const clips = [...voiceA, ...voiceB];
  const speakers = [...voiceA.map(() => 'a'), ...voiceB.map(() => 'b')];
  const { bySpeaker, perClip } = speakerStats(clips, speakers, f);
  const hand = new FeatureStats(f.logMel.nMels);
  const raw = rawClipFeatures(voiceA, f);
  raw.forEach((m, i) => hand.add(m, speechFrameMask(voiceA[i], f)!));
  expect(Array.from(bySpeaker.get('a')!)).toEqual(Array.from(hand.stats()!));
  expect(perClip[0]).toBe(bySpeaker.get('a'));
  expect(perClip[voiceA.length]).toBe(bySpeaker.get('b'));
  // The silent lead-in is not speech: fewer frames than the whole clips.
  const all = new FeatureStats(f.logMel.nMels);
  raw.forEach((m) => all.add(m));
  expect(hand.frames).toBeLessThan(all.frames * 0.8);
  expect(hand.frames).toBeGreaterThan(0);
});

test('training: entries normalised per speaker equal the TypeScript reference; the mix follows speakerNorm', () => {
  const clips = [...voiceA, ...voiceB];
  const speakers = [...voiceA.map(() => 'a'), ...voiceB.map(() => 'b')];
  const labels = Int32Array.from(clips, (_, i) => i % 2);
  const { perClip } = speakerStats(clips, speakers, f);
  const len = windowFrames(f);
  const net = new NativeModel(config.architecture, f.logMel.nMels, 2, 'cpu', 1);
  const set = net.setTrainingData(clips, labels, f.logMel, { utteranceNorm: true, utteranceStd: true, speakerStats: packStats(perClip, f.logMel.nMels), windowFrames: len, padSamples: Math.round(f.clipSeconds * sr) });
  net.setNormalization(set.mean, set.std);
  const plans = Array.from({ length: 20 }, (_, epoch) => planTrainingEpoch(config, epoch, set.frames, len));
  const share = plans.reduce((a, p) => a + p.bySpeaker!.reduce((s, v) => s + v, 0), 0) / plans.reduce((a, p) => a + p.item.length, 0);
  expect(share).toBeGreaterThan(0.3);
  expect(share).toBeLessThan(0.7);
  const plan = plans[0];
  const entries = Int32Array.from({ length: plan.item.length }, (_, e) => e);
  const got = net.planInputs(plan, entries);
  const per = f.logMel.nMels * len;
  const kinds = new Set<number>();
  for (const e of entries) {
    const i = plan.item[e];
    const m = clipFeatures([clips[i]], f, 'cpu', [plan.bySpeaker![e] ? perClip[i] : null])[0];
    const want = referenceInput(m, plan, e, len, set.mean);
    let worst = 0;
    for (let j = 0; j < per; j++) worst = Math.max(worst, Math.abs(got[e * per + j] - want[j]));
    expect(worst).toBeLessThan(1e-4);
    kinds.add(plan.bySpeaker![e]);
  }
  expect(kinds).toEqual(new Set([0, 1]));
  // A plan that asks for speaker statistics from a set that has none is refused, naming the option.
  const bare = new NativeModel(config.architecture, f.logMel.nMels, 2, 'cpu', 1);
  const noStats = bare.setTrainingData(clips, labels, f.logMel, { utteranceNorm: true, windowFrames: len, padSamples: Math.round(f.clipSeconds * sr) });
  expect(() => bare.planInputs(planTrainingEpoch(config, 0, noStats.frames, len), entries)).toThrow(/speakerStats/);
});

test('speechStats: a training entry takes its own statistics over its speech frames (clean entries equal the TypeScript reference); the mask is checked', () => {
  const sc = resolveTrainConfig({ ...config, features: { ...config.features, speakerNorm: 0, speechStats: true }, noise: { kind: 'onTheFly', p: 0.5, snrDb: [10, 20] } });
  const sf = sc.features;
  const clips = [...voiceA, ...voiceB];
  const labels = Int32Array.from(clips, (_, i) => i % 2);
  const len = windowFrames(sf);
  const padSamples = Math.round(sf.clipSeconds * sr);
  const masks = speechMasks(clips, sf, padSamples);
  const net = new NativeModel(sc.architecture, sf.logMel.nMels, 2, 'cpu', 1);
  const set = net.setTrainingData(clips, labels, sf.logMel, { utteranceNorm: true, utteranceStd: true, speechMasks: masks, windowFrames: len, padSamples });
  net.setNormalization(set.mean, set.std); // SpecAugment fills with the mean
  expect(masks.length).toBe(set.frames.reduce((a, b) => a + b, 0));
  const plan = planTrainingEpoch(sc, 0, set.frames, len);
  const entries = Int32Array.from({ length: plan.item.length }, (_, e) => e);
  const got = net.planInputs(plan, entries);
  const per = sf.logMel.nMels * len;
  const clean = Array.from(plan.item, (_, e) => Number.isNaN(plan.snrDb[e]));
  let at = 0;
  const offsets = Array.from(set.frames, (n) => ((at += n), at - n));
  for (const e of entries) {
    if (!clean[e]) continue;
    // Clean entries: the clip's raw features normalised with the statistics of its masked frames.
    const i = plan.item[e];
    const raw = rawClipFeatures([clips[i]], sf)[0];
    const own = new FeatureStats(sf.logMel.nMels).add(raw, (t) => masks[offsets[i] + t] === 1).stats();
    const m = clipFeatures([clips[i]], sf, 'cpu', [own])[0];
    const want = referenceInput(m, plan, e, len, set.mean);
    let worst = 0;
    for (let j = 0; j < per; j++) worst = Math.max(worst, Math.abs(got[e * per + j] - want[j]));
    expect(worst).toBeLessThan(1e-4);
  }
  expect(clean.some((c) => c) && clean.some((c) => !c)).toBe(true);
  // Without the mask the same entries differ (the silent lead-in moved the statistics).
  const plain = new NativeModel(sc.architecture, sf.logMel.nMels, 2, 'cpu', 1);
  plain.setTrainingData(clips, labels, sf.logMel, { utteranceNorm: true, utteranceStd: true, windowFrames: len, padSamples });
  plain.setNormalization(set.mean, set.std);
  const other = plain.planInputs(plan, entries);
  expect(Math.max(...Array.from(other, (v, j) => Math.abs(v - got[j])))).toBeGreaterThan(0.1);
  expect(() => new NativeModel(sc.architecture, sf.logMel.nMels, 2, 'cpu', 1).setTrainingData(clips, labels, sf.logMel, { utteranceNorm: true, speechMasks: masks.subarray(1), windowFrames: len, padSamples })).toThrow(/speechMasks/);
});

describe('prediction with a voice', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-speaker-'));
  const dir = path.join(tmp, 'model');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  untrainedBundle(dir, ['angry', 'happy', 'sad'], 21, { features: { logMel: { nMels: 32 }, clipSeconds: 1, windowHopSeconds: 0.5, utteranceStd: true, speakerNorm: 0.5 }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 } });
  const model = loadModel(dir);

  test('native predictClips with statistics equals TypeScript features + the network to 1e-5', () => {
    const stats = speakerStats(voiceA, voiceA.map(() => 'a'), model.features).perClip;
    const rows: (Float32Array | null)[] = [stats[0], null, stats[2], stats[3]];
    const got = model.probabilities(voiceA, { stats: rows, calibrated: false });
    const w = evaluationWindows(clipFeatures(voiceA, model.features, 'cpu', rows), model.features);
    const net = new NativeModel(model.architecture, 32, 3, 'cpu', 0);
    net.setState(readBundle(dir).members[0].state);
    const want = meanByOwner(net.predict(w.data, w.n, w.frames), w.owner, voiceA.length, 3);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-5);
    // The statistics changed the answer (else this test could not fail).
    const own = model.probabilities(voiceA, { calibrated: false });
    expect(Math.max(...Array.from(own, (v, i) => Math.abs(v - got[i])))).toBeGreaterThan(1e-4);
    expect(() => model.probabilities(voiceA, { stats: [stats[0]] })).toThrow(/options\.stats/);
  });

  test('a session adapts after adaptAfter seconds of speech; its statistics converge to the batch statistics; silence adds nothing', () => {
    const s = model.session({ adaptAfter: 2 });
    const first = s.predict({ samples: voiceA[0], sampleRate: sr });
    expect(first.adapted).toBe(false);
    expect(first.heardSeconds).toBeGreaterThan(0.8);
    const heard = s.heardSeconds;
    const quiet = s.predict({ samples: new Float32Array(sr), sampleRate: sr });
    expect(quiet.emotion).toBeNull();
    expect(s.heardSeconds).toBe(heard);
    for (const c of voiceA.slice(1)) s.predict({ samples: c, sampleRate: sr });
    expect(s.adapted).toBe(true);
    const batch = speakerStats(voiceA, voiceA.map(() => 'a'), model.features).bySpeaker.get('a')!;
    const running = s.voice.stats()!;
    for (let k = 0; k < batch.length; k++) expect(running[k]).toBeCloseTo(batch[k], 4);
    // An adapted prediction is the clip normalised with the voice's statistics.
    const adapted = s.predict({ samples: voiceA[1], sampleRate: sr }, { vad: false });
    const want = model.probabilities([voiceA[1]], { stats: [s.voice.stats()] });
    const got = adapted.probabilities!;
    model.labels.forEach((l, k) => expect(got[l]).toBeCloseTo(want[k], 5));
  });

  test('predictBatch sameSpeaker adapts every clip once the batch has enough speech; a model without speakerNorm never adapts', () => {
    const inputs = voiceA.map((samples) => ({ samples, sampleRate: sr }));
    const out = model.predictBatch(inputs, { sameSpeaker: true, adaptAfter: 3 });
    expect(out.every((p) => p.adapted === true)).toBe(true);
    const lone = model.predictBatch(inputs);
    expect(lone[0].adapted).toBeUndefined();
    expect(model.predictBatch(inputs, { sameSpeaker: true, adaptAfter: 1000 }).every((p) => p.adapted === false)).toBe(true);
    const plain = path.join(tmp, 'plain');
    untrainedBundle(plain, ['angry', 'happy'], 22, { features: { logMel: { nMels: 32 }, clipSeconds: 1, windowHopSeconds: 0.5 }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 } });
    expect(loadModel(plain).predictBatch(inputs, { sameSpeaker: true, adaptAfter: 0 }).every((p) => p.adapted === false)).toBe(true);
  });

  test('a stream hears overlapping windows once and says when it adapts', async () => {
    const stream = model.stream({ adaptAfter: 1.5 });
    const all = new Float32Array(voiceA.reduce((a, c) => a + c.length, 0));
    let at = 0;
    for (const c of voiceA) {
      all.set(c, at);
      at += c.length;
    }
    const segs: { adapted?: boolean; heardSeconds?: number }[] = [];
    stream.on('segment', (s) => segs.push(s));
    for (let i = 0; i < all.length; i += 1600) {
      stream.push(all.subarray(i, i + 1600), sr);
      await new Promise((r) => setImmediate(r));
    }
    await stream.end();
    expect(segs[0].adapted).toBe(false);
    expect(segs[segs.length - 1].adapted).toBe(true);
    // Every sample heard at most once: no more speech than the whole audio's speech frames.
    const once = new FeatureStats(32);
    once.add(rawClipFeatures([all], model.features)[0], speechFrameMask(all, model.features)!);
    expect(segs[segs.length - 1].heardSeconds!).toBeLessThanOrEqual((once.frames * model.features.logMel.hopLength) / sr + 0.5);
  });

  test("evaluate --adapt speaker: speakers grouped by id, a speaker's only clip scored alone", async () => {
    const data = path.join(tmp, 'data');
    fs.mkdirSync(data);
    const rows = ['path,emotion,speaker'];
    const put = (name: string, clip: Float32Array, emotion: string, speaker: string) => {
      fs.writeFileSync(path.join(data, name), encodeWav(clip, sr));
      rows.push(`${name},${emotion},${speaker}`);
    };
    voiceA.forEach((c, i) => put(`a${i}.wav`, c, ['angry', 'happy', 'sad'][i % 3], 'a'));
    put('b0.wav', voiceB[0], 'sad', 'b');
    fs.writeFileSync(path.join(data, 'manifest.csv'), rows.join('\n') + '\n');
    const r = await evaluate({ model: dir, data: path.join(data, 'manifest.csv'), adapt: 'speaker' });
    expect(r.n).toBe(5);
    expect(r.adapted!.n).toBe(5);
    expect(r.adapted!.speakers).toBe(2);
    expect(r.adapted!.loneClips).toBe(1);
    expect(r.adapted!.protocol.description).toMatch(/adapted/);
    expect(r.adapted!.note).toBeNull();
  });
});

test("speechStats: prediction normalises a lone clip with its speech frames' statistics, the rule training used", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-speech-stats-'));
  try {
    const features = { logMel: { nMels: 32 }, clipSeconds: 1, windowHopSeconds: 0.5, utteranceStd: true };
    untrainedBundle(path.join(tmp, 'speech'), ['angry', 'happy', 'sad'], 21, { features: { ...features, speechStats: true }, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 } });
    untrainedBundle(path.join(tmp, 'all'), ['angry', 'happy', 'sad'], 21, { features, architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 } });
    const speech = loadModel(path.join(tmp, 'speech'));
    const all = loadModel(path.join(tmp, 'all'));
    // The same weights: with the own speech statistics given explicitly, the plain model answers the same.
    const own = ownSpeechStats(voiceA, speech.features);
    expect(own.every((r) => r !== null)).toBe(true);
    const got = speech.probabilities(voiceA, { calibrated: false });
    const want = all.probabilities(voiceA, { calibrated: false, stats: own });
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-6);
    const plain = all.probabilities(voiceA, { calibrated: false });
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - plain[i])))).toBeGreaterThan(1e-4);
    // A voice's statistics still replace the own ones.
    const voice = speakerStats(voiceA, voiceA.map(() => 'a'), speech.features).perClip;
    const adapted = speech.probabilities(voiceA, { calibrated: false, stats: voice });
    const adaptedPlain = all.probabilities(voiceA, { calibrated: false, stats: voice });
    expect(Math.max(...Array.from(adapted, (v, i) => Math.abs(v - adaptedPlain[i])))).toBeLessThan(1e-6);
    // An ONNX graph cannot detect speech: the full export is refused, naming the way out.
    expect(() => exportOnnx(path.join(tmp, 'speech'), path.join(tmp, 'm.onnx'))).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/speechStats.*options\.features false/) }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('training validation of a speaker-normalised recipe scores lone and adapted clips and picks the epoch on their speakerNorm mix', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-adapt-val-'));
  try {
    const data = { demo: { actors: 6, emotions: ['neutral' as const, 'angry' as const], seconds: 1.5 }, demoDir: path.join(tmp, 'demo') };
    const split = { mode: 'speakers' as const, test: [], validation: ['demo:05', 'demo:06'] };
    for (const p of [1, 0.5]) {
      const r = await train({ ...data, split, epochs: 4, seed: 2, config: { ...fixed, patience: 0, features: { ...fixed.features, speechStats: true, speakerNorm: p } }, device: 'cpu' });
      const mix = r.history.map((h) => (1 - p) * h.valUar! + p * h.valUarAdapted!);
      r.history.forEach((h) => expect(h.valUarAdapted).toBeGreaterThanOrEqual(0));
      expect(r.bestEpoch).toBe(mix.indexOf(Math.max(...mix)) + 1);
    }
    // A recipe without speaker normalisation validates lone clips only.
    const plain = await train({ ...data, split, epochs: 1, seed: 2, config: fixed, device: 'cpu' });
    expect(plain.history[0].valUarAdapted).toBeUndefined();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 300000);
