// Resource limits (lib/limits.ts): absurd WAV headers, long inputs and oversized or corrupt bundles
// are refused with a coded error naming the input, before anything large is allocated.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';
import { readWav } from '../../lib/audio/wav';
import { decodeAudio } from '../../lib/audio/decode';
import { untrainedBundle } from '../helpers/bundles';
import { chunk, fmtChunk, riff } from '../unit/audio/wav-fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-limits-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const labels = ['neutral', 'happy', 'sad', 'angry'];
const out = path.join(tmp, 'run');
const bundle = path.join(out, 'model');
untrainedBundle(bundle, labels, 3);
const model = loadModel(bundle);
const SR = 16000;

function pcm16(rate: number, frames: number, bits = 16): Buffer {
  return riff([fmtChunk({ formatCode: 1, channels: 1, sampleRate: rate, bitsPerSample: bits, blockAlign: 2 }), chunk('data', Buffer.alloc(frames * 2))]);
}

function copyBundle(name: string, edit: (meta: Record<string, any>) => void, weights?: (w: Buffer) => Buffer): string {
  const dir = path.join(tmp, name);
  fs.cpSync(bundle, dir, { recursive: true });
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  edit(meta);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(meta));
  if (weights) fs.writeFileSync(path.join(dir, 'weights.bin'), weights(fs.readFileSync(path.join(dir, 'weights.bin'))));
  return dir;
}

