/**
 * Fixed-length clips for batching: zero-pad short clips, crop long ones (random crop for training,
 * centre crop for evaluation), and cut a long clip into overlapping windows so it can be scored as
 * the mean over windows.
 */
import * as is from '../is';
import { Rng } from '../random';

export type CropMode = 'center' | 'start' | 'random';

export interface FixLengthOptions {
  /** Where to crop a longer clip (default `center`). `random` needs `seed` or `rng`. */
  crop?: CropMode;
  seed?: number;
  rng?: Rng;
}

function checkLength(length: number, what: string): void {
  is.positiveInteger(what, length);
}

/** Duration in seconds -> whole samples at a rate (rounded to the nearest sample). */
export function secondsToSamples(seconds: number, sampleRate: number): number {
  is.number('seconds', seconds, { min: 0, exclusiveMin: true });
  is.positiveInteger('sampleRate', sampleRate);
  return Math.max(1, Math.round(seconds * sampleRate));
}

/** Start index of a crop of `length` from `n` samples (n > length). */
export function cropStart(n: number, length: number, options: FixLengthOptions = {}): number {
  const excess = n - length;
  if (excess <= 0) return 0;
  const mode = options.crop ?? 'center';
  if (mode === 'start') return 0;
  if (mode === 'center') return excess >> 1;
  if (mode === 'random') {
    const rng = options.rng ?? (options.seed !== undefined ? new Rng(options.seed) : null);
    if (!rng) throw is.invalidArgument("options.crop 'random' needs options.seed or options.rng");
    return rng.int(excess + 1);
  }
  throw is.invalidParameterError('options.crop', "one of 'center', 'start', 'random'", mode);
}

/**
 * A new array of exactly `length` samples: the clip followed by zeros if it is shorter, or a crop
 * of it if it is longer. Padding goes at the end so the speech onset stays at sample 0 for both
 * training and evaluation.
 */
export function fixLength(samples: Float32Array, length: number, options: FixLengthOptions = {}): Float32Array {
  checkLength(length, 'length');
  const out = new Float32Array(length);
  if (samples.length <= length) {
    out.set(samples);
    return out;
  }
  const start = cropStart(samples.length, length, options);
  out.set(samples.subarray(start, start + length));
  return out;
}

/**
 * Start indices of windows of `windowLen` samples every `hop` samples over a clip of `n` samples.
 * The last window is aligned to the end of the clip when the hops do not land there, so the tail is
 * always covered; a clip shorter than a window gives the single start 0.
 */
export function windowStarts(n: number, windowLen: number, hop: number): number[] {
  checkLength(windowLen, 'windowLen');
  checkLength(hop, 'hop');
  is.integer('n', n, 0);
  if (n <= windowLen) return [0];
  const starts: number[] = [];
  for (let s = 0; s + windowLen <= n; s += hop) starts.push(s);
  const last = n - windowLen;
  if (starts[starts.length - 1] !== last) starts.push(last);
  return starts;
}

/**
 * Windows of `windowLen` samples every `hop` samples (see windowStarts). Full windows are views
 * into `samples` (no copy; do not modify them); a clip shorter than a window gives one zero-padded
 * copy.
 */
export function windows(samples: Float32Array, windowLen: number, hop: number): Float32Array[] {
  const starts = windowStarts(samples.length, windowLen, hop);
  if (samples.length < windowLen) return [fixLength(samples, windowLen)];
  return starts.map((s) => samples.subarray(s, s + windowLen));
}

/** Element-wise mean of equally long rows, e.g. class probabilities of each window of a clip. */
export function meanOverWindows(rows: ArrayLike<number>[]): Float64Array {
  if (rows.length === 0) throw is.rangeError('rows', 'at least one window', rows);
  const width = rows[0].length;
  const out = new Float64Array(width);
  for (const row of rows) {
    if (row.length !== width) throw is.rangeError('rows', `rows of one length (${width})`, row);
    for (let i = 0; i < width; i++) out[i] += row[i];
  }
  for (let i = 0; i < width; i++) out[i] /= rows.length;
  return out;
}
