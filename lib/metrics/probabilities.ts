// Turning model outputs into predictions: argmax over class probabilities, and the mean of several windows'
// probabilities, which scores a clip longer than the model's window as one prediction.
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
 * Element-wise mean of probability rows. Takes either a list of rows, or a row-major Float32Array
 * [windows, classes] with `classes` given. Sums in double precision so many windows lose no accuracy.
 */
export function meanProbabilities(rows: ReadonlyArray<ArrayLike<number>> | Float32Array, classes?: number): Float32Array {
  let list: ArrayLike<number>[];
  if (rows instanceof Float32Array) {
    if (classes === undefined) throw invalidParameterError('classes', 'positive integer (required when rows is a Float32Array)', classes);
    positiveInteger('classes', classes);
    if (rows.length % classes !== 0) throw rangeError('rows', `a length that is a multiple of classes (${classes})`, rows);
    list = [];
    for (let o = 0; o < rows.length; o += classes) list.push(rows.subarray(o, o + classes));
  } else if (Array.isArray(rows)) {
    list = rows as ArrayLike<number>[];
  } else {
    throw invalidParameterError('rows', 'array of probability rows or Float32Array', rows);
  }
  if (list.length === 0) throw rangeError('rows', 'at least one row', rows);
  const first = list[0];
  if (first === null || typeof first !== 'object' || typeof first.length !== 'number') throw invalidParameterError('rows[0]', 'array of numbers', first);
  const width = first.length;
  if (width === 0) throw rangeError('rows[0]', 'at least one class', first);
  // For a list of rows `classes` is optional, and only checked against the rows' width.
  if (classes !== undefined && positiveInteger('classes', classes) !== width) throw rangeError('rows[0]', `${classes} values (classes)`, first);
  const sum = new Float64Array(width);
  list.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number') throw invalidParameterError(`rows[${i}]`, 'array of numbers', row);
    if (row.length !== width) throw rangeError(`rows[${i}]`, `${width} values like rows[0]`, row);
    for (let c = 0; c < width; c++) {
      const v = row[c];
      if (typeof v !== 'number' || Number.isNaN(v)) throw invalidParameterError(`rows[${i}][${c}]`, 'finite number', v);
      if (!Number.isFinite(v)) throw rangeError(`rows[${i}][${c}]`, 'finite number', v);
      sum[c] += v;
    }
  });
  const out = new Float32Array(width);
  for (let c = 0; c < width; c++) out[c] = sum[c] / list.length;
  return out;
}
