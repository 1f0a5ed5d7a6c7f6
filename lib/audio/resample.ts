/**
 * Band-limited sample-rate conversion with a windowed-sinc polyphase filter, following
 * torchaudio.functional.resample: the rate ratio is reduced by its gcd to orig/new, output sample j
 * sits at input time j * orig / new, and the kernel is sinc(base * t) with base = min(orig, new) *
 * rolloff, windowed over +-lowpassFilterWidth zero crossings. Output length is ceil(n * new / orig),
 * the signal is zero outside [0, n) like torchaudio's padding.
 *
 * Two deliberate differences: only the non-zero taps of each phase are stored (torchaudio's
 * kernels carry up to `orig` zeros per row), and each phase is normalised to unit DC gain, which
 * removes the tiny phase-dependent gain ripple of the sampled sinc.
 */
import * as is from '../is';
import { SerNativeError } from '../errors';

export type ResampleWindow = 'kaiser' | 'hann';

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side (torchaudio default 6; ours 16 for >= 80 dB stopband). */
  lowpassFilterWidth?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency (default 0.945). */
  rolloff?: number;
  /** Window on the sinc (default kaiser). */
  window?: ResampleWindow;
  /** Kaiser beta (default 8.6: about -86 dB side lobes). */
  beta?: number;
}

const DEFAULTS: Required<ResampleOptions> = { lowpassFilterWidth: 16, rolloff: 0.945, window: 'kaiser', beta: 8.6 };

/** Refuse kernels that would not fit comfortably in memory (rates with a tiny gcd, e.g. 44100 -> 16001). */
const MAX_KERNEL_TAPS = 1 << 20;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for beta < 30). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** A converter for one (fromRate, toRate) pair; build once and reuse, the kernels are the costly part. */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Reduced ratio: `orig` input samples produce `new` output samples. */
  readonly orig: number;
  readonly new: number;
  /** Taps per phase (all phases padded to the same length). */
  readonly taps: number;
  /** phase p uses taps [p * taps, (p + 1) * taps) starting at input index block * orig + offsets[p]. */
  readonly kernel: Float64Array;
  readonly offsets: Int32Array;

  constructor(fromRate: number, toRate: number, options: ResampleOptions = {}) {
    is.positiveInteger('fromRate', fromRate);
    is.positiveInteger('toRate', toRate);
    const opt = { ...DEFAULTS, ...options };
    is.number('options.lowpassFilterWidth', opt.lowpassFilterWidth, { min: 0, exclusiveMin: true });
    is.number('options.rolloff', opt.rolloff, { min: 0, exclusiveMin: true, max: 1 });
    is.oneOf('options.window', opt.window, ['kaiser', 'hann']);
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    const orig = fromRate / g;
    const nw = toRate / g;
    this.orig = orig;
    this.new = nw;

    const lpw = opt.lowpassFilterWidth;
    const base = Math.min(orig, nw) * opt.rolloff;
    // Half-length of the kernel in input samples: lpw zero crossings of sinc(base * t / orig).
    const halfWidth = (lpw * orig) / base;
    // With an integer decimation factor (new = 1) the single phase is centred on an input sample,
    // so an odd, symmetric kernel fits exactly and process() can fold it (half the multiplies).
    const taps = nw === 1 ? 2 * Math.floor(halfWidth) + 1 : Math.floor(2 * halfWidth) + 2;
    if (taps * nw > MAX_KERNEL_TAPS) {
      throw new SerNativeError('ERR_LIMIT', `resample: ${fromRate} -> ${toRate} Hz reduces to ${orig}/${nw}, whose kernel (${taps} x ${nw} taps) is larger than the limit of ${MAX_KERNEL_TAPS} taps; resample via an intermediate rate`);
    }
    this.taps = taps;
    this.kernel = new Float64Array(taps * nw);
    this.offsets = new Int32Array(nw);
    const i0Beta = besselI0(opt.beta);
    for (let p = 0; p < nw; p++) {
      const tau = (p * orig) / nw; // output time of phase p, in input samples from the block start
      const first = Math.ceil(tau - halfWidth);
      this.offsets[p] = first;
      let sum = 0;
      for (let k = 0; k < taps; k++) {
        const t = ((first + k - tau) / orig) * base; // in zero crossings of the sinc
        if (t < -lpw || t > lpw) continue;
        const r = t / lpw;
        const w = opt.window === 'kaiser' ? besselI0(opt.beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta : Math.cos((Math.PI * r) / 2) ** 2;
        const x = Math.PI * t;
        const v = (t === 0 ? 1 : Math.sin(x) / x) * w;
        this.kernel[p * taps + k] = v;
        sum += v;
      }
      for (let k = 0; k < taps; k++) this.kernel[p * taps + k] /= sum;
    }
  }

  /** Number of output samples for n input samples (torchaudio's ceil(n * new / orig)). */
  outputLength(n: number): number {
    return Math.ceil((n * this.new) / this.orig);
  }

  process(samples: ArrayLike<number>): Float32Array {
    // Keep the hot loops monomorphic on Float32Array (a generic ArrayLike costs ~25%).
    const input = samples instanceof Float32Array ? samples : Float32Array.from(samples);
    const n = input.length;
    const outLen = this.outputLength(n);
    const out = new Float32Array(outLen);
    const { orig, taps, kernel, offsets } = this;
    const nw = this.new;
    if (nw === 1) return this.processSymmetric(input, out);
    let block = 0;
    let phase = 0;
    for (let j = 0; j < outLen; j++) {
      const start = block * orig + offsets[phase];
      const kBase = phase * taps;
      let acc = 0;
      if (start >= 0 && start + taps <= n) {
        // Interior: no bounds checks; unrolled by 4 for instruction-level parallelism.
        let k = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        const lim = taps - 3;
        for (; k < lim; k += 4) {
          acc += kernel[kBase + k] * input[start + k];
          a1 += kernel[kBase + k + 1] * input[start + k + 1];
          a2 += kernel[kBase + k + 2] * input[start + k + 2];
          a3 += kernel[kBase + k + 3] * input[start + k + 3];
        }
        for (; k < taps; k++) acc += kernel[kBase + k] * input[start + k];
        acc += a1 + a2 + a3;
      } else {
        const k0 = Math.max(0, -start);
        const k1 = Math.min(taps, n - start);
        for (let k = k0; k < k1; k++) acc += kernel[kBase + k] * input[start + k];
      }
      out[j] = acc;
      if (++phase === nw) {
        phase = 0;
        block++;
      }
    }
    return out;
  }

  /** Integer decimation: one symmetric phase, so pair input samples around the centre tap. */
  private processSymmetric(input: Float32Array, out: Float32Array): Float32Array {
    const n = input.length;
    const { orig, taps, kernel } = this;
    const offset = this.offsets[0];
    const half = (taps - 1) >> 1; // taps is odd: half pairs plus the centre tap
    for (let j = 0; j < out.length; j++) {
      const start = j * orig + offset;
      let acc = 0;
      if (start >= 0 && start + taps <= n) {
        const end = start + taps - 1;
        let a1 = 0;
        let k = 0;
        for (; k < half - 1; k += 2) {
          acc += kernel[k] * (input[start + k] + input[end - k]);
          a1 += kernel[k + 1] * (input[start + k + 1] + input[end - k - 1]);
        }
        for (; k < half; k++) acc += kernel[k] * (input[start + k] + input[end - k]);
        acc += a1 + kernel[half] * input[start + half];
      } else {
        const k0 = Math.max(0, -start);
        const k1 = Math.min(taps, n - start);
        for (let k = k0; k < k1; k++) acc += kernel[k] * input[start + k];
      }
      out[j] = acc;
    }
    return out;
  }
}

