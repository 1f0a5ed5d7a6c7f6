// model.stream() / model.createStream(): the same segments as timeline() on the same audio, speech
// false on silence, bounded memory with drops reported, backpressure in the Transform form.
// A seeded, untrained network (real LibTorch) is enough: what is tested is the windowing, not accuracy.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { loadModel } from '../../lib/model/model';
import { decodeAudio } from '../../lib/audio/decode';
import { readWav } from '../../lib/audio/wav';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { Rng } from '../../lib/random';
import '../../lib/stream';
import type { StreamSegment } from '../../lib/stream';
import { untrainedBundle } from '../helpers/bundles';
import { HAVE_SHARED_DATA, SAMPLE_CLIPS } from '../helpers/shared-data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-stream-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const bundle = path.join(tmp, 'model');
untrainedBundle(bundle, ['neutral', 'happy', 'sad', 'angry'], 11);
const model = loadModel(bundle); // windows of 1 s, hop 0.5 s (test/helpers/bundles.ts SMALL)

// A recording with speech, pauses and silence: demo-corpus utterances (synthetic voices) at 48 kHz,
// or a real RAVDESS clip (48 kHz original) when ../shared is here.
const demo = ensureDemoCorpus(path.join(tmp, 'demo'), { actors: 2, emotions: ['neutral', 'angry'], seconds: 2 });
const wavs = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? wavs(path.join(dir, e.name)) : e.name.endsWith('.wav') ? [path.join(dir, e.name)] : []));
const clips = HAVE_SHARED_DATA ? [SAMPLE_CLIPS[0], SAMPLE_CLIPS[2]] : wavs(demo.dir).slice(0, 2);
const RATE = 48000;
const recording = (() => {
  const parts = clips.map((c) => decodeAudio(c, RATE));
  const gap = new Float32Array(2 * RATE);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length + gap.length, 0) + RATE / 3);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length + gap.length;
  }
  return out;
})();
const toInt16 = (x: Float32Array) => Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
const pcm16 = toInt16(recording);
const asFloat = Float32Array.from(pcm16, (v) => v / 32768);

/** Pushes the chunks as a well-behaved producer does: waiting for 'drain' when push() says so. */
async function streamAll(chunks: (Float32Array | Int16Array)[], options = {}): Promise<StreamSegment[]> {
  const s = model.stream({ maxQueuedWindows: 256, ...options });
  const got: StreamSegment[] = [];
  s.on('segment', (x: StreamSegment) => got.push(x));
  for (const c of chunks) if (!s.push(c, RATE)) await new Promise((r) => s.once('drain', r));
  await s.end();
  return got;
}

function randomChunks<T extends Float32Array | Int16Array>(x: T, seed: number, max = 9000): T[] {
  const rng = new Rng(seed);
  const out: T[] = [];
  for (let i = 0; i < x.length; ) {
    const n = 1 + Math.floor(rng.float() * max);
    out.push(x.subarray(i, i + n) as T);
    i += n;
  }
  return out;
}

test('the stream gives the same windows, speech decisions and probabilities as timeline()', async () => {
  const timeline = model.timeline({ samples: asFloat, sampleRate: RATE }, { hop: 0.5 });
  const got = await streamAll(randomChunks(pcm16, 1), { hop: 0.5 });
  expect(got.map((s) => s.start)).toEqual(timeline.map((s) => s.start));
  expect(got.map((s) => s.end)).toEqual(timeline.map((s) => s.end));
  expect(got.map((s) => s.speech)).toEqual(timeline.map((s) => s.speech));
  expect(timeline.some((s) => s.speech) && timeline.some((s) => !s.speech)).toBe(true);
  let maxErr = 0;
  got.forEach((s, i) => {
    const t = timeline[i];
    if (!s.speech) return expect(s).toMatchObject({ emotion: null, probabilities: null, reason: 'no-speech' });
    for (const l of model.labels) maxErr = Math.max(maxErr, Math.abs(s.probabilities![l] - t.probabilities![l]));
    expect(s.emotion).toBe(t.emotion);
  });
  expect(maxErr).toBeLessThan(1e-4);
  expect(got.map((s) => s.index)).toEqual(got.map((_, i) => i));
  expect(got.every((s) => s.dropped === 0)).toBe(true);
});

test('chunking does not matter: one push, tiny pushes and float pushes agree', async () => {
  const one = await streamAll([pcm16]);
  const tiny = await streamAll(randomChunks(pcm16, 2, 300));
  const float = await streamAll(randomChunks(asFloat, 3));
  for (const other of [tiny, float]) {
    expect(other.length).toBe(one.length);
    other.forEach((s, i) => {
      expect(s.speech).toBe(one[i].speech);
      if (s.speech) for (const l of model.labels) expect(Math.abs(s.probabilities![l] - one[i].probabilities![l])).toBeLessThan(1e-4);
    });
  }
});

test('silence and steady noise: every window speech false, no emotion', async () => {
  const rng = new Rng(5);
  const noise = Float32Array.from({ length: 4 * RATE }, () => 0.05 * (2 * rng.float() - 1));
  for (const x of [new Float32Array(5 * RATE), noise]) {
    const got = await streamAll(randomChunks(x, 4));
    expect(got.length).toBeGreaterThan(4);
    for (const s of got) expect(s).toMatchObject({ speech: false, emotion: null, confidence: null, probabilities: null, reason: 'no-speech' });
  }
});

