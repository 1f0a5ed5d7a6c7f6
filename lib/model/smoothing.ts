// Smoothing of window probabilities over time, causal (each output depends on the past only) so a
// live stream and timeline() of the same audio give the same values. Speech-less windows reset it:
// the next utterance does not inherit the last one's emotion.
import * as is from '../is';

export interface SmoothingOptions {
  /** Exponential smoothing factor a in [0, 1): p̂ₜ = a·p̂ₜ₋₁ + (1 − a)·pₜ. 0 (default) is none. */
  smoothing?: number;
  /** Median over the last `median` speech windows, per label, renormalised to sum 1 (odd, ≥ 1; 1 = none). */
  median?: number;
}

export function checkSmoothing(o: SmoothingOptions): Required<SmoothingOptions> {
  const smoothing = o.smoothing === undefined ? 0 : is.number('options.smoothing', o.smoothing, { min: 0, max: 0.99 });
  const median = o.median === undefined ? 1 : is.integer('options.median', o.median, 1, 99);
  if (median % 2 === 0) throw is.rangeError('options.median', 'an odd number of windows (1, 3, 5, ...)', median);
  return { smoothing, median };
}

export class ProbabilitySmoother {
  private readonly a: number;
  private readonly median: number;
  private last: Float32Array | null = null;
  private history: Float32Array[] = [];

  constructor(options: SmoothingOptions = {}) {
    const o = checkSmoothing(options);
    this.a = o.smoothing;
    this.median = o.median;
  }

  get active(): boolean {
    return this.a > 0 || this.median > 1;
  }

  /** The smoothed row for this window's probabilities; null (no speech) resets. */
  next(row: Float32Array | null): Float32Array | null {
    if (row === null) {
      this.last = null;
      this.history = [];
      return null;
    }
    let p = row;
    if (this.median > 1) {
      this.history.push(row);
      if (this.history.length > this.median) this.history.shift();
      p = new Float32Array(row.length);
      const col = new Float32Array(this.history.length);
      let sum = 0;
      for (let j = 0; j < row.length; j++) {
        this.history.forEach((h, i) => (col[i] = h[j]));
        col.sort();
        const m = col.length;
        p[j] = m % 2 === 1 ? col[(m - 1) / 2] : (col[m / 2 - 1] + col[m / 2]) / 2;
        sum += p[j];
      }
      if (sum > 0) for (let j = 0; j < p.length; j++) p[j] /= sum;
    }
    if (this.a > 0 && this.last) {
      const q = new Float32Array(p.length);
      for (let j = 0; j < p.length; j++) q[j] = this.a * this.last[j] + (1 - this.a) * p[j];
      p = q;
    }
    this.last = p;
    return p;
  }
}
