// Any supported audio input → mono float samples at a target rate (used by predict and features).
import { readWav } from './wav';
import { resample } from './resample';
import * as is from '../is';

/** A file path, a WAV file's bytes, or decoded samples with their rate. */
export type AudioInput = string | Buffer | Uint8Array | { samples: Float32Array; sampleRate: number };

export function decodeAudio(input: AudioInput, sampleRate: number, name = 'input'): Float32Array {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const wav = readWav(input, typeof input === 'string' ? {} : { name: `<${name} buffer>` });
    return wav.sampleRate === sampleRate ? wav.samples : resample(wav.samples, wav.sampleRate, sampleRate);
  }
  if (typeof input === 'object' && input !== null && input.samples instanceof Float32Array) {
    is.positiveInteger(`${name}.sampleRate`, input.sampleRate);
    for (let i = 0; i < input.samples.length; i++) {
      if (!Number.isFinite(input.samples[i])) throw new RangeError(`${name}.samples[${i}] is ${input.samples[i]}: audio must be finite`);
    }
    return input.sampleRate === sampleRate ? input.samples : resample(input.samples, input.sampleRate, sampleRate);
  }
  throw is.invalidParameterError(name, 'a file path, a WAV Buffer or { samples: Float32Array, sampleRate }', input);
}
