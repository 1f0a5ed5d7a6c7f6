/**
 * Additive white Gaussian noise at a target signal-to-noise ratio.
 *
 * The signal power is the mean square over the whole clip (silence included, as the clips are
 * short and tightly cut), and the drawn noise is rescaled to exactly the power the SNR asks for,
 * so the realised SNR equals the request rather than scattering around it.
 */
import { Rng } from '../random';
import * as is from '../is';

/** Clips with a mean square below this (-100 dBFS) count as silent: no SNR can be defined. */
export const SILENCE_POWER = 1e-10;

export interface AddNoiseOptions {
  /** Seed of the noise realisation (deterministic for a given seed and clip length). */
  seed: number;
  /**
   * What to do with a silent clip: `skip` (default) returns an unchanged copy, as there is no
   * signal power to be relative to; `floor` adds noise as if the clip had SILENCE_POWER.
   */
  onSilence?: 'skip' | 'floor';
}

/** Mean square of the samples (0 for an empty array). */
export function meanPower(samples: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += samples[i] * samples[i];
  return samples.length === 0 ? 0 : s / samples.length;
}

/** 10 log10(P_signal / P_noise) of a clean clip and its noisy version (same length). */
export function measureSnrDb(clean: ArrayLike<number>, noisy: ArrayLike<number>): number {
  if (clean.length !== noisy.length) throw is.rangeError('noisy.length', `${clean.length} (the length of clean)`, noisy.length);
  let ps = 0;
  let pn = 0;
  for (let i = 0; i < clean.length; i++) {
    const d = noisy[i] - clean[i];
    ps += clean[i] * clean[i];
    pn += d * d;
  }
  return 10 * Math.log10(ps / pn);
}

/**
 * Return a copy of `samples` with white Gaussian noise added at `snrDb` dB below the clip's power.
 * Not clipped: the sum may exceed [-1, 1] at low SNR, and clipping would change the SNR.
 */
export function addWhiteNoise(samples: Float32Array, snrDb: number, options: AddNoiseOptions): Float32Array {
  is.number('snrDb', snrDb);
  is.number('options.seed', is.plainObject('options', options).seed);
  const out = Float32Array.from(samples);
  if (samples.length === 0) return out;
  let power = meanPower(samples);
  if (power < SILENCE_POWER) {
    if ((options.onSilence ?? 'skip') === 'skip') return out;
    power = SILENCE_POWER;
  }
  const noise = new Float64Array(samples.length);
  new Rng(options.seed).fillNormal(noise);
  const gain = Math.sqrt(power / Math.pow(10, snrDb / 10) / meanPower(noise));
  for (let i = 0; i < out.length; i++) out[i] = samples[i] + gain * noise[i];
  return out;
}
