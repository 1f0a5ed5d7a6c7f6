// logMel(): waveforms → log-mel spectrograms with the native kernel (native/logmel.cc).
import { native } from '../binding';
import * as is from '../is';
import { LogMelOptions, LogMelPreset, resolveLogMelOptions } from './options';

export interface LogMel {
  /** Row-major [nMels, frames] float32 in dB. */
  data: Float32Array;
  nMels: number;
  frames: number;
}

export type LogMelCallOptions = Partial<LogMelOptions> & { preset?: LogMelPreset; device?: is.Device };

/**
 * Log-mel spectrogram of one signal or a batch (clips of different lengths batch together; each
 * result equals the clip computed alone). Matches torchaudio `MelSpectrogram` + `AmplitudeToDB`
 * and librosa `melspectrogram` + `power_to_db` within 0.01 dB (test/native/logmel-parity.test.ts).
 */
export function logMel(signal: Float32Array, options?: LogMelCallOptions): LogMel;
export function logMel(signal: Float32Array[], options?: LogMelCallOptions): LogMel[];
export function logMel(signal: Float32Array | Float32Array[], options: LogMelCallOptions = {}): LogMel | LogMel[] {
  const { device = 'cpu', ...rest } = is.plainObject('options', options) as LogMelCallOptions;
  is.device('options.device', device);
  const o = resolveLogMelOptions(rest);
  const batch = Array.isArray(signal) ? signal : [signal];
  if (!Array.isArray(signal) && !(signal instanceof Float32Array)) throw is.invalidParameterError('signal', 'Float32Array or Float32Array[]', signal);
  if (batch.length === 0) throw is.rangeError('signal', 'a non-empty batch', signal);
  batch.forEach((s, i) => {
    if (!(s instanceof Float32Array)) throw is.invalidParameterError(`signal[${i}]`, 'Float32Array', s);
  });
  return logMelResolved(batch, o, device, Array.isArray(signal));
}

/** For callers that already resolved the options (training, prediction): no re-validation. */
export function logMelResolved(batch: Float32Array[], o: LogMelOptions, device: string, asList: true): LogMel[];
export function logMelResolved(batch: Float32Array[], o: LogMelOptions, device: string, asList: boolean): LogMel | LogMel[];
export function logMelResolved(batch: Float32Array[], o: LogMelOptions, device: string, asList: boolean): LogMel | LogMel[] {
  const r = native().logMel(batch, o, device);
  const out = r.data.map((data, i) => ({ data, nMels: r.nMels, frames: r.frames[i] }));
  return asList ? out : out[0];
}

/** The mel filterbank [nFft/2 + 1, nMels] (row-major), as torchaudio.functional.melscale_fbanks. */
export function melFilterbank(options: Partial<LogMelOptions> & { preset?: LogMelPreset } = {}): { data: Float32Array; nFreqs: number; nMels: number } {
  const o = resolveLogMelOptions(options);
  const data = native().melFilterbank(o);
  return { data, nFreqs: Math.floor(o.nFft / 2) + 1, nMels: o.nMels };
}
