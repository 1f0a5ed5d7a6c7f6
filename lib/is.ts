// Argument validation, the one module for it (sharp's lib/is): every message reads "Expected
// <what> for <name> but received <value>". A value of the wrong type is a TypeError, a value of
// the right type out of range a RangeError; both carry code ERR_ARGUMENT, like the addon's
// argument errors (native/common.h).

/** Renders a received value for an error message: short, and never throws. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}' of type string`;
  if (value === null) return 'null';
  // ArrayBuffer.isView, not instanceof: typed arrays made by the addon come from another realm under jest.
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as { length?: number }).length ?? value.byteLength})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    let shown: string;
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      shown = Object.prototype.toString.call(value);
    }
    return `${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} of type object`;
  }
  return `${String(value)} of type ${typeof value}`;
}

type ArgumentError<E extends Error> = E & { code: 'ERR_ARGUMENT' };

function coded<E extends Error>(e: E): ArgumentError<E> {
  return Object.assign(e, { code: 'ERR_ARGUMENT' as const });
}

export function invalidParameterError(name: string, expected: string, actual: unknown): ArgumentError<TypeError> {
  return coded(new TypeError(`Expected ${expected} for ${name} but received ${describe(actual)}`));
}

export function rangeError(name: string, expected: string, actual: unknown): ArgumentError<RangeError> {
  return coded(new RangeError(`Expected ${expected} for ${name} but received ${describe(actual)}`));
}

/** A RangeError when `range` (by default: for a number of the wrong value), else a TypeError. */
export function argumentError(name: string, expected: string, actual: unknown, range = typeof actual === 'number' && !Number.isNaN(actual)): ArgumentError<TypeError | RangeError> {
  return range ? rangeError(name, expected, actual) : invalidParameterError(name, expected, actual);
}

/**
 * An argument error whose message cannot read "Expected … for … but received …" (two options that do
 * not go together, a value that differs from the run being resumed): a TypeError, or a RangeError
 * with `kind: 'range'`, with code ERR_ARGUMENT. The message must name the option(s).
 */
export function invalidArgument(message: string, kind: 'type' | 'range' = 'type'): ArgumentError<TypeError | RangeError> {
  return coded(kind === 'range' ? new RangeError(message) : new TypeError(message));
}

function fail(name: string, expected: string, actual: unknown): never {
  throw argumentError(name, expected, actual);
}

export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
  exclusiveMin?: boolean;
}

function numberText(opts: NumberRange): string {
  const { min, max, integer, exclusiveMin } = opts;
  const kind = integer ? 'integer' : 'number';
  if (integer && max === undefined && !exclusiveMin && min === 1) return 'positive integer';
  if (max === undefined && min === 0) return exclusiveMin ? `${kind} > 0` : `non-negative ${kind}`;
  if (min !== undefined && max !== undefined) return `${kind} in ${exclusiveMin ? '(' : '['}${min}, ${max}]`;
  if (min !== undefined) return `${kind} ${exclusiveMin ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return integer ? 'integer' : 'finite number';
}

/** A finite number (a safe integer with `integer`) within the optional bounds. */
export function number(name: string, v: unknown, opts: NumberRange = {}): number {
  const what = numberText(opts);
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalidParameterError(name, what, v);
  if (!Number.isFinite(v) || (opts.integer && !Number.isSafeInteger(v))) throw rangeError(name, what, v);
  if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) throw rangeError(name, what, v);
  if (opts.max !== undefined && v > opts.max) throw rangeError(name, what, v);
  return v;
}

/** A safe integer in [min, max]. */
export function integer(name: string, v: unknown, min?: number, max?: number): number {
  return number(name, v, { integer: true, min: min === -Infinity ? undefined : min, max: max === Infinity ? undefined : max });
}

export function positiveInteger(name: string, v: unknown): number {
  return integer(name, v, 1);
}

export function probability(name: string, v: unknown): number {
  return number(name, v, { min: 0, max: 1 });
}

export function oneOf<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalidParameterError(name, `one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
  return v as T;
}

