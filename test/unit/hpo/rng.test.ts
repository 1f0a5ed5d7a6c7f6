import { Rng } from '../../../lib/hpo/rng';

describe('Rng', () => {
  it('implements xoshiro128** exactly (reference outputs for state 1, 2, 3, 4)', () => {
    const rng = Rng.fromState({ kind: 'xoshiro128**', s: [1, 2, 3, 4], spare: null });
    // Computed by hand from the reference C code: result = rotl(s1 * 5, 7) * 9.
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('repeats a sequence for the same seed and differs for another seed', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.uniform());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40)).not.toEqual(draw(0)); // high bits of large seeds matter
  });

  it('continues bit-for-bit after a JSON round trip, including the cached Box-Muller normal', () => {
    const a = new Rng(7);
    a.normal(); // leaves a spare normal cached
    const saved = JSON.parse(JSON.stringify(a.state()));
    expect(saved.spare).not.toBeNull();
    const b = Rng.fromState(saved);
    const seq = (r: Rng) => [r.normal(), r.uniform(), r.int(0, 9), r.normal(), r.nextUint32()];
    expect(seq(b)).toEqual(seq(a));
  });

  it('draws uniforms in [min, max) with the right mean, and normals with the right moments', () => {
    const rng = new Rng(1);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform(-2, 3);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(3);
      sum += u;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal(1, 2);
      m += z;
      m2 += z * z;
    }
    const mean = m / n;
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.sqrt(m2 / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it('draws integers over the whole inclusive range, choices and distinct indices', () => {
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(rng.int(-2, 2));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    expect(['a', 'b', 'c']).toContain(rng.choice(['a', 'b', 'c']));
    for (let i = 0; i < 50; i++) {
      const d = rng.distinct(5, 3, 2);
      expect(new Set(d).size).toBe(3);
      expect(d).not.toContain(2);
      d.forEach((k) => expect(k >= 0 && k < 5).toBe(true));
    }
  });

  it('rejects bad seeds, ranges and states with errors naming the argument', () => {
    expect(() => new Rng(-1)).toThrow(new RangeError('Expected non-negative integer for seed but received -1 of type number'));
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng('1' as unknown as number)).toThrow(
      new TypeError('Expected non-negative integer for seed but received "1" of type string'),
    );
    const rng = new Rng(0);
    expect(() => rng.int(3, 2)).toThrow(/max/);
    expect(() => rng.choice([])).toThrow(/values/);
    expect(() => rng.distinct(3, 3, 0)).toThrow(RangeError);
    expect(() => Rng.fromState({ kind: 'xoshiro128**', s: [0, 0, 0, 0], spare: null })).toThrow(/all zeros/);
    expect(() => Rng.fromState({ kind: 'mt', s: [1, 2, 3, 4], spare: null })).toThrow(/kind/);
    expect(() => Rng.fromState({ kind: 'xoshiro128**', s: [1, 2, 3, 2 ** 32], spare: null })).toThrow(/s\[3\]/);
  });
});
