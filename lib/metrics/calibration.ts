// Calibration: how far a model's confidence is from its accuracy, and temperature scaling to fix it.
// Temperature scaling (Guo et al. 2017) divides the logits by T; on probabilities (an ensemble's
// mean, a clip's mean over windows) it is p_k^(1/T) renormalised, i.e. softmax(log p / T). One
// parameter, fitted by minimising the negative log-likelihood of held-out predictions; it never
// changes which class is on top, only how sure the model says it is.
import * as is from '../is';

function checkRows(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  is.positiveInteger('classes', classes);
  if (probabilities.length % classes !== 0) throw is.rangeError('probabilities', `a length that is a multiple of classes (${classes})`, probabilities);
  const n = probabilities.length / classes;
  if (labels.length !== n) throw is.rangeError('labels', `one label per row (${n})`, labels);
  for (let i = 0; i < n; i++) if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= classes) throw is.rangeError(`labels[${i}]`, `a class index in [0, ${classes - 1}]`, labels[i]);
  return n;
}

/** softmax(log p / T) per row: probabilities at temperature T (T > 1 softens, T < 1 sharpens). */
export function applyTemperature(probabilities: ArrayLike<number>, classes: number, temperature: number): Float32Array {
  is.number('temperature', temperature, { min: 0, exclusiveMin: true });
  const out = new Float32Array(probabilities.length);
  const row = new Float64Array(classes);
  for (let r = 0; r < probabilities.length / classes; r++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) {
      row[k] = Math.log(Math.max(1e-30, probabilities[r * classes + k])) / temperature;
      if (row[k] > max) max = row[k];
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += row[k] = Math.exp(row[k] - max);
    for (let k = 0; k < classes; k++) out[r * classes + k] = row[k] / sum;
  }
  return out;
}

/** Mean negative log-likelihood of the true labels (natural log; 0 is perfect). */
export function negativeLogLikelihood(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  const n = checkRows(probabilities, labels, classes);
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(Math.max(1e-30, probabilities[i * classes + labels[i]]));
  return n ? s / n : 0;
}

export interface ReliabilityBin {
  /** Confidence range [lo, hi) of the bin (the last bin includes 1). */
  lo: number;
  hi: number;
  count: number;
  /** Mean top probability and accuracy of the predictions in the bin (null when empty). */
  confidence: number | null;
  accuracy: number | null;
}

export interface CalibrationReport {
  /** Expected calibration error: Σ_bins (count/n)·|accuracy − confidence|. */
  ece: number;
  /** Largest |accuracy − confidence| over non-empty bins. */
  mce: number;
  nll: number;
  n: number;
  bins: ReliabilityBin[];
}

/** ECE over `bins` equal-width confidence bins (15 by default, as Guo et al.), the reliability diagram's bins, and NLL. */
export function calibrationReport(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number, bins = 15): CalibrationReport {
  const n = checkRows(probabilities, labels, classes);
  is.positiveInteger('bins', bins);
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    const c = probabilities[i * classes + best];
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]++;
    conf[b] += c;
    if (best === labels[i]) correct[b]++;
  }
  let ece = 0;
  let mce = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const empty = count[b] === 0;
    const confidence = empty ? null : conf[b] / count[b];
    const accuracy = empty ? null : correct[b] / count[b];
    if (!empty) {
      const gap = Math.abs(accuracy! - confidence!);
      ece += (count[b] / n) * gap;
      mce = Math.max(mce, gap);
    }
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: count[b], confidence, accuracy });
  }
  return { ece, mce, nll: negativeLogLikelihood(probabilities, labels, classes), n, bins: out };
}

export interface TemperatureFit {
  temperature: number;
  nllBefore: number;
  nllAfter: number;
}

/**
 * The temperature minimising NLL on held-out predictions: golden-section search on log T over
 * [log 0.05, log 20] (NLL is unimodal in log T for temperature scaling), to 1e-6 in log T.
 */
export function fitTemperature(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): TemperatureFit {
  const n = checkRows(probabilities, labels, classes);
  if (n === 0) throw is.rangeError('probabilities', 'at least one row', probabilities);
  const nllAt = (logT: number) => negativeLogLikelihood(applyTemperature(probabilities, classes, Math.exp(logT)), labels, classes);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(0.05);
  let b = Math.log(20);
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = nllAt(c);
  let fd = nllAt(d);
  while (b - a > 1e-6) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = nllAt(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = nllAt(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  const before = negativeLogLikelihood(probabilities, labels, classes);
  const after = nllAt(Math.log(temperature));
  // Never make it worse than leaving it alone (a flat NLL can stop the search off T = 1).
  return after <= before ? { temperature, nllBefore: before, nllAfter: after } : { temperature: 1, nllBefore: before, nllAfter: before };
}

export interface CrossFittedCalibration {
  /** The temperature fitted on every row (what a bundle ships). */
  fit: TemperatureFit;
  /** Rows calibrated out of sample: each group's rows at the temperature fitted on the other groups. */
  crossFitted: Float32Array;
  /** ECE of those rows: an estimate for clips the temperature never saw. */
  report: CalibrationReport;
  /** The temperature fitted without each group, in group order. */
  perGroup: { group: string; temperature: number; n: number }[];
}

/**
 * Temperature scaling judged out of sample: leave-one-group-out (a group is a speaker), each
 * group's rows calibrated at the temperature fitted on the others, so the ECE reported is not the
 * ECE of the rows the temperature was fitted on. Needs at least two groups.
 */
export function crossFitTemperature(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number, groups: readonly string[]): CrossFittedCalibration {
  const n = checkRows(probabilities, labels, classes);
  if (groups.length !== n) throw is.rangeError('groups', `one group per row (${n})`, groups.length);
  const names = [...new Set(groups)].sort();
  if (names.length < 2) throw is.rangeError('groups', 'at least two groups (speakers) to fit on one and judge on another', names.length);
  const rows = (keep: (i: number) => boolean) => {
    const idx = Array.from({ length: n }, (_, i) => i).filter(keep);
    const p = new Float32Array(idx.length * classes);
    idx.forEach((i, j) => {
      for (let c = 0; c < classes; c++) p[j * classes + c] = probabilities[i * classes + c];
    });
    return { idx, p, y: idx.map((i) => labels[i]) };
  };
  const crossFitted = new Float32Array(n * classes);
  const perGroup = names.map((g) => {
    const train = rows((i) => groups[i] !== g);
    const test = rows((i) => groups[i] === g);
    const t = fitTemperature(train.p, train.y, classes).temperature;
    const cal = applyTemperature(test.p, classes, t);
    test.idx.forEach((i, j) => crossFitted.set(cal.subarray(j * classes, (j + 1) * classes), i * classes));
    return { group: g, temperature: t, n: test.idx.length };
  });
  return { fit: fitTemperature(probabilities, labels, classes), crossFitted, report: calibrationReport(crossFitted, labels, classes), perGroup };
}
