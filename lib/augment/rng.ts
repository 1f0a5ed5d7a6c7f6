/**
 * Small seeded pseudo-random number generator (xoshiro128**) with uniform and normal draws.
 *
 * Everything random in augmentation, cropping and the demo corpus goes through this so that a run
 * is reproducible from one integer seed, independent of Math.random and of the platform.
 */

// Hot loops call Math through a module-level alias: under vm contexts (jest's test environment)
// every global lookup goes through an interceptor and is ~50x slower; elsewhere this costs nothing.
const M = Math;

/** 32-bit finaliser from MurmurHash3: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = M.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = M.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Split a finite number into 32-bit words so seeds above 2^32 (and negatives) are not truncated. */
function words(value: number): [number, number] {
  if (!Number.isFinite(value)) throw new RangeError(`seed part must be a finite number, got ${value}`);
  const v = M.trunc(value);
  const lo = v >>> 0; // two's complement low word, also right for negatives
  const hi = M.floor(v / 4294967296) >>> 0;
  return [lo, hi];
}

/**
 * Derive a 32-bit seed from several integers (e.g. seed, epoch, item). Order matters and every part
 * changes the result, so per-item streams are independent of how many items or epochs there are.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9 ^ parts.length;
  for (const part of parts) {
    const [lo, hi] = words(part);
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    h = fmix32((h ^ hi) + 0x2545f491);
  }
  return h;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second value of the last Box-Muller pair, used by the next normal() call. */
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
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

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = M.imul(rotl(M.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    return M.floor(this.float() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal draw (Box-Muller, both values of each pair are used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 - float() is in (0, 1], so the log is finite.
    const u = 1 - this.float();
    const v = this.float();
    const r = M.sqrt(-2 * M.log(u));
    const theta = 2 * M.PI * v;
    this.spare = r * M.sin(theta);
    this.hasSpare = true;
    return r * M.cos(theta);
  }

  /** Fill `out` with normal draws of the given standard deviation (no per-sample allocation). */
  fillNormal(out: Float32Array | Float64Array, std = 1): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
    return out;
  }

  /** A fresh independent generator, e.g. one per sub-task, drawn from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
