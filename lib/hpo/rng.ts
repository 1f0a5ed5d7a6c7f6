// Seeded pseudo-random numbers for the optimizers, with a state that survives JSON (checkpoint / resume).
//
// Generator: xoshiro128** (D. Blackman & S. Vigna, "Scrambled linear pseudorandom number generators",
// ACM TOMS 47(4), 2021; reference code https://prng.di.unimi.it/xoshiro128starstar.c). 128 bits of state,
// period 2^128 - 1, 32-bit outputs computed exactly with Math.imul and unsigned shifts.
// Seeding: the four state words are drawn from splitmix32 (the 32-bit variant of splitmix64, Steele, Lea &
// Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014, with the murmur3 finaliser), as the
// xoshiro authors recommend, so nearby seeds give unrelated streams.
// Normals: Box-Muller (Box & Muller, Ann. Math. Statist. 29(2), 1958); the second normal of each pair is
// kept as `spare` and is part of the state, so a restored generator continues exactly.
import { describe, expectInteger, expectObject } from './check';

export interface RngState {
  readonly kind: 'xoshiro128**';
  /** The four 32-bit state words, as unsigned integers. */
  readonly s: [number, number, number, number];
  /** The cached second Box-Muller normal, or null. */
  readonly spare: number | null;
}

const TWO_POW_32 = 4294967296;

function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** @param seed a non-negative safe integer; seeds above 2^32 use their high bits too. */
  constructor(seed: number) {
    expectInteger('seed', seed, 0);
    const low = splitmix32(seed % TWO_POW_32);
    const high = splitmix32(Math.floor(seed / TWO_POW_32));
    this.s0 = (low() ^ high()) >>> 0;
    this.s1 = (low() ^ high()) >>> 0;
    this.s2 = (low() ^ high()) >>> 0;
    this.s3 = (low() ^ high()) >>> 0;
    // xoshiro must never hold the all-zero state (it would output zeros forever).
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Rebuilds a generator from `state()` output (also after JSON.stringify / JSON.parse). */
  static fromState(state: unknown): Rng {
    const o = expectObject('rng state', state);
    if (o.kind !== 'xoshiro128**') {
      throw new TypeError(`Expected "xoshiro128**" for rng state.kind but received ${describe(o.kind)}`);
    }
    if (!Array.isArray(o.s) || o.s.length !== 4) {
      throw new TypeError(`Expected array of 4 integers for rng state.s but received ${describe(o.s)}`);
    }
    const words = o.s.map((w: unknown, i) => expectInteger(`rng state.s[${i}]`, w, 0, TWO_POW_32 - 1));
    if (words.every((w) => w === 0)) throw new RangeError('Expected a non-zero rng state.s but received all zeros');
    if (o.spare !== null && (typeof o.spare !== 'number' || !Number.isFinite(o.spare))) {
      throw new TypeError(`Expected finite number or null for rng state.spare but received ${describe(o.spare)}`);
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = words;
    rng.spare = o.spare as number | null;
    return rng;
  }

  state(): RngState {
    return { kind: 'xoshiro128**', s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [min, max), with 53 random bits (two outputs) so every double in [0, 1) step 2^-53 can occur. */
  uniform(min = 0, max = 1): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    const u = (hi * 67108864 + lo) / 9007199254740992;
    return min + u * (max - min);
  }

  /** Gaussian with the given mean and standard deviation (Box-Muller, pairs cached). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log(u1) is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + sd * r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    expectInteger('min', min);
    expectInteger('max', max, min);
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  /** A uniformly chosen element. */
  choice<T>(values: readonly T[]): T {
    if (!Array.isArray(values) || values.length === 0) {
      throw new RangeError(`Expected non-empty array for values but received ${describe(values)}`);
    }
    return values[Math.floor(this.uniform() * values.length)];
  }

  /** `count` distinct integers from [0, n) excluding `exclude`, in random order (partial Fisher-Yates). */
  distinct(n: number, count: number, exclude = -1): number[] {
    const pool: number[] = [];
    for (let i = 0; i < n; i++) if (i !== exclude) pool.push(i);
    if (count > pool.length) {
      throw new RangeError(`Expected count <= ${pool.length} for distinct indices but received ${describe(count)}`);
    }
    for (let k = 0; k < count; k++) {
      const j = k + Math.floor(this.uniform() * (pool.length - k));
      [pool[k], pool[j]] = [pool[j], pool[k]];
    }
    return pool.slice(0, count);
  }
}
