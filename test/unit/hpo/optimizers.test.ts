import { ackley, rastrigin, scaleToBounds, sphere, type BenchmarkFunction } from '../../../lib/hpo/functions';
import { ALGORITHMS, type Algorithm, type Optimizer, reflect } from '../../../lib/hpo/optimizer';
import { createOptimizer, restoreOptimizer } from '../../../lib/hpo/registry';
import { Sfs } from '../../../lib/hpo/sfs';
import { SfsWoa, guidedExploration } from '../../../lib/hpo/sfs-woa';
import { Woa, encircle, spiral } from '../../../lib/hpo/woa';

const D = 5;

function make(algorithm: Algorithm, seed = 1, iterations = 30, population = 8): Optimizer {
  return createOptimizer(algorithm, { dimension: D, population, iterations, seed });
}

/** Runs ask/tell to the end, returning every batch asked. */
function run(opt: Optimizer, fn: BenchmarkFunction = rastrigin, rounds = Infinity): number[][][] {
  const batches: number[][][] = [];
  for (let r = 0; r < rounds && !opt.done; r++) {
    const batch = opt.ask();
    batches.push(batch);
    opt.tell(batch.map((x) => fn.evaluate(scaleToBounds(fn, x))));
  }
  return batches;
}

describe.each(ALGORITHMS)('%s', (algorithm) => {
  it('repeats the same candidates for the same seed and differs for another seed', () => {
    const a = run(make(algorithm, 11));
    expect(run(make(algorithm, 11))).toEqual(a);
    expect(run(make(algorithm, 12))).not.toEqual(a);
  });

  it('keeps every candidate inside the unit cube', () => {
    // Ackley's wide box and a long run push walks and spirals across the faces.
    for (const batch of run(make(algorithm, 3, 60), ackley)) {
      for (const x of batch) {
        expect(x).toHaveLength(D);
        for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
      }
    }
  });

  it('returns the same batch from repeated ask() until tell()', () => {
    const opt = make(algorithm);
    const first = opt.ask();
    first[0][0] = -5; // callers get copies
    expect(opt.ask()).not.toContainEqual(first[0]);
    expect(opt.ask()).toEqual(opt.ask());
    expect(opt.iteration).toBe(0);
  });

  it('improves on its initial population', () => {
    const opt = make(algorithm, 5, 40, 10);
    const [initial] = run(opt, sphere, 1);
    const initialBest = Math.min(...initial.map((x) => sphere.evaluate(scaleToBounds(sphere, x))));
    run(opt, sphere);
    expect(opt.best()!.value).toBeLessThan(initialBest);
  });

  it('tracks the best point told, whose value matches the objective', () => {
    const opt = make(algorithm);
    run(opt, sphere);
    const best = opt.best()!;
    expect(best.value).toBeCloseTo(sphere.evaluate(scaleToBounds(sphere, best.x)), 12);
  });

  it('continues bit-for-bit from a JSON-restored state, also with a batch pending', () => {
    const straight = make(algorithm, 9);
    const expected = run(straight);
    const first = make(algorithm, 9);
    const head = run(first, rastrigin, 7);
    first.ask(); // leave a batch pending in the state
    const restored = restoreOptimizer(JSON.parse(JSON.stringify(first.state())));
    expect(restored.iteration).toBe(7);
    expect([...head, ...run(restored)]).toEqual(expected);
    expect(restored.best()).toEqual(straight.best());
  });

  it('copes with truncated batches and failed (NaN / +Infinity) evaluations', () => {
    const opt = make(algorithm, 4, 20);
    for (let r = 0; !opt.done; r++) {
      const batch = opt.ask();
      const failed = [0, NaN, Infinity];
      const values = batch.map((x, i) => (i % 3 === 0 ? sphere.evaluate(scaleToBounds(sphere, x)) : failed[i % 3]));
      opt.tell(r % 2 === 0 ? values : values.slice(0, Math.floor(values.length / 2)));
    }
    expect(Number.isFinite(opt.best()!.value)).toBe(true);
    // The state stays JSON-safe with infinite fitnesses inside.
    expect(restoreOptimizer(JSON.parse(JSON.stringify(opt.state()))).state()).toEqual(opt.state());
  });

  it('recovers when the very first batch is told nothing', () => {
    const opt = make(algorithm, 2, 10);
    opt.ask();
    opt.tell([]);
    expect(opt.best()).toBeNull();
    run(opt, sphere);
    expect(opt.best()).not.toBeNull();
  });

  it('rejects misuse with clear errors', () => {
    const opt = make(algorithm, 1, 2);
    expect(() => opt.tell([1])).toThrow(/call ask\(\) first/);
    const n = opt.ask().length;
    expect(() => opt.tell(new Array(n + 1).fill(0))).toThrow(RangeError);
    expect(() => opt.tell(['1' as unknown as number])).toThrow(
      new TypeError("Expected number for fitnesses[0] but received '1' of type string"),
    );
    run(opt);
    expect(opt.done).toBe(true);
    expect(() => opt.ask()).toThrow(/after the last of 2 iterations/);
    expect(() => createOptimizer(algorithm, { dimension: 0, iterations: 5 })).toThrow(
      new RangeError('Expected positive integer for dimension but received 0 of type number'),
    );
    expect(() => createOptimizer(algorithm, { dimension: 2, iterations: 5, population: -1 })).toThrow(
      /for population but received -1 of type number/,
    );
    expect(() => restoreOptimizer({ ...opt.state(), iteration: -1 })).toThrow(/state\.iteration/);
  });
});