test('exponential smoothing is the causal filter over speech windows, the same in timeline()', async () => {
  const a = 0.6;
  const raw = model.timeline({ samples: asFloat, sampleRate: RATE }, { hop: 0.5 });
  const smooth = model.timeline({ samples: asFloat, sampleRate: RATE }, { hop: 0.5, smoothing: a });
  const streamed = await streamAll([pcm16], { hop: 0.5, smoothing: a });
  let prev: Record<string, number> | null = null;
  raw.forEach((r, i) => {
    if (!r.speech) {
      prev = null;
      return expect(smooth[i].speech).toBe(false);
    }
    const want: Record<string, number> = {};
    for (const l of model.labels) want[l] = prev ? a * prev[l] + (1 - a) * r.probabilities![l] : r.probabilities![l];
    for (const l of model.labels) {
      expect(smooth[i].probabilities![l]).toBeCloseTo(want[l], 5);
      expect(streamed[i].probabilities![l]).toBeCloseTo(want[l], 4);
    }
    prev = want;
  });
  expect(() => model.stream({ smoothing: 1.5 })).toThrow(/options.smoothing/);
  expect(() => model.timeline(clips[0], { median: 2 })).toThrow(/options.median/);
});

test('async iterator yields the segments; end() flushes the end-aligned window', async () => {
  const s = model.stream();
  const seen: StreamSegment[] = [];
  const consumer = (async () => {
    for await (const seg of s) seen.push(seg);
  })();
  for (const c of randomChunks(pcm16, 6)) if (!s.push(c, RATE)) await new Promise((r) => s.once('drain', r));
  await s.end();
  await consumer;
  const timeline = model.timeline({ samples: asFloat, sampleRate: RATE });
  expect(seen.map((x) => x.start)).toEqual(timeline.map((x) => x.start));
  expect(seen[seen.length - 1].end).toBeCloseTo(recording.length / RATE, 2); // to one sample at 16 kHz
});

test('a producer faster than the network: bounded queue, drops counted in the results, push() signals backpressure', async () => {
  const long = new Int16Array(pcm16.length * 4);
  for (let k = 0; k < 4; k++) long.set(pcm16, k * pcm16.length);
  const s = model.stream({ maxQueuedWindows: 2 });
  const got: StreamSegment[] = [];
  s.on('segment', (x: StreamSegment) => got.push(x));
  const returns = randomChunks(long, 7, 48000).map((c) => s.push(c, RATE));
  await s.end();
  expect(returns).toContain(false);
  const dropped = got.reduce((a, x) => a + x.dropped, 0);
  expect(dropped).toBeGreaterThan(0);
  expect(dropped).toBe(s.stats.dropped);
  // Every window is either delivered or counted as dropped, and indices show where.
  const last = got[got.length - 1].index;
  expect(got.length + dropped).toBe(last + 1);
  // The buffer never grows: one window plus one hop.
  expect((s as unknown as { buf: Float32Array }).buf.length).toBe(s.windowSamples + s.hopSamples);
});

test('a consumer that does not read: results coalesced to maxPending, the rest counted as dropped', async () => {
  const s = model.stream({ maxPending: 3 });
  for (const c of randomChunks(pcm16, 8)) if (!s.push(c, RATE)) await new Promise((r) => s.once('drain', r));
  await s.end();
  const seen: StreamSegment[] = [];
  for await (const seg of s) seen.push(seg);
  expect(seen.length).toBe(3);
  const total = model.timeline({ samples: asFloat, sampleRate: RATE }).length;
  expect(seen.reduce((a, x) => a + x.dropped, 0)).toBe(total - 3);
});

test('createStream(): PCM bytes piped through the Transform give the same segments (odd chunk borders too)', async () => {
  const bytes = Buffer.from(pcm16.buffer, pcm16.byteOffset, pcm16.byteLength);
  const pieces: Buffer[] = [];
  const rng = new Rng(9);
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rng.float() * 5001); // odd sizes split samples across chunks
    pieces.push(bytes.subarray(i, i + n));
    i += n;
  }
  const out: StreamSegment[] = [];
  for await (const seg of Readable.from(pieces).pipe(model.createStream({ sampleRate: RATE, format: 's16le' }))) out.push(seg as StreamSegment);
  const direct = await streamAll([pcm16]);
  expect(out.length).toBe(direct.length);
  out.forEach((s, i) => {
    expect(s.start).toBe(direct[i].start);
    if (s.speech) for (const l of model.labels) expect(Math.abs(s.probabilities![l] - direct[i].probabilities![l])).toBeLessThan(1e-5);
  });
});

test('argument errors name the option and the fix', () => {
  const s = model.stream();
  expect(() => s.push(new Float64Array(4) as never, RATE)).toThrow(/Float32Array or Int16Array/);
  expect(() => s.push(new Float32Array([NaN]), RATE)).toThrow(/samples\[0\]/);
  s.push(new Float32Array(10), RATE);
  expect(() => s.push(new Float32Array(10), 16000)).toThrow(/one rate per stream/);
  expect(() => model.stream({ hopp: 1 } as never)).toThrow(/did you mean hop/);
  expect(() => model.createStream({ sampleRate: 16000, format: 'mp3' as never })).toThrow(/options.format/);
  expect(readWav).toBeDefined();
});
