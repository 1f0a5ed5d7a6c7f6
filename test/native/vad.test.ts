// Speech detection (native/vad.cc + lib/audio/vad.ts): silence, steady noise and too-short input
// are not speech; real recorded speech is, and trimming keeps the speech.
import { detectSpeech, trimToSpeech } from '../../lib/audio/vad';
import { decodeAudio } from '../../lib/audio/decode';
import { addWhiteNoise } from '../../lib/augment/noise';
import { Rng } from '../../lib/random';
import { describeWithSharedData, SAMPLE_CLIPS } from '../helpers/shared-data';

const SR = 16000;

function whiteNoise(seconds: number, rms: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(Math.round(seconds * SR));
  // Uniform in [-a, a] has rms a/√3.
  for (let i = 0; i < x.length; i++) x[i] = rms * Math.sqrt(3) * (2 * rng.float() - 1);
  return x;
}

test('digital silence is not speech', () => {
  const d = detectSpeech(new Float32Array(2 * SR), SR);
  expect(d.speech).toBe(false);
  expect(d.speechSeconds).toBe(0);
  expect(d.segments).toEqual([]);
  expect(d.durationSeconds).toBeCloseTo(2, 6);
  expect(d.frames.mask.length).toBeGreaterThan(190);
});

test.each([0.001, 0.03, 0.3])('white noise alone (rms %f) is not speech', (rms) => {
  const d = detectSpeech(whiteNoise(3, rms, 11), SR);
  expect(d.speech).toBe(false);
  expect(d.speechSeconds).toBeLessThan(0.1);
  // The noise floor is the noise level (rms² in dB).
  expect(d.noiseFloorDb!).toBeCloseTo(20 * Math.log10(rms), 0);
});

test('a steady tone is loud but stationary: not speech', () => {
  const x = new Float32Array(2 * SR);
  for (let i = 0; i < x.length; i++) x[i] = 0.2 * Math.sin((2 * Math.PI * 220 * i) / SR);
  expect(detectSpeech(x, SR).speech).toBe(false);
});

test('trimming widens a short utterance with its own audio to minSeconds', () => {
  const x = whiteNoise(4, 0.001, 3);
  for (let i = 2 * SR; i < 2.5 * SR; i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 150 * i) / SR) * Math.sin((Math.PI * (i - 2 * SR)) / (0.5 * SR));
  const d = { speech: true, speechSeconds: 0.5, durationSeconds: 4, segments: [{ start: 2, end: 2.5 }], noiseFloorDb: -60, frames: { hopSeconds: 0.01, frameSeconds: 0.025, mask: new Uint8Array(0) } };
  const t = trimToSpeech(x, SR, d, { padSeconds: 0, minSeconds: 3 });
  expect(t.length).toBe(3 * SR);
  expect(t.byteOffset / 4).toBe(Math.round(0.75 * SR));
  // At the clip's end the window shifts left instead of running out.
  const e = trimToSpeech(x, SR, { ...d, segments: [{ start: 3.6, end: 4 }] }, { padSeconds: 0, minSeconds: 3 });
  expect(e.length).toBe(3 * SR);
  expect(e.byteOffset / 4).toBe(SR);
});

test.each([0, 1, 100])('%i samples: no frame, no speech, no error', (n) => {
  const d = detectSpeech(new Float32Array(n), SR);
  expect(d).toMatchObject({ speech: false, speechSeconds: 0, segments: [], noiseFloorDb: null });
  expect(d.frames.mask.length).toBe(0);
  expect(trimToSpeech(new Float32Array(n), SR, d).length).toBe(n);
});

test('bad arguments are TypeErrors/RangeErrors naming them', () => {
  expect(() => detectSpeech([0.1] as unknown as Float32Array, SR)).toThrow(/samples/);
  expect(() => detectSpeech(new Float32Array(10), 0)).toThrow(/sampleRate/);
  expect(() => detectSpeech(new Float32Array(10), SR, { maxFlatnes: 0.3 } as never)).toThrow(/Unknown option options.maxFlatnes \(did you mean maxFlatness\?\)/);
});

describeWithSharedData('speech detection on real recordings')('real speech', () => {
  const clips = SAMPLE_CLIPS.map((p) => ({ path: p, x: decodeAudio(p, SR) }));

  test.each(SAMPLE_CLIPS.map((p, i) => [p.split('/').slice(-1)[0], i]))('%s is speech', (_name, i) => {
    const { x } = clips[i as number];
    const d = detectSpeech(x, SR);
    expect(d.speech).toBe(true);
    // Acted sentences last 1–3 s; the clips carry silence around them.
    expect(d.speechSeconds).toBeGreaterThan(0.8);
    expect(d.speechSeconds).toBeLessThanOrEqual(d.durationSeconds);
    const t = trimToSpeech(x, SR, d);
    expect(t.length).toBeLessThan(x.length);
    expect(t.length / SR).toBeGreaterThanOrEqual(d.speechSeconds - 1e-6);
  });

  test('leading silence is found and trimmed', () => {
    const { x } = clips[2];
    const padded = new Float32Array(x.length + 2 * SR);
    padded.set(x, 2 * SR);
    const a = detectSpeech(x, SR);
    const b = detectSpeech(padded, SR);
    expect(b.segments[0].start).toBeCloseTo(a.segments[0].start + 2, 1);
    // The 2 s of silence are gone (up to the 0.1 s of context that the unpadded clip had no room for).
    const t = trimToSpeech(padded, SR, b).length;
    expect(t).toBeGreaterThanOrEqual(trimToSpeech(x, SR, a).length);
    expect(t).toBeLessThanOrEqual(trimToSpeech(x, SR, a).length + 0.1 * SR + 1);
  });

  test('speech in white noise at 10 dB SNR is still speech', () => {
    for (const { x } of clips.slice(0, 3)) expect(detectSpeech(addWhiteNoise(x, 10, { seed: 5 }), SR).speech).toBe(true);
  });
});
