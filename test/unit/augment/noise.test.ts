import { addWhiteNoise, measureSnrDb, meanPower } from '../../../lib/augment/noise';
import { Rng } from '../../../lib/random';

/** A speech-like test clip: a decaying tone burst with silence around it. */
function clip(n = 32000): Float32Array {
  const x = new Float32Array(n);
  for (let i = n / 4; i < (3 * n) / 4; i++) x[i] = 0.3 * Math.sin(i / 7) * Math.exp(-(i - n / 4) / n);
  return x;
}

describe('addWhiteNoise', () => {
  test.each([-5, 0, 5, 10, 20, 40])('measured SNR is within 0.1 dB of %i dB', (snr) => {
    const x = clip();
    const y = addWhiteNoise(x, snr, { seed: 3 });
    expect(Math.abs(measureSnrDb(x, y) - snr)).toBeLessThan(0.1);
  });

  test('noise is white and Gaussian-looking, and the input is untouched', () => {
    const x = clip();
    const before = Float32Array.from(x);
    const y = addWhiteNoise(x, 0, { seed: 5 });
    expect(Array.from(x)).toEqual(Array.from(before));
    const d = y.map((v, i) => v - x[i]);
    // Lag-1 autocorrelation near 0 (white); kurtosis near 3 (Gaussian).
    let r1 = 0;
    let m2 = 0;
    let m4 = 0;
    for (let i = 0; i < d.length; i++) {
      m2 += d[i] * d[i];
      m4 += d[i] ** 4;
      if (i > 0) r1 += d[i] * d[i - 1];
    }
    expect(Math.abs(r1 / m2)).toBeLessThan(0.03);
    expect((m4 / d.length) / (m2 / d.length) ** 2).toBeCloseTo(3, 0);
  });

  test('deterministic per seed, different across seeds', () => {
    const x = clip(4000);
    expect(Array.from(addWhiteNoise(x, 10, { seed: 9 }))).toEqual(Array.from(addWhiteNoise(x, 10, { seed: 9 })));
    expect(Array.from(addWhiteNoise(x, 10, { seed: 9 }))).not.toEqual(Array.from(addWhiteNoise(x, 10, { seed: 10 })));
  });

  test('silence: unchanged by default, or noise relative to a -100 dBFS floor', () => {
    const x = new Float32Array(1000);
    expect(Array.from(addWhiteNoise(x, 10, { seed: 1 }))).toEqual(Array.from(x));
    const y = addWhiteNoise(x, 10, { seed: 1, onSilence: 'floor' });
    expect(10 * Math.log10(meanPower(y))).toBeCloseTo(-110, 1);
    expect(addWhiteNoise(new Float32Array(0), 10, { seed: 1 }).length).toBe(0);
  });

  test('works on a random clip at a random SNR (many trials)', () => {
    const r = new Rng(11);
    for (let t = 0; t < 20; t++) {
      const x = new Float32Array(2000 + r.int(20000));
      for (let i = 0; i < x.length; i++) x[i] = r.normal() * r.uniform(0.001, 0.5);
      const snr = r.uniform(-10, 50);
      expect(Math.abs(measureSnrDb(x, addWhiteNoise(x, snr, { seed: t })) - snr)).toBeLessThan(0.1);
    }
  });

  test('rejects non-finite SNR and seeds', () => {
    expect(() => addWhiteNoise(clip(100), NaN, { seed: 1 })).toThrow(/snrDb/);
    expect(() => addWhiteNoise(clip(100), 10, { seed: Infinity })).toThrow(/seed/);
  });
});