// Kernels are cached by rate pair, within a byte budget rather than a count: an odd rate (7,919 Hz
// -> 16 kHz) has a kernel of ~4.5 MB, and sixteen of them made a fuzzed stream's RSS creep by ~70 MB.
const cache = new Map<string, Resampler>();
const CACHE_BYTES = 8 * 1024 * 1024;
let cachedBytes = 0;

/** Get a (cached) Resampler for a rate pair and options. */
export function getResampler(fromRate: number, toRate: number, options: ResampleOptions = {}): Resampler {
  const o = { ...DEFAULTS, ...options };
  const key = `${fromRate}>${toRate}:${o.lowpassFilterWidth}:${o.rolloff}:${o.window}:${o.beta}`;
  let r = cache.get(key);
  if (r) {
    cache.delete(key); // most recently used last
    cache.set(key, r);
    return r;
  }
  r = new Resampler(fromRate, toRate, o);
  const bytes = resamplerBytes(r);
  if (bytes > CACHE_BYTES) return r; // too big to keep: rebuilt on each use of that rare rate
  for (const [k, old] of cache) {
    if (cachedBytes + bytes <= CACHE_BYTES) break;
    cache.delete(k);
    cachedBytes -= resamplerBytes(old);
  }
  cache.set(key, r);
  cachedBytes += bytes;
  return r;
}

function resamplerBytes(r: Resampler): number {
  return r.kernel.byteLength + r.offsets.byteLength;
}

/** Bytes of resampling kernels held by the cache (for tests). */
export function resamplerCacheBytes(): number {
  return cachedBytes;
}

/** Resample mono samples from one rate to another; returns a copy when the rates are equal. */
export function resample(samples: ArrayLike<number>, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  is.positiveInteger('fromRate', fromRate);
  is.positiveInteger('toRate', toRate);
  if (fromRate === toRate) return Float32Array.from(samples);
  return getResampler(fromRate, toRate, options).process(samples);
}
