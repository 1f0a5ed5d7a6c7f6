import { deriveSeed, Rng } from '../../../lib/augment/rng';

describe('Rng', () => {
  test('same seed, same stream; different seeds, different streams', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(sa);
  });

  test('seeds beyond 32 bits and negative seeds are distinct', () => {
    const first = (s: number): number => new Rng(s).nextUint32();
    expect(first(2 ** 32)).not.toBe(first(0));
    expect(first(-1)).not.toBe(first(2 ** 32 - 1));
    expect(() => new Rng(NaN)).toThrow(/finite/);
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
  });

  test('int and chance', () => {
    const r = new Rng(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    expect(() => r.int(0)).toThrow(/positive integer/);
    let hits = 0;
    for (let i = 0; i < 10000; i++) if (r.chance(0.3)) hits++;
    expect(hits / 10000).toBeCloseTo(0.3, 1);
  });

  test('deriveSeed depends on every part and on their order', () => {
    const base = deriveSeed(1, 2, 3);
    expect(deriveSeed(1, 2, 3)).toBe(base);
    expect(new Set([base, deriveSeed(1, 3, 2), deriveSeed(1, 2, 4), deriveSeed(1, 2), deriveSeed(1, 2, 3, 0)]).size).toBe(5);
  });
});
