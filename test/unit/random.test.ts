// lib/random.ts: the one seeded generator (augmentation, demo corpus, splits, optimizers).
import { deriveSeed, Rng } from '../../lib/random';

describe('Rng', () => {
  test('implements xoshiro128** exactly (reference outputs for state 1, 2, 3, 4)', () => {
    const rng = Rng.fromState({ kind: 'xoshiro128**', s: [1, 2, 3, 4], spare: null });
    // From the reference C code: result = rotl(s1 * 5, 7) * 9.
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  test('same seed, same stream; different seeds, different streams', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(sa);
  });

  test('seeds beyond 32 bits and negative seeds are distinct; non-finite seeds are rejected', () => {
    const first = (s: number): number => new Rng(s).nextUint32();
    expect(first(2 ** 32)).not.toBe(first(0));
    expect(first(2 ** 40)).not.toBe(first(0));
    expect(first(-1)).not.toBe(first(2 ** 32 - 1));
    expect(() => new Rng(NaN)).toThrow(new TypeError('Expected finite number for seed but received NaN of type number'));
    expect(() => new Rng(Infinity)).toThrow(RangeError);
    expect(() => new Rng('1' as unknown as number)).toThrow(new TypeError("Expected finite number for seed but received '1' of type string"));
  });

  test('continues bit for bit after a JSON round trip, including the cached Box-Muller normal', () => {
    const a = new Rng(7);
    a.normal(); // leaves a spare normal cached
    const saved = JSON.parse(JSON.stringify(a.state()));
    expect(saved.spare).not.toBeNull();
    const b = Rng.fromState(saved);
    const seq = (r: Rng) => [r.normal(), r.uniform(), r.int(10), r.normal(), r.nextUint32(), r.float()];
    expect(seq(b)).toEqual(seq(a));
  });

  test('uniform and normal draws have the right moments', () => {
    const r = new Rng(7);
    const n = 200000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.float();
      su += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sn / n).toBeCloseTo(0, 2);
    expect(sn2 / n).toBeCloseTo(1, 1.5);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.uniform(-2, 3);
      expect(u >= -2 && u < 3).toBe(true);
      const z = r.normal(1, 2);
      m += z;
      m2 += z * z;
    }
    const mean = m / 20000;
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.sqrt(m2 / 20000 - mean * mean)).toBeCloseTo(2, 1);
  });

  test('int, chance, choice, shuffled and distinct', () => {
    const r = new Rng(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    expect(() => r.int(0)).toThrow(/positive integer/);
    let hits = 0;
    for (let i = 0; i < 10000; i++) if (r.chance(0.3)) hits++;
    expect(hits / 10000).toBeCloseTo(0.3, 1);
    expect(['a', 'b', 'c']).toContain(r.choice(['a', 'b', 'c']));
    expect(() => r.choice([])).toThrow(/values/);
    const list = Array.from({ length: 20 }, (_, i) => i);
    const s = r.shuffled(list);
    expect([...s].sort((a, b) => a - b)).toEqual(list);
    expect(s).not.toEqual(list);
    expect(new Rng(5).shuffled(list)).toEqual(new Rng(5).shuffled(list));
    for (let i = 0; i < 50; i++) {
      const d = r.distinct(5, 3, 2);
      expect(new Set(d).size).toBe(3);
      expect(d).not.toContain(2);
      d.forEach((k) => expect(k >= 0 && k < 5).toBe(true));
    }
    expect(() => r.distinct(3, 3, 0)).toThrow(RangeError);
  });

  test('rejects bad states with errors naming the field', () => {
    expect(() => Rng.fromState({ kind: 'xoshiro128**', s: [0, 0, 0, 0], spare: null })).toThrow(/non-zero/);
    expect(() => Rng.fromState({ kind: 'mt', s: [1, 2, 3, 4], spare: null })).toThrow(/kind/);
    expect(() => Rng.fromState({ kind: 'xoshiro128**', s: [1, 2, 3, 2 ** 32], spare: null })).toThrow(/s\[3\]/);
    expect(() => Rng.fromState({ kind: 'xoshiro128**', s: [1, 2, 3, 4], spare: 'x' })).toThrow(/spare/);
  });

  test('deriveSeed depends on every part and on their order', () => {
    const base = deriveSeed(1, 2, 3);
    expect(deriveSeed(1, 2, 3)).toBe(base);
    expect(new Set([base, deriveSeed(1, 3, 2), deriveSeed(1, 2, 4), deriveSeed(1, 2), deriveSeed(1, 2, 3, 0)]).size).toBe(5);
    expect(() => deriveSeed(1, NaN)).toThrow(/seed part 1/);
  });
});