describe('WOA equations', () => {
  it('encircles: X* - A |C X* - X|', () => {
    const expected = [0.5 - 0.5 * Math.abs(0.75 - 0.1), 0.5 - 0.5 * Math.abs(0.75 - 0.9)];
    expect(encircle([0.5, 0.5], [0.1, 0.9], 0.5, 1.5)).toEqual(expected);
  });

  it('spirals: |X* - X| e^l cos(2 pi l) + X*', () => {
    const [v] = spiral([0.5], [0.2], 0.3);
    expect(v).toBeCloseTo(0.3 * Math.exp(0.3) * Math.cos(0.6 * Math.PI) + 0.5, 15);
    expect(spiral([0.4], [0.9], 0)[0]).toBeCloseTo(0.9, 15); // l = 0 lands at distance |X* - X| past X*
  });

  it('guides exploration by three whales: w1 X1 + z w2 (X2 - X3) + (1 - z) w3 (X - X1)', () => {
    const [v] = guidedExploration([0.9], [0.2], [0.6], [0.1], 0.75, [0.5, 0.4, 0.8]);
    expect(v).toBeCloseTo(0.5 * 0.2 + 0.75 * 0.4 * 0.5 + 0.25 * 0.8 * 0.7, 15);
  });

  it('reflects coordinates into [0, 1]', () => {
    expect([reflect(-0.25), reflect(1.25), reflect(2.5), reflect(-3.75), reflect(0.3)]).toEqual([0.25, 0.75, 0.5, 0.25, 0.3]);
  });

  it('shrinks its search as a falls: late moves stay closer to the leader than early ones', () => {
    const opt = new Woa({ dimension: D, population: 20, iterations: 200, seed: 8 });
    const spread: number[] = [];
    for (let r = 0; !opt.done; r++) {
      const leader = opt.best()?.x;
      const batch = opt.ask();
      if (leader) spread.push(Math.max(...batch.map((x) => Math.max(...x.map((v, j) => Math.abs(v - leader[j]))))));
      opt.tell(batch.map((x) => sphere.evaluate(scaleToBounds(sphere, x))));
    }
    const early = spread.slice(0, 20).reduce((a, b) => a + b) / 20;
    const late = spread.slice(-20).reduce((a, b) => a + b) / 20;
    expect(late).toBeLessThan(early / 5);
  });
});

describe('SFS', () => {
  it('cycles diffusion, first and second updating processes, three rounds per generation', () => {
    const opt = new Sfs({ dimension: D, population: 6, iterations: 100, seed: 3, maxDiffusion: 2 });
    const phases: string[] = [];
    const sizes: number[] = [];
    for (let r = 0; r < 7; r++) {
      const batch = opt.ask();
      phases.push(opt.state().phase);
      sizes.push(batch.length);
      opt.tell(batch.map((x) => sphere.evaluate(scaleToBounds(sphere, x))));
    }
    expect(phases).toEqual(['diffusion', 'diffusion', 'update1', 'update2', 'diffusion', 'update1', 'update2']);
    expect(sizes[0]).toBe(6); // initial population
    expect(sizes[1]).toBe(12); // 2 walks per point
    expect(sizes[2]).toBeLessThanOrEqual(6); // only changed points are evaluated
    expect(sizes[3]).toBeLessThanOrEqual(5); // the best point (Pa = 1) never proposes
    expect(opt.state().generation).toBe(4);
  });
});

describe('SFS-WOA', () => {
  it('asks N whale moves plus K diffusion walks per round after the initial population', () => {
    const opt = new SfsWoa({ dimension: D, population: 6, walks: 4, iterations: 10, seed: 1 });
    const sizes = run(opt, sphere).map((b) => b.length);
    expect(sizes).toEqual([6, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it('adapts the diffusion scale from the walks that beat the leader', () => {
    const opt = new SfsWoa({ dimension: D, population: 6, walks: 10, iterations: 200, seed: 1 });
    run(opt, sphere);
    expect(opt.state().diffusionScale).not.toBe(1);
    expect(opt.best()!.value).toBeLessThan(1e-6);
    const fixed = new SfsWoa({ dimension: D, population: 6, walks: 10, iterations: 200, seed: 1, adaptiveDiffusion: false });
    run(fixed, sphere);
    expect(fixed.state().diffusionScale).toBe(1);
    expect(opt.best()!.value).toBeLessThan(fixed.best()!.value);
  });

  it('needs at least four whales for the three distinct random ones', () => {
    expect(() => new SfsWoa({ dimension: 2, population: 3, iterations: 5 })).toThrow(
      new RangeError('Expected integer >= 4 for population but received 3 of type number'),
    );
  });
});
