// Recording conditions a model meets outside its corpus, applied to clean clips for the robustness
// report: telephone band, a round trip through another sample rate, gain (with clipping), and
// white or babble noise at a given SNR.
import { resampleNative } from '../audio/decode';
import * as is from '../is';
import { meanPower, SILENCE_POWER } from './noise';

/** Telephone channel: band-limited to 8 kHz sampling (anti-aliased) and high-passed at 300 Hz, back at `rate`. */
export function telephone(samples: Float32Array, rate: number): Float32Array {
  const narrow = resampleNative(samples, rate, 8000);
  // Second-order Butterworth high-pass at 300 Hz (RBJ biquad), the lower edge of the telephone band.
  const w = (2 * Math.PI * 300) / 8000;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const a0 = 1 + alpha;
  const b0 = (1 + cos) / 2 / a0;
  const b1 = -(1 + cos) / a0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  const out = new Float32Array(narrow.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < narrow.length; i++) {
    const x = narrow[i];
    const y = b0 * x + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
  return resampleNative(out, 8000, rate);
}

/** The clip as if recorded at `otherRate`: resampled there and back (what decoding a 44.1 kHz file does). */
export function viaRate(samples: Float32Array, rate: number, otherRate: number): Float32Array {
  is.positiveInteger('otherRate', otherRate);
  return resampleNative(resampleNative(samples, rate, otherRate), otherRate, rate);
}

/** Gain in dB, clipped to [-1, 1] as a 16-bit recording would be. */
export function gain(samples: Float32Array, db: number): Float32Array {
  is.number('db', db);
  const g = 10 ** (db / 20);
  return samples.map((v) => Math.max(-1, Math.min(1, v * g)));
}

/** `noise` (looped or cut to the clip's length) added at `snrDb` relative to the clip's mean power. */
export function mixAtSnr(samples: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  is.number('snrDb', snrDb);
  if (noise.length === 0) throw is.rangeError('noise', 'at least one sample', noise);
  const ps = meanPower(samples);
  const fitted = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) fitted[i] = noise[i % noise.length];
  const pn = meanPower(fitted);
  if (ps < SILENCE_POWER || pn < SILENCE_POWER) return Float32Array.from(samples);
  const scale = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  return samples.map((v, i) => v + scale * fitted[i]);
}

/** Babble-like noise: the sum of `others` (other speakers' clips), each normalised to unit power, at the clip's length. */
export function babble(length: number, others: Float32Array[]): Float32Array {
  if (others.length === 0) throw is.rangeError('others', 'at least one clip', others);
  const out = new Float32Array(length);
  for (const o of others) {
    const p = meanPower(o);
    if (p < SILENCE_POWER || o.length === 0) continue;
    const s = 1 / Math.sqrt(p);
    for (let i = 0; i < length; i++) out[i] += s * o[i % o.length];
  }
  return out;
}