export function boolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalidParameterError(name, 'boolean', v);
  return v;
}

export function fn(name: string, v: unknown): (...args: never[]) => unknown {
  if (typeof v !== 'function') throw invalidParameterError(name, 'function', v);
  return v as (...args: never[]) => unknown;
}

export function plainObject(name: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidParameterError(name, 'object', v);
  return v as Record<string, unknown>;
}

/** An array of `dimension` numbers in the unit interval (a point of the search cube). */
export function unitVector(name: string, v: unknown, dimension: number): number[] {
  if (!Array.isArray(v)) throw invalidParameterError(name, `array of ${dimension} numbers in [0, 1]`, v);
  if (v.length !== dimension) throw coded(new RangeError(`Expected array of length ${dimension} for ${name} but received length ${v.length}`));
  v.forEach((x: unknown, j) => {
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) fail(`${name}[${j}]`, 'number in [0, 1]', x);
  });
  return v as number[];
}

/** A JSON-restored matrix: `rows` (any number when null) arrays of `dimension` unit-interval numbers. */
export function unitMatrix(name: string, v: unknown, rows: number | null, dimension: number): number[][] {
  if (!Array.isArray(v)) throw invalidParameterError(name, 'array', v);
  if (rows !== null && v.length !== rows) throw coded(new RangeError(`Expected array of length ${rows} for ${name} but received length ${v.length}`));
  return v.map((row: unknown, i) => unitVector(`${name}[${i}]`, row, dimension));
}

/**
 * Edit distance for "did you mean" suggestions: insertions, deletions, substitutions and swaps of two
 * neighbouring letters each count 1 (optimal string alignment), so `modle` is one edit from `model`.
 */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest allowed name to a misspelled one (case-insensitive, at most a third of it edited), or undefined. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = distance(word.toLowerCase(), a.toLowerCase());
    if (d < bestD) [best, bestD] = [a, d];
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * Rejects unknown keys, catching typos such as `nfft` for `nFft` or `epoch` for `epochs`
 * (better-sqlite3's "Misspelled option"). Keys whose value is undefined count as absent.
 */
export function knownKeys(name: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key) || obj[key] === undefined) continue;
    const close = closest(key, allowed);
    throw coded(new TypeError(`Unknown option ${name}.${key}${close ? ` (did you mean ${close}?)` : ''}; known options: ${allowed.join(', ')}`));
  }
}

/** Every key of an options type, each once: listing one too few or one unknown is a compile error. */
export type KeysOf<T> = { readonly [K in keyof Required<T>]: true };

/**
 * `options` (default {}) as an object with only the keys of its type: the first check of every
 * public entry point, so `train({ epoch: 5 })` fails ("did you mean epochs?") instead of training 60.
 * Prefer a `KeysOf<T>` record (the compiler checks it lists every key) to an array of names.
 */
export function options<T extends object>(name: string, v: T | undefined, keys: KeysOf<T> | readonly (keyof T & string)[]): T {
  if (v === undefined) return {} as T;
  knownKeys(name, plainObject(name, v), Array.isArray(keys) ? keys : Object.keys(keys));
  return v;
}

const DEVICE_RE = /^(auto|cpu|cuda|cuda:\d{1,3})$/;
/** LibTorch's device index is an int8 (c10::DeviceIndex): a larger N would wrap to another GPU. */
const MAX_CUDA_INDEX = 127;
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;
export function device(name: string, v: unknown): Device {
  if (typeof v !== 'string' || !DEVICE_RE.test(v) || (v.startsWith('cuda:') && Number(v.slice(5)) > MAX_CUDA_INDEX)) {
    throw invalidParameterError(name, `'auto', 'cpu', 'cuda' or 'cuda:N' (N from 0 to ${MAX_CUDA_INDEX})`, v);
  }
  return v as Device;
}
