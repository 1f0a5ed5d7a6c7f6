// The contract every optimizer implements, and the small helpers they share.
//
// An optimizer is an ask/tell state machine over the unit cube [0, 1]^D, minimising:
//   ask()        the candidates of the current iteration (calling it again returns the same batch);
//   tell(f)      their fitnesses, in ask order. A prefix is allowed (a budget cut the batch short): candidates
//                without a fitness are simply dropped. NaN (a failed evaluation) counts as +Infinity.
//   enqueue(p)   points to put first into the next batches (a default recipe, a warm start);
//   state()      a plain JSON-safe object (non-finite numbers are written as strings, since JSON has none);
//                restoreOptimizer(JSON.parse(JSON.stringify(state))) continues bit-for-bit, including a batch
//                that was asked but not yet told.
import { SerNativeError } from '../errors';
import * as is from '../is';
import type { RngState } from '../random';

export type Algorithm = 'sfs-woa' | 'woa' | 'sfs' | 'tpe' | 'random';

export const ALGORITHMS: readonly Algorithm[] = ['sfs-woa', 'woa', 'sfs', 'tpe', 'random'];

export interface Point {
  readonly x: number[];
  readonly value: number;
}

/** A number as stored in a JSON state: finite numbers as is, non-finite ones as "Infinity" / "-Infinity". */
export type JsonNumber = number | 'Infinity' | '-Infinity';

export interface JsonPoint {
  readonly x: number[];
  readonly value: JsonNumber;
}

/** Fields every optimizer state has. */
export interface BaseState {
  readonly algorithm: Algorithm;
  readonly version: 1;
  readonly dimension: number;
  readonly population: number;
  /** Planned number of ask/tell rounds (the schedule horizon of WOA-type algorithms). */
  readonly iterations: number;
  /** Completed ask/tell rounds. */
  readonly iteration: number;
  readonly rng: RngState;
  /** The batch handed out by ask() and not yet told, or null. */
  readonly pending: number[][] | null;
  readonly best: JsonPoint | null;
  /** Points enqueued for the next batches (optional: states written before enqueue() have none). */
  readonly queued?: number[][];
}

export interface Optimizer {
  readonly algorithm: Algorithm;
  readonly dimension: number;
  /** Completed ask/tell rounds. */
  readonly iteration: number;
  /** True once `iterations` rounds are done; ask() then throws. */
  readonly done: boolean;
  ask(): number[][];
  tell(fitnesses: readonly number[]): void;
  /**
   * Points of [0, 1]^D to evaluate first (e.g. a known good configuration): they replace the first candidates of
   * the next batches the algorithm proposes, in order, and are absorbed as its own. Part of the state.
   */
  enqueue(points: readonly (readonly number[])[]): void;
  state(): BaseState;
  /** Best point told so far (lowest fitness, earliest on ties), or null before the first fitness. */
  best(): Point | null;
}

export function toJsonNumber(v: number): JsonNumber {
  if (Number.isFinite(v)) return v;
  return v > 0 ? 'Infinity' : '-Infinity';
}

export function fromJsonNumber(name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw is.invalidArgument(`Expected finite number, "Infinity" or "-Infinity" for ${name} but received ${is.describe(v)}`);
}

export function toJsonPoint(p: Point | null): JsonPoint | null {
  return p === null ? null : { x: p.x.slice(), value: toJsonNumber(p.value) };
}

/** Mirror a coordinate back into [0, 1] (reflection keeps the step length, clipping would pile points on faces). */
export function reflect(v: number): number {
  if (v >= 0 && v <= 1) return v;
  if (Number.isNaN(v)) return 0.5;
  if (!Number.isFinite(v)) return v > 0 ? 1 : 0;
  const m = ((v % 2) + 2) % 2; // in [0, 2)
  return m <= 1 ? m : 2 - m;
}

export function reflectVector(x: number[]): number[] {
  for (let j = 0; j < x.length; j++) x[j] = reflect(x[j]);
  return x;
}

/** Validates tell() input against the pending batch; NaN becomes +Infinity (a failed evaluation ranks last). */
export function checkFitnesses(fitnesses: unknown, pending: number[][] | null): number[] {
  if (pending === null) throw new SerNativeError('ERR_STATE', 'tell() called without a pending batch: call ask() first');
  if (!Array.isArray(fitnesses)) {
    throw is.invalidArgument(`Expected array of numbers for fitnesses but received ${is.describe(fitnesses)}`);
  }
  if (fitnesses.length > pending.length) {
    throw is.invalidArgument(
      `Expected at most ${pending.length} values for fitnesses (the asked batch) but received ${fitnesses.length}`,
      'range',
    );
  }
  return fitnesses.map((f: unknown, i) => {
    if (typeof f !== 'number') throw is.invalidArgument(`Expected number for fitnesses[${i}] but received ${is.describe(f)}`);
    return Number.isNaN(f) ? Infinity : f;
  });
}

export function uniformPoint(rng: { uniform(): number }, dimension: number): number[] {
  const x = new Array<number>(dimension);
  for (let j = 0; j < dimension; j++) x[j] = rng.uniform();
  return x;
}

/** Keeps the better of the current best and (x, value); ties keep the incumbent so results do not depend on order. */
export function betterOf(best: Point | null, x: readonly number[], value: number): Point | null {
  if (best === null || value < best.value) return { x: x.slice(), value };
  return best;
}

/** Indices sorted by ascending fitness, ties by index (a stable, deterministic ranking). */
export function rankOrder(fitness: readonly number[]): number[] {
  return fitness.map((_, i) => i).sort((a, b) => fitness[a] - fitness[b] || a - b);
}
