import {
  entriesPerItem,
  NoiseSchedule,
  parseSchedule,
  planEpoch,
  ScheduleError,
  snrRangeAt,
  validateSchedule,
} from '../../../lib/augment/schedule';

const ctx = { seed: 17, epoch: 0, numItems: 200, numEpochs: 10 };

describe('planEpoch', () => {
  test('none: every item once, clean', () => {
    const plan = planEpoch({ kind: 'none' }, ctx);
    expect(plan).toHaveLength(200);
    expect(plan.every((d, i) => d.item === i && d.copy === 0 && d.snrDb === null)).toBe(true);
  });

  test('static: clean clip plus k copies at the listed SNRs, identical noise every epoch', () => {
    const s: NoiseSchedule = { kind: 'static', snrsDb: [20, 10, 5], copies: 4 };
    const e0 = planEpoch(s, { ...ctx, numItems: 3 });
    const e5 = planEpoch(s, { ...ctx, numItems: 3, epoch: 5 });
    expect(e0).toHaveLength(3 * 5);
    expect(entriesPerItem(s)).toBe(5);
    expect(e0.filter((d) => d.item === 1).map((d) => [d.copy, d.snrDb])).toEqual([
      [0, null],
      [1, 20],
      [2, 10],
      [3, 5],
      [4, 20],
    ]);
    const noisy = (p: typeof e0) => p.filter((d) => d.copy > 0);
    expect(noisy(e5)).toEqual(noisy(e0));
    expect(new Set(noisy(e0).map((d) => d.noiseSeed)).size).toBe(12);
    const noClean = planEpoch({ kind: 'static', snrsDb: [0], keepClean: false }, { ...ctx, numItems: 2 });
    expect(noClean.map((d) => [d.item, d.copy, d.snrDb])).toEqual([
      [0, 1, 0],
      [1, 1, 0],
    ]);
  });

  test('onTheFly: fraction p noised, SNRs uniform in [lo, hi], fresh choices and noise each epoch', () => {
    const s: NoiseSchedule = { kind: 'onTheFly', p: 0.4, snrDb: [5, 15] };
    const big = { ...ctx, numItems: 5000 };
    const plan = planEpoch(s, big);
    const snrs = plan.map((d) => d.snrDb).filter((v): v is number => v !== null);
    expect(snrs.length / 5000).toBeCloseTo(0.4, 1);
    expect(Math.min(...snrs)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...snrs)).toBeLessThan(15);
    expect(snrs.reduce((a, b) => a + b, 0) / snrs.length).toBeCloseTo(10, 0);
    const next = planEpoch(s, { ...big, epoch: 1 });
    expect(next.map((d) => d.snrDb)).not.toEqual(plan.map((d) => d.snrDb));
    expect(next[0].noiseSeed).not.toBe(plan[0].noiseSeed);
  });

  test('deterministic given (seed, epoch, item), independent of numItems', () => {
    const s: NoiseSchedule = { kind: 'onTheFly', p: 0.5, snrDb: [0, 20] };
    const a = planEpoch(s, { ...ctx, epoch: 3 });
    expect(planEpoch(s, { ...ctx, epoch: 3 })).toEqual(a);
    expect(planEpoch(s, { ...ctx, epoch: 3, numItems: 50 })).toEqual(a.slice(0, 50));
    expect(planEpoch(s, { ...ctx, epoch: 3, seed: 18 }).map((d) => d.snrDb)).not.toEqual(a.map((d) => d.snrDb));
  });

  test('curriculum: range moves linearly from start at epoch 0 to end at the last epoch', () => {
    const s: NoiseSchedule = { kind: 'curriculum', start: [30, 40], end: [0, 10] };
    expect(snrRangeAt(s, 0, 11)).toEqual([30, 40]);
    expect(snrRangeAt(s, 5, 11)).toEqual([15, 25]);
    expect(snrRangeAt(s, 10, 11)).toEqual([0, 10]);
    expect(snrRangeAt(s, 0, 1)).toEqual([30, 40]);
    for (const epoch of [0, 4, 10]) {
      const [lo, hi] = snrRangeAt(s, epoch, 11)!;
      const plan = planEpoch(s, { ...ctx, epoch, numEpochs: 11 });
      // p defaults to 1: every clip noised, inside the epoch's range.
      expect(plan.every((d) => d.snrDb !== null && d.snrDb >= lo && d.snrDb < hi)).toBe(true);
    }
    const half = planEpoch({ ...s, p: 0.5 }, { ...ctx, numItems: 2000, epoch: 2, numEpochs: 11 });
    expect(half.filter((d) => d.snrDb !== null).length / 2000).toBeCloseTo(0.5, 1);
  });

  test('rejects bad contexts', () => {
    expect(() => planEpoch({ kind: 'none' }, { ...ctx, epoch: 10 })).toThrow(/epoch must be an integer in \[0, 9\]/);
    expect(() => planEpoch({ kind: 'none' }, { ...ctx, numItems: -1 })).toThrow(/numItems/);
    expect(() => planEpoch({ kind: 'none' }, { ...ctx, numEpochs: 0 })).toThrow(/numEpochs/);
    expect(() => planEpoch({ kind: 'none' }, { ...ctx, seed: NaN })).toThrow(/seed/);
  });
});

