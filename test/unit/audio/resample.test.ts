import { getResampler, resample, Resampler, resamplerCacheBytes } from '../../../lib/audio/resample';
import { argmax, powerSpectrum, rms, tone } from './spectrum';

/** Error of a resampled tone against the same tone generated at the new rate, in dB (edges ignored). */
function passbandSnrDb(hz: number, from: number, to: number): number {
  const x = tone(hz, from, from); // 1 s
  const y = resample(x, from, to);
  const ref = tone(hz, to, y.length);
  const edge = Math.ceil(0.05 * to); // the kernel reaches ~1-3 ms; stay well clear
  const err = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) err[i] = y[i] - ref[i];
  return 20 * Math.log10(rms(ref, edge, y.length - edge) / rms(err, edge, y.length - edge));
}

/** Level of a resampled tone relative to the input tone, in dB (edges ignored). */
function gainDb(hz: number, from: number, to: number): number {
  const x = tone(hz, from, from);
  const y = resample(x, from, to);
  const edge = Math.ceil(0.05 * to);
  return 20 * Math.log10(rms(y, edge, y.length - edge) / rms(x, edge, x.length - edge));
}

describe('resample', () => {
  test('equal rates return an identical copy', () => {
    const x = tone(440, 16000, 1000);
    const y = resample(x, 16000, 16000);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  test.each([
    [48000, 16000],
    [44100, 16000],
    [16000, 48000],
    [22050, 16000],
    [8000, 16000],
    [16000, 44100],
  ])('%i -> %i Hz: 1 kHz stays at the 1 kHz bin', (from, to) => {
    const y = resample(tone(1000, from, from), from, to);
    const n = 8192;
    const p = powerSpectrum(y, Math.floor((y.length - n) / 2), n);
    expect(Math.abs((argmax(p) * to) / n - 1000)).toBeLessThanOrEqual(to / n);
  });

  test.each([
    [1000, 48000, 16000],
    [3000, 48000, 16000],
    [5000, 48000, 16000],
    [1000, 44100, 16000],
    [5000, 44100, 16000],
    [1000, 22050, 16000],
    [1000, 16000, 48000],
    [5000, 16000, 44100],
    [1000, 8000, 16000],
  ])('passband: %i Hz tone %i -> %i Hz has SNR >= 60 dB against the analytic tone', (hz, from, to) => {
    expect(passbandSnrDb(hz, from, to)).toBeGreaterThanOrEqual(60);
  });

  test.each([
    [8900, 48000, 16000],
    [10000, 48000, 16000],
    [12000, 48000, 16000],
    [20000, 48000, 16000],
    [9000, 44100, 16000],
    [15000, 44100, 16000],
    [6200, 22050, 11025],
  ])('stopband: %i Hz tone %i -> %i Hz is attenuated >= 60 dB', (hz, from, to) => {
    expect(gainDb(hz, from, to)).toBeLessThanOrEqual(-60);
  });

  test('a tone just below the cut-off passes and one just above Nyquist is already well down', () => {
    expect(gainDb(6000, 48000, 16000)).toBeGreaterThan(-0.1);
    expect(gainDb(8300, 48000, 16000)).toBeLessThan(-25);
  });

  test('output length is ceil(n * new / orig) like torchaudio, and DC is preserved', () => {
    const r = getResampler(44100, 16000);
    expect([r.orig, r.new]).toEqual([441, 160]);
    for (const n of [0, 1, 440, 441, 442, 44100, 12345]) expect(resample(new Float32Array(n), 44100, 16000).length).toBe(Math.ceil((n * 160) / 441));
    const y = resample(new Float32Array(48000).fill(0.5), 48000, 16000);
    let worst = 0;
    for (let i = 100; i < y.length - 100; i++) worst = Math.max(worst, Math.abs(y[i] - 0.5));
    expect(worst).toBeLessThan(1e-6);
  });

  test('the kernel cache stays within its byte budget under odd rates, and keeps a common pair', () => {
    const common = getResampler(48000, 16000);
    for (let rate = 7901; rate < 7960; rate += 2) getResampler(rate, 16000); // ~4.5 MB kernels each
    expect(resamplerCacheBytes()).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(getResampler(48000, 16000)).not.toBe(common); // evicted by the odd ones (least recently used)
    const again = getResampler(48000, 16000);
    getResampler(7919, 16000);
    expect(getResampler(48000, 16000)).toBe(again); // small kernels stay while big ones come and go
  });

  test('output is time-aligned: a resampled impulse peaks at the corresponding output sample', () => {
    const x = new Float32Array(4800);
    x[2400] = 1;
    const y = resample(x, 48000, 16000);
    expect(argmax(y.map(Math.abs))).toBe(800);
    const z = resample(x, 48000, 44100);
    expect(argmax(z.map(Math.abs))).toBe(2205);
  });

  test('accepts plain arrays and the hann window', () => {
    const x = Array.from(tone(1000, 48000, 4800));
    const y = resample(x, 48000, 16000, { window: 'hann', lowpassFilterWidth: 24 });
    expect(y).toBeInstanceOf(Float32Array);
    expect(rms(y, 200, y.length - 200)).toBeCloseTo(Math.SQRT1_2, 2);
  });

  test('rejects bad rates and options with clear errors', () => {
    expect(() => resample([1], 0, 16000)).toThrow(/positive integer for fromRate/);
    expect(() => resample([1], 16000, 22050.5)).toThrow(/positive integer for toRate/);
    expect(() => new Resampler(48000, 16000, { rolloff: 1.5 })).toThrow(/rolloff/);
    expect(() => new Resampler(48000, 16000, { window: 'box' as never })).toThrow(/window/);
    expect(() => new Resampler(44100, 16001)).toThrow(/intermediate rate/);
  });

  test('48 kHz -> 16 kHz is fast (reports the speed)', () => {
    const x = tone(440, 48000, 4 * 48000);
    resample(x, 48000, 16000); // build the kernel
    const reps = 20;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) resample(x, 48000, 16000);
    const ms = (performance.now() - t0) / reps;
    // eslint-disable-next-line no-console
    console.log(`resample 4 s 48k->16k: ${ms.toFixed(2)} ms/file -> ${((ms * 1440) / 1000).toFixed(1)} s for 1440 files`);
    expect(ms).toBeLessThan(40); // ~4 ms on one core; generous for a busy machine
  });
});
