// predict(): no speech → no emotion; speech is scored; minConfidence abstains. Uses a seeded,
// untrained network (the gating is what is tested here, not accuracy) and real or synthetic speech.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';
import { decodeAudio } from '../../lib/audio/decode';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { Rng } from '../../lib/random';
import { untrainedBundle } from '../helpers/bundles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-predict-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const bundle = path.join(tmp, 'model');
const labels = ['neutral', 'happy', 'sad', 'angry'];
untrainedBundle(bundle, labels, 7);
const model = loadModel(bundle);
const SR = 16000;

const demo = ensureDemoCorpus(path.join(tmp, 'demo'), { actors: 2, emotions: ['neutral', 'angry'], seconds: 2 });
const speechFile = path.join(demo.dir, fs.readdirSync(demo.dir).find((d) => d.startsWith('Actor_'))!, 'x');
const firstWav = (dir: string) => path.join(dir, fs.readdirSync(dir).filter((f) => f.endsWith('.wav'))[0]);
const speechClip = firstWav(path.dirname(speechFile));

function noise(seconds: number, rms: number): Float32Array {
  const rng = new Rng(1);
  const x = new Float32Array(seconds * SR);
  for (let i = 0; i < x.length; i++) x[i] = rms * Math.sqrt(3) * (2 * rng.float() - 1);
  return x;
}

test.each([
  ['silence', new Float32Array(3 * SR)],
  ['white noise', noise(3, 0.1)],
  ['one sample', new Float32Array(1)],
  ['empty input', new Float32Array(0)],
])('%s → speech false, emotion null, never a confident emotion', (_name, samples) => {
  const p = model.predict({ samples, sampleRate: SR });
  expect(p).toEqual({ emotion: null, confidence: null, probabilities: null, speech: false, speechSeconds: expect.any(Number), reason: 'no-speech' });
  expect(p.speechSeconds).toBeLessThan(0.3);
});

test('speech is scored, with the measured speech duration', () => {
  const p = model.predict(speechClip);
  expect(p.speech).toBe(true);
  expect(p.reason).toBeNull();
  expect(labels).toContain(p.emotion);
  expect(p.speechSeconds).toBeGreaterThan(0.5);
  expect(Object.values(p.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
});

test('leading and trailing silence do not change the prediction (trimmed before windowing)', () => {
  const x = decodeAudio(speechClip, SR);
  const padded = new Float32Array(x.length + 6 * SR);
  padded.set(x, 3 * SR);
  const a = model.predict({ samples: x, sampleRate: SR });
  const b = model.predict({ samples: padded, sampleRate: SR });
  const gap = (p: typeof a) => Math.max(...labels.map((l) => Math.abs(p.probabilities![l] - a.probabilities![l])));
  // Only the 0.1 s of context around the speech can differ (silence here, the clip's own edge there).
  expect(gap(b)).toBeLessThan(5e-3);
  // Without speech detection the 6 s of silence are scored too, and the probabilities move more.
  const c = model.predict({ samples: padded, sampleRate: SR }, { vad: false });
  expect(c.speech).toBe(true);
  expect(gap(c)).toBeGreaterThan(3 * gap(b));
});

test('minConfidence abstains with the reason, and keeps the probabilities', () => {
  const sure = model.predict(speechClip);
  const p = model.predict(speechClip, { minConfidence: Math.min(1, sure.confidence! + 0.01) });
  expect(p).toMatchObject({ emotion: null, reason: 'low-confidence', speech: true, confidence: sure.confidence });
  expect(p.probabilities).toEqual(sure.probabilities);
  expect(model.predict(speechClip, { minConfidence: sure.confidence! }).emotion).toBe(sure.emotion);
  expect(() => model.predict(speechClip, { minConfidence: 2 })).toThrow(/options.minConfidence/);
});

test('timeline marks windows without speech', () => {
  const x = decodeAudio(speechClip, SR);
  const padded = new Float32Array(x.length + 4 * SR);
  padded.set(x, 0);
  const t = model.timeline({ samples: padded, sampleRate: SR });
  expect(t[0].speech).toBe(true);
  expect(t[t.length - 1]).toMatchObject({ speech: false, emotion: null, reason: 'no-speech' });
});
