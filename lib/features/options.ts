// Log-mel options, presets and their validation. Every native call receives a complete,
// validated options object (sharp's baton style); the C++ checks again at the boundary.
import * as is from '../is';

export interface LogMelOptions {
  /** Sample rate of the input signal in Hz. */
  sampleRate: number;
  /** FFT size; the STFT has nFft/2 + 1 frequency bins. */
  nFft: number;
  /** Hann window length (≤ nFft; centred in the FFT frame). */
  winLength: number;
  /** Samples between frames. */
  hopLength: number;
  /** Pad nFft/2 on both sides so frame t is centred at t·hop (frames = 1 + floor(len/hop)). */
  center: boolean;
  /** How centring pads: 'reflect' (torchaudio) or 'constant' zeros (librosa ≥ 0.10). */
  padMode: 'reflect' | 'constant';
  /** Exponent of the magnitude: 2 = power, 1 = magnitude. */
  power: number;
  nMels: number;
  fMin: number;
  fMax: number;
  melScale: 'htk' | 'slaney';
  norm: null | 'slaney';
  /** Floor before the logarithm. */
  amin: number;
  /** Clamp each utterance to (its max − topDb); null keeps the full range. */
  topDb: number | null;
  /** dB reference: dB = 10·log10(S / ref) for power (20·log10 for magnitude). */
  ref: number;
}

export type LogMelPreset = 'torchaudio' | 'librosa' | 'default';

/**
 * Presets:
 * - `torchaudio`: `MelSpectrogram()` + `AmplitudeToDB('power')` defaults (16 kHz, nFft 400, hop 200,
 *   128 HTK mels without norm, reflect padding, no top_db).
 * - `librosa`: `librosa.feature.melspectrogram` + `power_to_db` defaults (slaney scale and norm,
 *   zero padding, top_db 80) with nFft 1024 / hop 256 at 16 kHz (librosa's 2048/512 are for 22.05 kHz).
 * - `default`: what ser-native trains on: 16 kHz, 25 ms Hann window in a 512-point FFT, 10 ms hop,
 *   64 slaney mels over 20 Hz–8 kHz, top_db 80 per utterance.
 */
export const PRESETS: Record<LogMelPreset, LogMelOptions> = {
  torchaudio: { sampleRate: 16000, nFft: 400, winLength: 400, hopLength: 200, center: true, padMode: 'reflect', power: 2, nMels: 128, fMin: 0, fMax: 8000, melScale: 'htk', norm: null, amin: 1e-10, topDb: null, ref: 1 },
  librosa: { sampleRate: 16000, nFft: 1024, winLength: 1024, hopLength: 256, center: true, padMode: 'constant', power: 2, nMels: 128, fMin: 0, fMax: 8000, melScale: 'slaney', norm: 'slaney', amin: 1e-10, topDb: 80, ref: 1 },
  default: { sampleRate: 16000, nFft: 512, winLength: 400, hopLength: 160, center: true, padMode: 'reflect', power: 2, nMels: 64, fMin: 20, fMax: 8000, melScale: 'slaney', norm: 'slaney', amin: 1e-10, topDb: 80, ref: 1 },
};

const KEYS = Object.keys(PRESETS.torchaudio) as (keyof LogMelOptions)[];

/**
 * Completes and validates options: a preset (default 'default') overridden by the given fields.
 * fMax defaults to sampleRate/2 and winLength to nFft when the sample rate or nFft are changed
 * without them.
 */
export function resolveLogMelOptions(options: Partial<LogMelOptions> & { preset?: LogMelPreset } = {}): LogMelOptions {
  const given = is.plainObject('options', options);
  is.knownKeys('options', given, [...KEYS, 'preset', 'device']);
  const preset = given.preset === undefined ? 'default' : is.oneOf('options.preset', given.preset, Object.keys(PRESETS) as LogMelPreset[]);
  const base = { ...PRESETS[preset] };
  if (given.sampleRate !== undefined && given.fMax === undefined) base.fMax = Math.min(base.fMax, (given.sampleRate as number) / 2);
  if (given.nFft !== undefined && given.winLength === undefined) base.winLength = Math.min(base.winLength, given.nFft as number);
  const o: LogMelOptions = { ...base };
  for (const k of KEYS) if (given[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = given[k];
  is.positiveInteger('options.sampleRate', o.sampleRate);
  is.positiveInteger('options.nFft', o.nFft);
  is.positiveInteger('options.winLength', o.winLength);
  is.positiveInteger('options.hopLength', o.hopLength);
  is.positiveInteger('options.nMels', o.nMels);
  is.boolean('options.center', o.center);
  is.oneOf('options.padMode', o.padMode, ['reflect', 'constant'] as const);
  is.number('options.power', o.power, { min: 0, exclusiveMin: true });
  is.number('options.fMin', o.fMin, { min: 0 });
  is.number('options.fMax', o.fMax, { min: 0, exclusiveMin: true });
  is.oneOf('options.melScale', o.melScale, ['htk', 'slaney'] as const);
  if (o.norm !== null) is.oneOf('options.norm', o.norm, ['slaney'] as const);
  is.number('options.amin', o.amin, { min: 0, exclusiveMin: true });
  if (o.topDb !== null) is.number('options.topDb', o.topDb, { min: 0 });
  is.number('options.ref', o.ref, { min: 0, exclusiveMin: true });
  if (o.winLength > o.nFft) throw is.rangeError('options.winLength', `integer <= nFft (${o.nFft})`, o.winLength);
  if (o.fMax > o.sampleRate / 2) throw is.rangeError('options.fMax', `number <= sampleRate/2 (${o.sampleRate / 2})`, o.fMax);
  if (o.fMin >= o.fMax) throw is.rangeError('options.fMin', `number < fMax (${o.fMax})`, o.fMin);
  return o;
}

/** Frames produced for a signal of `length` samples (1 + floor(len/hop) when centred). */
export function frameCount(o: LogMelOptions, length: number): number {
  const padded = o.center ? length + 2 * Math.floor(o.nFft / 2) : length;
  return padded < o.nFft ? 0 : 1 + Math.floor((padded - o.nFft) / o.hopLength);
}
