// ChunkResampler: resampling a chunked stream gives resample() of the whole signal, whatever the chunking.
import { ChunkResampler } from '../../../lib/audio/chunk-resampler';
import { resample } from '../../../lib/audio/resample';
import { Rng } from '../../../lib/random';

function signal(n: number, rate: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 220 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 3100 * i) / rate) * Math.sin(i / 900);
  return x;
}

function chunked(x: Float32Array, from: number, to: number, sizes: () => number): Float32Array {
  const r = new ChunkResampler(from, to);
  const parts: Float32Array[] = [];
  for (let i = 0; i < x.length; ) {
    const n = Math.min(x.length - i, sizes());
    parts.push(r.push(x.subarray(i, i + n)));
    i += n;
  }
  parts.push(r.flush());
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

test.each([
  [48000, 16000],
  [44100, 16000],
  [8000, 16000],
  [22050, 16000],
  [16000, 16000],
])('%i → %i Hz: any chunking equals the whole-signal resample()', (from, to) => {
  const x = signal(Math.round(from * 0.9) + 17, from);
  const whole = resample(x, from, to);
  const rng = new Rng(from);
  for (const sizes of [() => 1 + Math.floor(rng.float() * 700), () => 128, () => 1, () => x.length]) {
    const y = chunked(x, from, to, sizes);
    expect(y.length).toBe(whole.length);
    let maxErr = 0;
    for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - whole[i]));
    expect(maxErr).toBeLessThan(1e-6);
  }
});

test('keeps only the kernel support between chunks (bounded memory)', () => {
  const r = new ChunkResampler(48000, 16000);
  const x = signal(48000, 48000);
  for (let k = 0; k < 20; k++) r.push(x);
  expect((r as unknown as { kept: Float32Array }).kept.length).toBeLessThan(200);
});
