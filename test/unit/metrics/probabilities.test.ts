import { argmax, meanProbabilities } from '../../../lib/metrics/classification';
import { protocolSentence } from '../../../lib/metrics/protocol';

describe('argmax', () => {
  it('picks the largest class of each row of a row-major matrix', () => {
    const p = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.2, 0.3, 0, 0, 1]);
    expect(argmax(p, 3)).toEqual([1, 0, 2]);
  });

  it('takes the first class on ties, as numpy does', () => {
    expect(argmax([0.4, 0.4, 0.2], 3)).toEqual([0]);
  });

  it('returns no predictions for no rows', () => {
    expect(argmax(new Float32Array(0), 4)).toEqual([]);
  });

  it('rejects a length that is not a multiple of classes, bad classes and NaN', () => {
    expect(() => argmax(new Float32Array(5), 2)).toThrow(RangeError);
    expect(() => argmax(new Float32Array(4), 0)).toThrow(/classes/);
    expect(() => argmax(new Float32Array([0.5, NaN]), 2)).toThrow(/row 0, class 1/);
  });
});

describe('meanProbabilities', () => {
  it('averages probability rows element-wise', () => {
    const m = meanProbabilities([
      [0.2, 0.8],
      [0.6, 0.4],
      [0.1, 0.9],
    ]);
    expect(m).toBeInstanceOf(Float32Array);
    expect(m[0]).toBeCloseTo(0.3, 6);
    expect(m[1]).toBeCloseTo(0.7, 6);
  });

  it('accepts a row-major Float32Array of windows with the class count', () => {
    const m = meanProbabilities(new Float32Array([1, 0, 0, 0, 0, 1]), 3);
    expect(Array.from(m)).toEqual([0.5, 0, 0.5]);
  });

  it('can change the decision compared with the single windows', () => {
    // Window 1 narrowly prefers class 0, window 2 strongly prefers class 1: the clip is class 1.
    const rows = [new Float32Array([0.55, 0.45]), new Float32Array([0.1, 0.9])];
    expect(argmax(meanProbabilities(rows), 2)).toEqual([1]);
  });

  it('rejects no rows, ragged rows and non-finite values', () => {
    expect(() => meanProbabilities([])).toThrow(RangeError);
    expect(() => meanProbabilities([[0.5, 0.5], [1]])).toThrow(/2 values like rows\[0\] for rows\[1\]/);
    expect(() => meanProbabilities([[0.5, Infinity]])).toThrow(/rows\[0\]\[1\]/);
    expect(() => meanProbabilities([[0.5, 'x' as unknown as number]])).toThrow(TypeError);
    expect(() => meanProbabilities(new Float32Array(4))).toThrow(/classes/);
    expect(() => meanProbabilities(new Float32Array(5), 2)).toThrow(RangeError);
    expect(() => meanProbabilities([[0.5, 0.5]], 3)).toThrow(/3 values/);
  });
});

describe('protocolSentence', () => {
  it('states the protocol in plain words', () => {
    expect(protocolSentence({ name: 'speaker-independent' })).toBe('speaker-independent: validation speakers never heard in training');
    expect(protocolSentence({ name: 'speaker-dependent' })).toMatch(/^speaker-dependent: the same speakers/);
  });
});
