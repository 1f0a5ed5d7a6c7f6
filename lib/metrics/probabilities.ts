// Turning model outputs into predictions: argmax over class probabilities, and the mean of each clip's
// windows' probabilities, which scores a clip longer than the model's window as one prediction.
import { invalidParameterError, positiveInteger, rangeError } from '../is';

/**
 * Index of the largest value of each row of a row-major [n, classes] matrix (the first one on ties, as
 * numpy). A NaN means the model diverged, and is an error rather than a silent class 0.
 */
export function argmax(probabilities: Float32Array | ArrayLike<number>, classes: number): number[] {
  positiveInteger('classes', classes);
  if (probabilities === null || typeof probabilities !== 'object' || typeof probabilities.length !== 'number') {
    throw invalidParameterError('probabilities', 'Float32Array or array of numbers', probabilities);
  }
  if (probabilities.length % classes !== 0) {
    throw rangeError('probabilities', `a length that is a multiple of classes (${classes})`, probabilities);
  }
  const rows = probabilities.length / classes;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = probabilities[r * classes + c];
      if (typeof v !== 'number' || Number.isNaN(v)) throw invalidParameterError(`probabilities[${r * classes + c}] (row ${r}, class ${c})`, 'number', v);
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * Mean of window probabilities per clip: window w (a row of the row-major [windows, classes]
 * `probs`) belongs to clip `owner[w]`; the result is [clips, classes]. This scores a clip longer
 * than the model's window as one prediction. Sums in double precision so many windows lose no
 * accuracy; a clip with no window gets zeros.
 */
export function meanByOwner(probs: Float32Array, owner: readonly number[], clips: number, classes: number): Float32Array {
  positiveInteger('classes', classes);
  if (probs.length !== owner.length * classes) throw rangeError('probs', `${owner.length} windows x ${classes} classes = ${owner.length * classes} values`, probs);
  const sum = new Float64Array(clips * classes);
  const count = new Float64Array(clips);
  owner.forEach((c, w) => {
    if (!Number.isInteger(c) || c < 0 || c >= clips) throw rangeError(`owner[${w}]`, `a clip index in [0, ${clips - 1}]`, c);
    count[c]++;
    for (let k = 0; k < classes; k++) sum[c * classes + k] += probs[w * classes + k];
  });
  const out = new Float32Array(clips * classes);
  for (let c = 0; c < clips; c++) for (let k = 0; k < classes; k++) out[c * classes + k] = count[c] ? sum[c * classes + k] / count[c] : 0;
  return out;
}