describe('WAV headers', () => {
  test.each([1, 7, 999, 768001, 1e9])('a %d Hz sample rate is refused before decoding, naming the file', (rate) => {
    const t0 = Date.now();
    expect(() => model.predict(pcm16(rate, 600))).toThrow(expect.objectContaining({ code: 'ERR_DATA', reason: 'UNSUPPORTED', message: expect.stringMatching(/^<inputs\[0\] buffer>: sample rate \d+ Hz is outside the supported range \[1000, 768000\] Hz/) }));
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  test('1 kHz and 768 kHz are still read', () => {
    expect(readWav(pcm16(1000, 10)).sampleRate).toBe(1000);
    expect(readWav(pcm16(768000, 10)).sampleRate).toBe(768000);
  });

  test('bitsPerSample 7 is refused, not decoded', () => {
    expect(() => readWav(pcm16(16000, 100, 7))).toThrow(expect.objectContaining({ code: 'ERR_DATA', reason: 'UNSUPPORTED', message: expect.stringContaining('PCM with 7-bit samples is not supported') }));
  });

  test('a data chunk declaring gigabytes in a small file is TRUNCATED, nothing allocated', () => {
    const b = pcm16(16000, 100);
    b.writeUInt32LE(0xfffffff0, 40);
    expect(() => readWav(b)).toThrow(expect.objectContaining({ code: 'ERR_DATA', reason: 'TRUNCATED' }));
  });

  test('control bytes of chunk ids are escaped in messages', () => {
    const b = riff([chunk('\u0000a\u0001b', Buffer.alloc(4)), fmtChunk({ formatCode: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 })]);
    b.writeUInt32LE(0x7fffffff, 16);
    let msg = '';
    try {
      readWav(b);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain("chunk '\\x00a\\x01b'");
    expect(msg).not.toMatch(/[\x00-\x1f]/);
  });

  test('a rate pair whose resampling kernel is too large is ERR_LIMIT naming the input', () => {
    expect(() => decodeAudio({ samples: new Float32Array(100), sampleRate: 767999 }, SR, 'clip')).toThrow(expect.objectContaining({ code: 'ERR_LIMIT', message: expect.stringMatching(/^clip: resample: 767999 -> 16000 Hz/) }));
  });
});

describe('predict inputs', () => {
  test('one sample or an empty input is never an emotion', () => {
    for (const samples of [new Float32Array(0), new Float32Array(1)]) {
      expect(model.predict({ samples, sampleRate: SR })).toMatchObject({ emotion: null, speech: false });
      expect(() => model.predict({ samples, sampleRate: SR }, { vad: false })).toThrow(expect.objectContaining({ code: 'ERR_AUDIO', message: expect.stringContaining('too short to score') }));
    }
  });

  test('an hour-long buffer is refused from its header, pointing to timeline()', () => {
    const hour = Buffer.alloc(44);
    pcm16(16000, 1).copy(hour, 0, 0, 44);
    hour.writeUInt32LE(3600 * 16000 * 2, 40); // the header declares an hour; the bytes need not be read
    const wav = Buffer.concat([hour, Buffer.alloc(3600 * 16000 * 2)]);
    const t0 = Date.now();
    expect(() => model.predict(wav)).toThrow(expect.objectContaining({ code: 'ERR_LIMIT', message: expect.stringMatching(/duration is 3600\.0 s; the limit is 600 s; use timeline\(\)/) }));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(() => model.predict({ samples: new Float32Array(11 * SR), sampleRate: SR }, { maxSeconds: 10 })).toThrow(expect.objectContaining({ code: 'ERR_LIMIT' }));
  });

  test('timeline() over long audio gives the same windows as the single-block path on its first minute', () => {
    const rate = SR;
    const x = new Float32Array(150 * rate);
    for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate) * (1 + Math.sin(i / 4000));
    const long = model.timeline({ samples: x, sampleRate: rate }, { vad: false, hop: 5 });
    const expected = Math.ceil((150 - 1) / 5) + 1;
    expect(long.length).toBeGreaterThanOrEqual(expected - 1);
    expect(long[long.length - 1].end).toBeCloseTo(150, 1);
    for (const s of long) expect(Object.values(s.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // Each block is featurised exactly like audio that is only that block: the first block (windows
    // starting at 0..55 s, windows of 101 frames, frames [0, 5601) at a 10 ms hop) equals the timeline of those samples alone.
    const head = model.timeline({ samples: x.subarray(0, 5600 * 160 + 1), sampleRate: rate }, { vad: false, hop: 5 });
    expect(head.length).toBe(12);
    head.forEach((s, i) => {
      expect(long[i].start).toBeCloseTo(s.start, 6);
      for (const l of labels) expect(long[i].probabilities![l]).toBeCloseTo(s.probabilities![l], 5);
    });
  });
});

describe('bundles', () => {
  test('a training --out folder loads (its model/ bundle)', () => {
    expect(loadModel(out).labels).toEqual(labels);
  });

  test.each([
    ['channels[3] = 1e6', (m: any) => (m.architecture.channels[3] = 1e6), 'ERR_LIMIT', /architecture\.channels\[3\] is 1000000; the limit is 4096/],
    ['lstmHidden = 3e4', (m: any) => (m.architecture.lstmHidden = 3e4), 'ERR_LIMIT', /architecture\.lstmHidden is 30000/],
    ['nMels = 1e7', (m: any) => (m.features.logMel.nMels = 1e7), 'ERR_LIMIT', /features\.logMel\.nMels is 10000000/],
    ['nFft = 2^30', (m: any) => ((m.features.logMel.nFft = 2 ** 30), (m.features.logMel.winLength = 400)), 'ERR_LIMIT', /features\.logMel\.nFft is 1073741824/],
    ['channels[3] = 2000 (within limits, not the weights)', (m: any) => (m.architecture.channels[3] = 2000), 'ERR_MODEL', /tensor 'blocks\.3\.0\.weight' has shape \[8, 8, 3, 3\] in the tensor index, but architecture\.channels\[2\] and architecture\.channels\[3\] in model\.json imply \[2000, 8, 3, 3\]/],
    ['lstmLayers = 3', (m: any) => (m.architecture.lstmLayers = 3), 'ERR_MODEL', /lacks .* 'lstm\.weight_ih_l1'/],
  ])('model.json with %s is refused before building, naming the bundle and field', (name, edit, code, pattern) => {
    const dir = copyBundle(name.replace(/\W+/g, '-'), edit);
    const rss = process.memoryUsage().rss;
    let err: any;
    try {
      loadModel(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code });
    expect(err.message).toContain(dir);
    expect(err.message).toMatch(pattern);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200e6);
  });

  test('a tensor whose length does not match its shape names the bundle', () => {
    const dir = copyBundle('bad-length', (m) => (m.tensors[0].shape = [24, 1, 3, 3])); // 216 values, 36 stored
    expect(() => loadModel(dir)).toThrow(expect.objectContaining({ code: 'ERR_MODEL', message: expect.stringContaining(`${dir} is not a usable ser-native model bundle: tensor 'blocks.0.0.weight'`) }));
  });

  test('NaN or Inf in weights.bin is refused at load', () => {
    for (const v of [NaN, Infinity]) {
      const dir = copyBundle(`nan-${v}`, () => undefined, (w) => {
        w.writeFloatLE(v, 8 * 4);
        return w;
      });
      expect(() => loadModel(dir)).toThrow(expect.objectContaining({ code: 'ERR_MODEL', message: expect.stringContaining(`weights.bin holds ${v} in tensor`) }));
    }
  });
});
