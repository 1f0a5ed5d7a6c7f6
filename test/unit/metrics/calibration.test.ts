import { applyTemperature, calibrationReport, crossFitTemperature, fitTemperature, negativeLogLikelihood } from '../../../lib/metrics/calibration';
import { Rng } from '../../../lib/random';

describe('expected calibration error', () => {
  it('matches a hand-computed case (15 bins, two predictions sharing a bin)', () => {
    // top probability → bin: 0.9 → 13, 0.92 → 13, 0.81 → 12, 0.7 → 10, 0.55 → 8.
    const p = [0.9, 0.1, 0.19, 0.81, 0.3, 0.7, 0.45, 0.55, 0.92, 0.08];
    const y = [0, 0, 1, 0, 1];
    const r = calibrationReport(p, y, 2);
    // bin 13: confidence 0.91, accuracy 1/2 → gap 0.41, weight 2/5; bin 12: 0.81 wrong; bin 10: 0.7 right; bin 8: 0.55 wrong.
    expect(r.ece).toBeCloseTo((2 * 0.41 + 0.81 + 0.3 + 0.55) / 5, 12);
    expect(r.mce).toBeCloseTo(0.81, 12);
    expect(r.bins).toHaveLength(15);
    expect(r.bins[13]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(r.bins[13].confidence).toBeCloseTo(0.91, 12);
    expect(r.bins[0]).toEqual({ lo: 0, hi: 1 / 15, count: 0, confidence: null, accuracy: null });
    expect(r.nll).toBeCloseTo(-(Math.log(0.9) + Math.log(0.19) + Math.log(0.7) + Math.log(0.45) + Math.log(0.08)) / 5, 12);
  });

  it('is 0 for a perfectly calibrated bin and rejects bad labels', () => {
    expect(calibrationReport([1, 0, 0, 1], [0, 1], 2).ece).toBe(0);
    expect(() => calibrationReport([0.5, 0.5], [2], 2)).toThrow(/labels\[0\]/);
    expect(() => calibrationReport([0.5, 0.5, 0.1], [0], 2)).toThrow(/multiple of classes/);
  });
});

describe('temperature scaling', () => {
  it('T = 1 changes nothing; any T keeps the top class', () => {
    const p = new Float32Array([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
    const same = applyTemperature(p, 3, 1);
    p.forEach((v, i) => expect(same[i]).toBeCloseTo(v, 6));
    const soft = applyTemperature(p, 3, 4);
    expect(soft[0]).toBeLessThan(0.7);
    expect(soft[0]).toBeGreaterThan(soft[1]);
    expect(soft[5]).toBeGreaterThan(soft[4]);
    expect(soft[0] + soft[1] + soft[2]).toBeCloseTo(1, 6);
  });

  /** n rows whose labels are drawn from softmax(z) but whose reported probabilities are softmax(z·sharpen). */
  function miscalibrated(n: number, classes: number, sharpen: number, seed: number) {
    const rng = new Rng(seed);
    const probs = new Float32Array(n * classes);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: classes }, () => 1.5 * rng.normal());
      const truth = z.map(Math.exp);
      const s = truth.reduce((a, b) => a + b, 0);
      let u = rng.float() * s;
      let y = 0;
      while (y < classes - 1 && (u -= truth[y]) > 0) y++;
      labels.push(y);
      const shown = z.map((v) => Math.exp(v * sharpen));
      const t = shown.reduce((a, b) => a + b, 0);
      shown.forEach((v, k) => (probs[i * classes + k] = v / t));
    }
    return { probs, labels };
  }

  it.each([
    [3, 'overconfident'],
    [0.5, 'underconfident'],
  ])('fitting lowers NLL and ECE on a synthetic %sx miscalibrated set (%s), recovering T', (sharpen) => {
    const { probs, labels } = miscalibrated(4000, 8, sharpen, 11);
    const fit = fitTemperature(probs, labels, 8);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore - 0.02);
    expect(fit.temperature).toBeGreaterThan(sharpen * 0.85);
    expect(fit.temperature).toBeLessThan(sharpen * 1.15);
    const calibrated = applyTemperature(probs, 8, fit.temperature);
    expect(negativeLogLikelihood(calibrated, labels, 8)).toBeCloseTo(fit.nllAfter, 10);
    expect(calibrationReport(calibrated, labels, 8).ece).toBeLessThan(calibrationReport(probs, labels, 8).ece / 2);
  });

  it('leaves a well-calibrated set near T = 1', () => {
    const { probs, labels } = miscalibrated(4000, 4, 1, 5);
    const fit = fitTemperature(probs, labels, 4);
    expect(Math.abs(Math.log(fit.temperature))).toBeLessThan(0.1);
    expect(fit.nllAfter).toBeLessThanOrEqual(fit.nllBefore);
  });

  it('cross-fits leave-one-group-out: each group at the temperature fitted on the others', () => {
    const { probs, labels } = miscalibrated(900, 4, 2.5, 11);
    const groups = labels.map((_, i) => `s${i % 3}`);
    const x = crossFitTemperature(probs, labels, 4, groups);
    expect(x.perGroup.map((g) => g.group)).toEqual(['s0', 's1', 's2']);
    expect(x.perGroup.map((g) => g.n)).toEqual([300, 300, 300]);
    x.perGroup.forEach((g, k) => {
      // The temperature of a group is the plain fit on the rows of the other groups.
      const keep = labels.map((_, i) => i).filter((i) => i % 3 !== k);
      const p = new Float32Array(keep.length * 4);
      keep.forEach((i, j) => p.set(probs.subarray(i * 4, i * 4 + 4), j * 4));
      expect(g.temperature).toBeCloseTo(fitTemperature(p, keep.map((i) => labels[i]), 4).temperature, 10);
      // Row 0 of the group carries that temperature.
      const i = k;
      const row = applyTemperature(probs.subarray(i * 4, i * 4 + 4), 4, g.temperature);
      for (let c = 0; c < 4; c++) expect(x.crossFitted[i * 4 + c]).toBeCloseTo(row[c], 6);
    });
    expect(x.fit.temperature).toBeCloseTo(fitTemperature(probs, labels, 4).temperature, 10);
    expect(x.report.ece).toBeLessThan(calibrationReport(probs, labels, 4).ece / 2);
    expect(() => crossFitTemperature(probs, labels, 4, labels.map(() => 'one'))).toThrow(/at least two groups/);
    expect(() => crossFitTemperature(probs, labels, 4, ['a', 'b'])).toThrow(/one group per row/);
  });
});
