// Search spaces: named dimensions, and the map between a configuration and a point of the unit cube [0, 1]^D
// in which every optimizer works (so the algorithms never see units, log scales, integers or categories).
//
//   float:  v = min + x (max - min)                      log: v = exp(ln min + x (ln max - ln min))
//   int:    the cube interval is cut into max - min + 1 equal bins, so every integer is equally likely under
//           uniform x (plain rounding would halve the weight of both ends):
//           v = round(lo + x (hi - lo)), lo = min - 1/2, hi = max + 1/2   (log: the same on ln v, min >= 1)
//   choice: K values, K equal bins: index = floor(x K). The cube orders them by their place in the list, which
//           the metaheuristics (SFS, WOA, SFS-WOA, random) cannot avoid; TPE models an unordered choice with
//           Optuna's categorical kernel instead (`categoricalSizes`), and an `ordered` one as an interval.
// `encode` returns the centre of a value's bin (ints, choices) or the exact preimage (floats), so
// decode(encode(c)) === c for every valid configuration c.
// Dimension order is the key order of the space object (JavaScript lists integer-like keys first, ascending).
import * as is from '../is';

export interface FloatDimension {
  readonly type: 'float';
  readonly min: number;
  readonly max: number;
  /** Search uniformly in log(value); requires min > 0. */
  readonly log?: boolean;
}

export interface IntDimension {
  readonly type: 'int';
  readonly min: number;
  readonly max: number;
  /** Search uniformly in log(value); requires min >= 1. */
  readonly log?: boolean;
}

export interface ChoiceDimension<T = unknown> {
  readonly type: 'choice';
  readonly values: readonly T[];
  /** The values are a scale (e.g. 16 | 32 | 64), so neighbours are alike: TPE then models the bins as an interval. */
  readonly ordered?: boolean;
}

export type Dimension = FloatDimension | IntDimension | ChoiceDimension;

export type Space = { readonly [name: string]: Dimension };

/** The configuration type a space decodes to: numbers for float/int, the value type for choices. */
export type ConfigOf<S extends Space> = {
  -readonly [K in keyof S]: S[K] extends ChoiceDimension<infer T> ? T : number;
};

/** Choice values are compared by identity, or by JSON text for objects/arrays (so restored configs match). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

function validateDimension(name: string, dim: unknown): void {
  const where = `space.${name}`;
  const d = is.plainObject(where, dim);
  if (d.type === 'float' || d.type === 'int') {
    const isInt = d.type === 'int';
    for (const key of ['min', 'max'] as const) {
      const v = d[key];
      const ok = typeof v === 'number' && (isInt ? Number.isSafeInteger(v) : Number.isFinite(v));
      if (!ok) throw is.argumentError(`${where}.${key}`, isInt ? 'integer' : 'finite number', v, typeof v === 'number');
    }
    const min = d.min as number;
    const max = d.max as number;
    if (isInt ? max < min : max <= min) {
      throw is.argumentError(`${where}.max`, `number ${isInt ? '>=' : '>'} ${where}.min (${min})`, max, true);
    }
    if (d.log !== undefined && typeof d.log !== 'boolean') throw is.argumentError(`${where}.log`, 'boolean', d.log, false);
    if (d.log === true && min < (isInt ? 1 : Number.MIN_VALUE)) {
      throw is.argumentError(`${where}.min`, isInt ? 'integer >= 1 (log scale)' : 'number > 0 (log scale)', min, true);
    }
  } else if (d.type === 'choice') {
    if (!Array.isArray(d.values) || d.values.length === 0) {
      throw is.argumentError(`${where}.values`, 'non-empty array', d.values, Array.isArray(d.values));
    }
    const values = d.values as unknown[];
    values.forEach((v, i) => {
      if (values.findIndex((w) => sameValue(v, w)) !== i) {
        throw is.argumentError(`${where}.values[${i}]`, 'distinct values', v, true);
      }
    });
    if (d.ordered !== undefined && typeof d.ordered !== 'boolean') throw is.argumentError(`${where}.ordered`, 'boolean', d.ordered, false);
  } else {
    throw is.argumentError(`${where}.type`, "'float', 'int' or 'choice'", d.type, false);
  }
}

/** Throws a TypeError/RangeError naming the offending field; returns the dimension names in cube order. */
export function validateSpace(space: unknown): string[] {
  const s = is.plainObject('space', space);
  const names = Object.keys(s);
  if (names.length === 0) throw is.invalidArgument('Expected at least one dimension for space but received an empty object', 'range');
  for (const name of names) validateDimension(name, s[name]);
  return names;
}

