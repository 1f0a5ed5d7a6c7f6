import { cropStart, fixLength, meanOverWindows, secondsToSamples, windows, windowStarts } from '../../../lib/audio/fixed-length';

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i + 1);

describe('fixLength', () => {
  test('short clips are zero-padded at the end, never modified in place', () => {
    const x = ramp(3);
    const y = fixLength(x, 6, { crop: 'random', seed: 1 });
    expect(Array.from(y)).toEqual([1, 2, 3, 0, 0, 0]);
    expect(y).not.toBe(x);
    expect(Array.from(fixLength(x, 3))).toEqual([1, 2, 3]);
  });

  test('centre crop for evaluation, start crop on request', () => {
    expect(Array.from(fixLength(ramp(10), 4))).toEqual([4, 5, 6, 7]);
    expect(Array.from(fixLength(ramp(11), 4, { crop: 'center' }))).toEqual([4, 5, 6, 7]);
    expect(Array.from(fixLength(ramp(10), 4, { crop: 'start' }))).toEqual([1, 2, 3, 4]);
  });

  test('random crop: deterministic per seed, covers every offset, always a contiguous slice', () => {
    const x = ramp(10);
    const a = fixLength(x, 4, { crop: 'random', seed: 42 });
    expect(Array.from(fixLength(x, 4, { crop: 'random', seed: 42 }))).toEqual(Array.from(a));
    const starts = new Set<number>();
    for (let seed = 0; seed < 400; seed++) {
      const y = fixLength(x, 4, { crop: 'random', seed });
      expect(Array.from(y)).toEqual([y[0], y[0] + 1, y[0] + 2, y[0] + 3]);
      starts.add(y[0] - 1);
    }
    expect([...starts].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('random crop needs a seed; bad lengths are rejected', () => {
    expect(() => fixLength(ramp(10), 4, { crop: 'random' })).toThrow(/needs options\.seed or options\.rng/);
    expect(() => fixLength(ramp(10), 0)).toThrow(/positive integer/);
    expect(() => fixLength(ramp(10), 2.5)).toThrow(/positive integer/);
    expect(() => cropStart(10, 4, { crop: 'middle' as never })).toThrow(/one of 'center', 'start', 'random' for options\.crop but received 'middle'/);
  });

  test('secondsToSamples', () => {
    expect(secondsToSamples(3, 16000)).toBe(48000);
    expect(secondsToSamples(0.0100001, 16000)).toBe(160);
    expect(() => secondsToSamples(0, 16000)).toThrow(/number > 0 for seconds/);
    expect(() => secondsToSamples(1, 0)).toThrow(/for sampleRate/);
  });
});

describe('windows', () => {
  test('hops over the clip and aligns the last window to the end', () => {
    expect(windowStarts(10, 4, 3)).toEqual([0, 3, 6]);
    expect(windowStarts(11, 4, 3)).toEqual([0, 3, 6, 7]);
    expect(windowStarts(4, 4, 2)).toEqual([0]);
    expect(windowStarts(3, 4, 2)).toEqual([0]);
    const w = windows(ramp(11), 4, 3);
    expect(w.map((v) => Array.from(v))).toEqual([
      [1, 2, 3, 4],
      [4, 5, 6, 7],
      [7, 8, 9, 10],
      [8, 9, 10, 11],
    ]);
  });

  test('every sample is inside some window', () => {
    for (const [n, len, hop] of [
      [1000, 160, 80],
      [1001, 160, 77],
      [48000, 48000, 16000],
      [50000, 48000, 16000],
    ]) {
      const covered = new Uint8Array(n);
      for (const s of windowStarts(n, len, hop)) covered.fill(1, s, s + len);
      expect(covered.every((c) => c === 1)).toBe(true);
    }
  });

  test('a clip shorter than a window gives one zero-padded window', () => {
    const w = windows(ramp(2), 4, 2);
    expect(w.map((v) => Array.from(v))).toEqual([[1, 2, 0, 0]]);
  });

  test('meanOverWindows averages rows', () => {
    expect(Array.from(meanOverWindows([[0.2, 0.8], [0.6, 0.4]]))).toEqual([0.4, 0.6000000000000001]);
    expect(() => meanOverWindows([])).toThrow(/at least one window for rows/);
    expect(() => meanOverWindows([[1, 2], [1]])).toThrow(/rows of one length \(2\) for rows/);
  });

  test('bad window arguments', () => {
    expect(() => windowStarts(10, 0, 1)).toThrow(/windowLen/);
    expect(() => windowStarts(10, 4, 0)).toThrow(/hop/);
  });
});
