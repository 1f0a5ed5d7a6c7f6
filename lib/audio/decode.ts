// Any supported audio input → mono float samples at a target rate (used by predict, evaluate,
// training and the features command).
import { probeWav, readWav } from './wav';
import { getResampler, Resampler } from './resample';
import { native } from '../binding';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { limitError, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../limits';

/** A file path, a WAV file's bytes, or decoded samples with their rate. */
export type AudioInput = string | Buffer | Uint8Array | { samples: Float32Array; sampleRate: number };

export interface DecodeLimits {
  /** Refuse inputs longer than this many seconds, checked from the header before decoding. */
  maxSeconds?: number;
  /** What to do instead, appended to the ERR_LIMIT message (e.g. "use timeline() for long audio"). */
  hint?: string;
}

const float32Kernels = new WeakMap<Resampler, Float32Array>();

/**
 * resample() with the same kernel (lib/audio/resample.ts) applied by the addon: the filter loop is
 * ~10× faster in C++, which matters for predict() latency. Equal to the TypeScript path to float rounding.
 */
export function resampleNative(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const r = getResampler(fromRate, toRate);
  let kernel = float32Kernels.get(r);
  if (!kernel) {
    kernel = Float32Array.from(r.kernel);
    float32Kernels.set(r, kernel);
  }
  return native().polyphaseResample(samples, kernel, r.offsets, r.orig, r.new);
}

/** resampleNative naming the input when the rate pair cannot be converted (the kernel would be too large). */
function resampleNamed(samples: Float32Array, fromRate: number, toRate: number, name: string): Float32Array {
  try {
    return resampleNative(samples, fromRate, toRate);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_LIMIT') throw new SerNativeError('ERR_LIMIT', `${name}: ${(e as Error).message}`, { cause: e });
    throw e;
  }
}

/** ERR_LIMIT when `seconds` exceeds limits.maxSeconds. */
export function checkDuration(name: string, seconds: number, limits: DecodeLimits): void {
  if (limits.maxSeconds !== undefined && seconds > limits.maxSeconds) {
    throw limitError(`${name}: the audio's duration`, `${seconds.toFixed(1)} s`, `${limits.maxSeconds} s`, limits.hint);
  }
}

export function decodeAudio(input: AudioInput, sampleRate: number, name = 'input', limits: DecodeLimits = {}): Float32Array {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const opts = typeof input === 'string' ? {} : { name: `<${name} buffer>` };
    // The header alone gives the duration: a long file is refused before its samples are read.
    if (limits.maxSeconds !== undefined) checkDuration(typeof input === 'string' ? input : opts.name!, probeWav(input, opts).duration, limits);
    const wav = readWav(input, opts);
    return resampleNamed(wav.samples, wav.sampleRate, sampleRate, typeof input === 'string' ? input : opts.name!);
  }
  if (typeof input === 'object' && input !== null && input.samples instanceof Float32Array) {
    is.integer(`${name}.sampleRate`, input.sampleRate, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE);
    checkDuration(name, input.samples.length / input.sampleRate, limits);
    for (let i = 0; i < input.samples.length; i++) {
      if (!Number.isFinite(input.samples[i])) throw is.rangeError(`${name}.samples[${i}]`, 'a finite sample (audio must be finite)', input.samples[i]);
    }
    return resampleNamed(input.samples, input.sampleRate, sampleRate, name);
  }
  throw is.invalidParameterError(name, 'a file path, a WAV Buffer or { samples: Float32Array, sampleRate }', input);
}