/**
 * Per cube coordinate: the number of values of an unordered choice (a category), else null (float, int, and
 * choices marked `ordered`). What TPE needs to model categories as categories.
 */
export function categoricalSizes(space: Space): (number | null)[] {
  return validateSpace(space).map((name) => {
    const d = space[name];
    return d.type === 'choice' && d.ordered !== true ? d.values.length : null;
  });
}

/** Number of dimensions D of the unit cube. */
export function dimensionOf(space: Space): number {
  return validateSpace(space).length;
}

function interpolate(d: FloatDimension | IntDimension, x: number): number {
  const half = d.type === 'int' ? 0.5 : 0;
  const lo = d.min - half;
  const hi = d.max + half;
  const raw = d.log ? Math.exp(Math.log(lo) + x * (Math.log(hi) - Math.log(lo))) : lo + x * (hi - lo);
  const v = d.type === 'int' ? Math.round(raw) : raw;
  // Rounding (floating point, or x = 1 landing on the upper bin edge) must never leave [min, max].
  return Math.min(d.max, Math.max(d.min, v));
}

function decodeOne(d: Dimension, x: number): unknown {
  if (d.type === 'choice') return d.values[Math.min(d.values.length - 1, Math.floor(x * d.values.length))];
  return interpolate(d, x);
}

/** A decode function for one space, validated once (for loops that decode every candidate). */
export function decoder<S extends Space>(space: S): (x: readonly number[]) => ConfigOf<S> {
  const names = validateSpace(space);
  const dims = names.map((name) => space[name]);
  return (x) => {
    is.unitVector('x', x, names.length);
    const config: Record<string, unknown> = {};
    for (let j = 0; j < names.length; j++) config[names[j]] = decodeOne(dims[j], x[j]);
    return config as ConfigOf<S>;
  };
}

/** Maps a point of [0, 1]^D to a configuration object. */
export function decode<S extends Space>(space: S, x: readonly number[]): ConfigOf<S> {
  return decoder(space)(x);
}

function encodeOne(name: string, d: Dimension, value: unknown): number {
  const where = `config.${name}`;
  if (d.type === 'choice') {
    const index = d.values.findIndex((v) => sameValue(v, value));
    if (index < 0) throw is.argumentError(where, `one of ${JSON.stringify(d.values)}`, value, true);
    return (index + 0.5) / d.values.length;
  }
  const isInt = d.type === 'int';
  if (typeof value !== 'number' || !(isInt ? Number.isSafeInteger(value) : Number.isFinite(value))) {
    throw is.argumentError(where, isInt ? 'integer' : 'finite number', value, typeof value === 'number');
  }
  if (value < d.min || value > d.max) throw is.argumentError(where, `number in [${d.min}, ${d.max}]`, value, true);
  const half = isInt ? 0.5 : 0;
  const lo = d.min - half;
  const hi = d.max + half;
  const x = d.log ? (Math.log(value) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (value - lo) / (hi - lo);
  return Math.min(1, Math.max(0, x));
}

/** Maps a configuration to the point of [0, 1]^D that decodes back to it. */
export function encode<S extends Space>(space: S, config: ConfigOf<S> | Record<string, unknown>): number[] {
  const names = validateSpace(space);
  const c = is.plainObject('config', config);
  return names.map((name) => {
    if (!(name in c)) throw is.invalidArgument(`Expected a value for config.${name} but it is missing`);
    return encodeOne(name, space[name], c[name]);
  });
}
