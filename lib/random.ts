/**
 * The one seeded pseudo-random number generator: xoshiro128** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021; https://prng.di.unimi.it/xoshiro128starstar.c),
 * 128 bits of state, period 2^128 - 1, exact 32-bit arithmetic with Math.imul and unsigned shifts.
 *
 * Everything random goes through it (augmentation, cropping, the demo corpus, dataset splits, the
 * optimizers), so a run is reproducible from one integer seed on every platform and Node version.
 * Seeding: `deriveSeed` hashes the seed (all 53 bits, negatives too) and splitmix32 expands it into
 * the four state words, so nearby seeds give unrelated streams. Normals: Box-Muller, the second value
 * of each pair kept as `spare`, which is part of the state: `state()`/`fromState()` survive JSON, and
 * a restored generator continues bit for bit (optimizer checkpoints).
 */
import * as is from './is';

// Hot loops call Math through a module-level alias: under vm contexts (jest's test environment)
// every global lookup goes through an interceptor and is ~50x slower; elsewhere this costs nothing.
const M = Math;
const TWO_POW_32 = 4294967296;

/** 32-bit finaliser from MurmurHash3: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = M.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = M.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derive a 32-bit seed from several integers (e.g. seed, epoch, item). Order matters and every part
 * changes the result, so per-item streams are independent of how many items or epochs there are.
 * Parts above 2^32 and negative parts are not truncated (both 32-bit words are hashed).
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9 ^ parts.length;
  parts.forEach((part, i) => {
    const v = M.trunc(is.number(`seed part ${i}`, part));
    const lo = v >>> 0; // two's complement low word, also right for negatives
    const hi = M.floor(v / TWO_POW_32) >>> 0;
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    h = fmix32((h ^ hi) + 0x2545f491);
  });
  return h;
}

export interface RngState {
  readonly kind: 'xoshiro128**';
  /** The four 32-bit state words, as unsigned integers. */
  readonly s: [number, number, number, number];
  /** The cached second Box-Muller normal, or null. */
  readonly spare: number | null;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** @param seed any finite number (its integer part; all 53 bits and the sign matter). */
  constructor(seed: number) {
    is.number('seed', seed);
    // splitmix32 expands the seed into a state that is never all zero (xoshiro would be stuck there).
    let x = deriveSeed(seed);
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return fmix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Rebuilds a generator from `state()` output (also after JSON.stringify / JSON.parse). */
  static fromState(state: unknown): Rng {
    const o = is.plainObject('rng state', state);
    if (o.kind !== 'xoshiro128**') throw is.invalidParameterError('rng state.kind', "'xoshiro128**'", o.kind);
    if (!Array.isArray(o.s) || o.s.length !== 4) throw is.invalidParameterError('rng state.s', 'array of 4 integers', o.s);
    const w = o.s.map((x: unknown, i) => is.integer(`rng state.s[${i}]`, x, 0, TWO_POW_32 - 1));
    if (w.every((x) => x === 0)) throw is.rangeError('rng state.s', 'a non-zero state', o.s);
    if (o.spare !== null) is.number('rng state.spare', o.spare);
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = w;
    rng.spare = o.spare as number | null;
    return rng;
  }

  state(): RngState {
    return { kind: 'xoshiro128**', s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = M.imul(rotl(M.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    // Unsigned words, so state() reads the same whatever the history.
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11) >>> 0;
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (one draw). */
  float(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw is.argumentError('n', 'positive integer', n);
    return M.floor(this.float() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Normal draw (Box-Muller, both values of each pair are used). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    // 1 - float() is in (0, 1], so the log is finite.
    const u = 1 - this.float();
    const v = this.float();
    const r = M.sqrt(-2 * M.log(u));
    const theta = 2 * M.PI * v;
    this.spare = r * M.sin(theta);
    return mean + sd * r * M.cos(theta);
  }

  /** Fill `out` with normal draws of the given standard deviation (no per-sample allocation). */
  fillNormal(out: Float32Array | Float64Array, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
    return out;
  }

  /** A uniformly chosen element. */
  choice<T>(values: readonly T[]): T {
    if (!Array.isArray(values) || values.length === 0) throw is.argumentError('values', 'non-empty array', values, Array.isArray(values));
    return values[this.int(values.length)];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffled<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `count` distinct integers from [0, n) excluding `exclude`, in random order (partial Fisher-Yates). */
  distinct(n: number, count: number, exclude = -1): number[] {
    const pool: number[] = [];
    for (let i = 0; i < n; i++) if (i !== exclude) pool.push(i);
    is.integer('count', count, 0, pool.length);
    for (let k = 0; k < count; k++) {
      const j = k + this.int(pool.length - k);
      [pool[k], pool[j]] = [pool[j], pool[k]];
    }
    return pool.slice(0, count);
  }

  /** A fresh independent generator, e.g. one per sub-task, drawn from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