describe('validateSchedule', () => {
  const bad: [unknown, RegExp][] = [
    [null, /schedule: expected an object/],
    [{ kind: 'gaussian' }, /schedule\.kind: expected one of none, static, onTheFly, curriculum/],
    [{ kind: 'static', snrsDb: [] }, /schedule\.snrsDb: expected a non-empty array/],
    [{ kind: 'static', snrsDb: [10, 'x'] }, /schedule\.snrsDb\[1\]: expected a finite number/],
    [{ kind: 'static', snrsDb: [10], copies: 0 }, /schedule\.copies: expected a positive integer/],
    [{ kind: 'onTheFly', p: 1.5, snrDb: [0, 10] }, /schedule\.p: expected a probability/],
    [{ kind: 'onTheFly', p: 0.5, snrDb: [10, 0] }, /schedule\.snrDb: expected lo <= hi, got \[10, 0\]/],
    [{ kind: 'onTheFly', p: 0.5, snr: [0, 10] }, /schedule\.snr: unknown field/],
    [{ kind: 'curriculum', start: [0, 10] }, /schedule\.end: expected \[lo, hi\]/],
    [{ probability: 2 }, /schedule\.kind: expected one of .*, got undefined; schedule\.probability is not a field of any schedule/],
  ];
  test.each(bad)('%j is rejected', (value, message) => {
    expect(() => validateSchedule(value)).toThrow(ScheduleError);
    expect(() => validateSchedule(value)).toThrow(message);
    // A SerNativeError with the code of a bad argument: the CLI reports it as the user's, not as a bug.
    expect(() => validateSchedule(value)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT' }));
  });

  test('fills defaults', () => {
    expect(validateSchedule({ kind: 'static', snrsDb: [10, 5] })).toEqual({ kind: 'static', snrsDb: [10, 5], copies: 2, keepClean: true });
    expect(validateSchedule({ kind: 'curriculum', start: [20, 30], end: [0, 5] })).toMatchObject({ p: 1 });
  });
});

describe('parseSchedule', () => {
  test('command-line forms', () => {
    expect(parseSchedule('none')).toEqual({ kind: 'none' });
    expect(parseSchedule('static:20,10,5')).toEqual({ kind: 'static', snrsDb: [20, 10, 5], copies: 3, keepClean: true });
    expect(parseSchedule('static:10x4,noclean')).toEqual({ kind: 'static', snrsDb: [10], copies: 4, keepClean: false });
    expect(parseSchedule('onTheFly:0.5:-5..20')).toEqual({ kind: 'onTheFly', p: 0.5, snrDb: [-5, 20] });
    expect(parseSchedule('otf:1:0..10')).toEqual({ kind: 'onTheFly', p: 1, snrDb: [0, 10] });
    expect(parseSchedule('curriculum:30..40->0..10')).toEqual({ kind: 'curriculum', p: 1, start: [30, 40], end: [0, 10] });
    expect(parseSchedule('curriculum:0.8:30..40->0.5..10')).toEqual({ kind: 'curriculum', p: 0.8, start: [30, 40], end: [0.5, 10] });
  });

  test('errors quote the input and list the forms', () => {
    expect(() => parseSchedule('static')).toThrow(/noise schedule 'static': not understood \(forms: none/);
    expect(() => parseSchedule('onTheFly:2:0..10')).toThrow(/p: expected a probability/);
  });
});
