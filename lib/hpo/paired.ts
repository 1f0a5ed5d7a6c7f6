// Statistics of paired differences: the mean, its standard error and a two-sided Student-t interval.
// Two configurations measured on the same replicates (training seed and fold) share the replicate's luck, so
// the difference of their values on each replicate carries only the part of the noise that depends on the
// configuration; its mean is the estimate, its spread the uncertainty (common random numbers).
import * as is from '../is';

export interface PairedSummary {
  /** Number of pairs. */
  readonly n: number;
  /** Mean of a − b over the pairs. */
  readonly mean: number;
  /** Sample standard deviation of the differences (n − 1 in the denominator); NaN for n < 2. */
  readonly sd: number;
  /** Standard error of the mean, sd / √n; +Infinity for n < 2 (one pair says nothing about the spread). */
  readonly se: number;
}

/** Summary of the differences `d` (e.g. candidate − incumbent, one per shared replicate). */
export function pairedSummary(d: readonly number[]): PairedSummary {
  if (!Array.isArray(d) || d.length === 0) throw is.invalidArgument(`Expected non-empty array of differences but received ${is.describe(d)}`);
  d.forEach((v, i) => is.number(`differences[${i}]`, v));
  const n = d.length;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: NaN, se: Infinity };
  const sd = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, se: sd / Math.sqrt(n) };
}

// Upper 5 % points of Student's t for 1..30 degrees of freedom (any statistics table, e.g. NIST/SEMATECH
// e-Handbook of Statistical Methods, 1.3.6.7.2).
const T95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734,
  1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

/**
 * t_{0.95, df}: the quantile of a two-sided 90 % interval. The table up to 30 degrees of freedom, beyond it the
 * Cornish-Fisher expansion around z = 1.6449 (Abramowitz & Stegun 26.7.5), which is within 1e-3 there.
 */
export function tQuantile95(df: number): number {
  is.positiveInteger('df', df);
  if (df <= T95.length) return T95[df - 1];
  const z = 1.6448536;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface PairedInterval extends PairedSummary {
  /** Two-sided 90 % t-interval of the mean difference; ±Infinity with a single pair. */
  readonly low: number;
  readonly high: number;
}

/** The mean paired difference with its 90 % t-interval (mean ± t_{0.95, n−1} · se). */
export function pairedInterval90(d: readonly number[]): PairedInterval {
  const s = pairedSummary(d);
  if (s.n < 2) return { ...s, low: -Infinity, high: Infinity };
  const half = tQuantile95(s.n - 1) * s.se;
  return { ...s, low: s.mean - half, high: s.mean + half };
}
