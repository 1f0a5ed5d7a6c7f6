// Classic minimisation benchmarks (all have minimum 0), with the bounds used by e.g. Yao, Liu & Lin,
// "Evolutionary programming made faster", IEEE TEC 3(2), 1999 (f1, f5, f9, f10, f11), which the WOA and SFS
// papers reuse:
//   sphere      f(x) = sum x_i^2                                                  [-100, 100]^D, min at 0
//   rosenbrock  f(x) = sum_{i<D} 100 (x_{i+1} - x_i^2)^2 + (x_i - 1)^2              [-30, 30]^D,   min at 1
//   rastrigin   f(x) = 10 D + sum (x_i^2 - 10 cos(2 pi x_i))                        [-5.12, 5.12]^D, min at 0
//   ackley      f(x) = -20 exp(-0.2 sqrt(mean x_i^2)) - exp(mean cos(2 pi x_i)) + 20 + e   [-32, 32]^D, min at 0
//   griewank    f(x) = 1 + sum x_i^2 / 4000 - prod cos(x_i / sqrt(i)), i = 1..D    [-600, 600]^D, min at 0
import * as is from '../is';
import type { FloatDimension, Space } from './space';

export interface BenchmarkFunction {
  readonly name: string;
  /** Lower bound of every coordinate. */
  readonly min: number;
  /** Upper bound of every coordinate. */
  readonly max: number;
  /** Smallest dimension the function is defined for. */
  readonly minDimension: number;
  /** A global minimiser at dimension D. */
  optimum(dimension: number): number[];
  evaluate(x: readonly number[]): number;
}

function checkPoint(name: string, x: readonly number[], minDimension: number): void {
  if (!Array.isArray(x) || x.length < minDimension) {
    throw is.invalidArgument(`Expected array of at least ${minDimension} numbers for x (${name}) but received ${is.describe(x)}`);
  }
}

export const sphere: BenchmarkFunction = {
  name: 'sphere',
  min: -100,
  max: 100,
  minDimension: 1,
  optimum: (d) => new Array<number>(d).fill(0),
  evaluate(x) {
    checkPoint('sphere', x, 1);
    let s = 0;
    for (const v of x) s += v * v;
    return s;
  },
};

export const rosenbrock: BenchmarkFunction = {
  name: 'rosenbrock',
  min: -30,
  max: 30,
  minDimension: 2,
  optimum: (d) => new Array<number>(d).fill(1),
  evaluate(x) {
    checkPoint('rosenbrock', x, 2);
    let s = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i + 1] - x[i] * x[i];
      const b = x[i] - 1;
      s += 100 * a * a + b * b;
    }
    return s;
  },
};

export const rastrigin: BenchmarkFunction = {
  name: 'rastrigin',
  min: -5.12,
  max: 5.12,
  minDimension: 1,
  optimum: (d) => new Array<number>(d).fill(0),
  evaluate(x) {
    checkPoint('rastrigin', x, 1);
    let s = 10 * x.length;
    for (const v of x) s += v * v - 10 * Math.cos(2 * Math.PI * v);
    return s;
  },
};

export const ackley: BenchmarkFunction = {
  name: 'ackley',
  min: -32,
  max: 32,
  minDimension: 1,
  optimum: (d) => new Array<number>(d).fill(0),
  evaluate(x) {
    checkPoint('ackley', x, 1);
    let squares = 0;
    let cosines = 0;
    for (const v of x) {
      squares += v * v;
      cosines += Math.cos(2 * Math.PI * v);
    }
    const n = x.length;
    return -20 * Math.exp(-0.2 * Math.sqrt(squares / n)) - Math.exp(cosines / n) + 20 + Math.E;
  },
};

export const griewank: BenchmarkFunction = {
  name: 'griewank',
  min: -600,
  max: 600,
  minDimension: 1,
  optimum: (d) => new Array<number>(d).fill(0),
  evaluate(x) {
    checkPoint('griewank', x, 1);
    let sum = 0;
    let prod = 1;
    for (let i = 0; i < x.length; i++) {
      sum += x[i] * x[i];
      prod *= Math.cos(x[i] / Math.sqrt(i + 1));
    }
    return 1 + sum / 4000 - prod;
  },
};

export const benchmarkFunctions: readonly BenchmarkFunction[] = [sphere, rosenbrock, rastrigin, ackley, griewank];

/** The search space of a benchmark at dimension D: floats x0 .. x{D-1} over the function's bounds. */
export function benchmarkSpace(fn: BenchmarkFunction, dimension: number): Space {
  is.positiveInteger('dimension', dimension);
  if (dimension < fn.minDimension) {
    throw is.invalidArgument(
      `Expected integer >= ${fn.minDimension} for dimension (${fn.name}) but received ${is.describe(dimension)}`,
      'range',
    );
  }
  const space: Record<string, FloatDimension> = {};
  for (let i = 0; i < dimension; i++) space[`x${i}`] = { type: 'float', min: fn.min, max: fn.max };
  return space;
}

/** Maps a unit-cube point to the function's box (what `decode` does for a benchmarkSpace, without objects). */
export function scaleToBounds(fn: BenchmarkFunction, x: readonly number[]): number[] {
  return x.map((u) => fn.min + u * (fn.max - fn.min));
}
