import { argmax, meanByOwner } from '../../../lib/metrics/probabilities';
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

describe('meanByOwner', () => {
  it('averages the windows of each clip, in double precision', () => {
    // Clip 0 has windows 0 and 2, clip 1 has window 1.
    const probs = new Float32Array([0.2, 0.8, 1, 0, 0.6, 0.4]);
    const m = meanByOwner(probs, [0, 1, 0], 2, 2);
    expect(Array.from(m)).toEqual([Math.fround(0.4), Math.fround(0.6), 1, 0]);
    // 100001 windows of 0.1 sum to 10000.1 exactly enough in double; a float32 sum drifts.
    const many = new Float32Array(100001 * 2).fill(0.1);
    expect(meanByOwner(many, new Array(100001).fill(0), 1, 2)[0]).toBe(Math.fround(0.1));
  });

  it('can change the decision compared with the single windows', () => {
    // Window 1 narrowly prefers class 0, window 2 strongly prefers class 1: the clip is class 1.
    expect(argmax(meanByOwner(new Float32Array([0.55, 0.45, 0.1, 0.9]), [0, 0], 1, 2), 2)).toEqual([1]);
  });

  it('gives zeros to a clip without windows, and rejects mismatched shapes and owners', () => {
    expect(Array.from(meanByOwner(new Float32Array([1, 0]), [1], 2, 2))).toEqual([0, 0, 1, 0]);
    expect(() => meanByOwner(new Float32Array(5), [0, 0], 1, 2)).toThrow(/2 windows x 2 classes/);
    expect(() => meanByOwner(new Float32Array(4), [0, 2], 2, 2)).toThrow(/owner\[1\]/);
    expect(() => meanByOwner(new Float32Array(4), [0, 0], 1, 0)).toThrow(/classes/);
  });
});

describe('protocolSentence', () => {
  it('states the protocol in plain words', () => {
    expect(protocolSentence({ name: 'speaker-independent' })).toBe('speaker-independent: validation speakers never heard in training');
    expect(protocolSentence({ name: 'speaker-dependent' })).toMatch(/^speaker-dependent: the same speakers/);
  });
});
