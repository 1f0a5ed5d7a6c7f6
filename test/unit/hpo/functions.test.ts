import {
  ackley,
  benchmarkFunctions,
  benchmarkSpace,
  griewank,
  rastrigin,
  rosenbrock,
  scaleToBounds,
  sphere,
} from '../../../lib/hpo/functions';
import { decode } from '../../../lib/hpo/space';

describe('benchmark functions', () => {
  it('have the textbook values at [1, 2, 3]', () => {
    expect(sphere.evaluate([1, 2, 3])).toBe(14);
    expect(rastrigin.evaluate([1, 2, 3])).toBeCloseTo(14, 12);
    expect(ackley.evaluate([1, 2, 3])).toBeCloseTo(7.0164536082694, 12);
    expect(griewank.evaluate([1, 2, 3])).toBeCloseTo(1.0170279701835734, 14);
    // 100 (2 - 1)^2 + 0 + 100 (3 - 4)^2 + 1 = 201
    expect(rosenbrock.evaluate([1, 2, 3])).toBe(201);
  });

  it('are zero at their optima, in any dimension', () => {
    for (const fn of benchmarkFunctions) {
      for (const d of [2, 30]) expect(fn.evaluate(fn.optimum(d))).toBeCloseTo(0, 12);
    }
    expect(ackley.evaluate([0.1, 0, 0])).toBeGreaterThan(0);
  });

  it('carry the usual bounds', () => {
    expect(benchmarkFunctions.map((f) => [f.name, f.min, f.max])).toEqual([
      ['sphere', -100, 100],
      ['rosenbrock', -30, 30],
      ['rastrigin', -5.12, 5.12],
      ['ackley', -32, 32],
      ['griewank', -600, 600],
    ]);
  });

  it('build a search space of D floats that decodes like scaleToBounds', () => {
    const space = benchmarkSpace(griewank, 3);
    expect(Object.keys(space)).toEqual(['x0', 'x1', 'x2']);
    const x = [0, 0.5, 1];
    expect(Object.values(decode(space, x))).toEqual(scaleToBounds(griewank, x));
    expect(scaleToBounds(griewank, x)).toEqual([-600, 0, 600]);
    expect(() => benchmarkSpace(rosenbrock, 1)).toThrow(/dimension/);
    expect(() => benchmarkSpace(sphere, 0)).toThrow(
      new RangeError('Expected positive integer for dimension but received 0 of type number'),
    );
  });
});
