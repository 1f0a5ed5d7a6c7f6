// Command-line flags for log-mel options (--n-fft, --top-db none, ...), shared by every command
// that computes features. Turns parsed flags into options for resolveLogMelOptions and rewrites its
// errors to name the flag the user typed (--n-fft) instead of the API field (options.nFft).
import type { Argv, Options } from 'yargs';
import * as is from '../lib/is';
import { LogMelOptions, LogMelPreset, PRESETS, resolveLogMelOptions } from '../lib/features/options';

/** Flags as yargs hands them over (camel-cased); undefined means "the preset's value". */
export interface LogMelArgs {
  preset?: LogMelPreset;
  sampleRate?: number;
  nFft?: number;
  winLength?: number;
  hopLength?: number;
  nMels?: number;
  fMin?: number;
  fMax?: number;
  melScale?: string;
  norm?: string;
  topDb?: string | number;
  padMode?: string;
  center?: boolean;
  power?: number;
}

const GROUP = 'Log-mel options (default: the preset\'s value):';

/** No yargs defaults on purpose: an absent flag must fall through to the preset. */
export const LOGMEL_FLAGS: Record<string, Options> = {
  preset: { choices: Object.keys(PRESETS), default: 'default', describe: 'Starting values: torchaudio, librosa or default (what ser-native trains on)', group: GROUP },
  'sample-rate': { type: 'number', describe: 'Rate in Hz the audio is resampled to before the STFT', group: GROUP },
  'n-fft': { type: 'number', describe: 'FFT size (nFft/2 + 1 frequency bins)', group: GROUP },
  'win-length': { type: 'number', describe: 'Hann window length in samples (<= n-fft)', group: GROUP },
  'hop-length': { type: 'number', describe: 'Samples between frames', group: GROUP },
  'n-mels': { type: 'number', describe: 'Mel bands', group: GROUP },
  'f-min': { type: 'number', describe: 'Lowest mel filter edge in Hz', group: GROUP },
  'f-max': { type: 'number', describe: 'Highest mel filter edge in Hz (<= sample-rate/2)', group: GROUP },
  'mel-scale': { choices: ['htk', 'slaney'], describe: 'Mel scale formula', group: GROUP },
  norm: { choices: ['slaney', 'none'], describe: 'Filter area normalisation', group: GROUP },
  'top-db': { type: 'string', describe: 'Clamp each clip to its max minus N dB, or none', group: GROUP },
  'pad-mode': { choices: ['reflect', 'constant'], describe: 'Padding when centring frames', group: GROUP },
  center: { type: 'boolean', describe: 'Centre frame t at t*hop (--no-center: frames start at 0)', group: GROUP },
  power: { type: 'number', describe: 'Exponent of the magnitude (2 = power, 1 = magnitude)', group: GROUP },
};

/** Adds the log-mel flags to a command's builder. */
export function withLogMelFlags<T>(y: Argv<T>): Argv<T & LogMelArgs> {
  return y.options(LOGMEL_FLAGS) as unknown as Argv<T & LogMelArgs>;
}

const FIELD_TO_FLAG: Record<string, string> = {
  sampleRate: '--sample-rate', nFft: '--n-fft', winLength: '--win-length', hopLength: '--hop-length', nMels: '--n-mels',
  fMin: '--f-min', fMax: '--f-max', melScale: '--mel-scale', norm: '--norm', topDb: '--top-db', padMode: '--pad-mode',
  center: '--center', power: '--power', preset: '--preset',
};

/** "none" → null, otherwise a number of dB. */
function parseTopDb(v: string | number): number | null {
  if (typeof v === 'number') return v;
  if (v.trim().toLowerCase() === 'none') return null;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw is.invalidParameterError('--top-db', "a number of dB or 'none'", v);
  return n;
}

/**
 * Complete, validated log-mel options from parsed flags: the preset overridden by each given flag.
 * Errors are the TypeError/RangeError of resolveLogMelOptions (code ERR_ARGUMENT), naming the flag.
 */
export function logMelOptionsFromArgs(args: LogMelArgs): LogMelOptions & { preset: LogMelPreset } {
  const given: Record<string, unknown> = { preset: args.preset ?? 'default' };
  const direct = ['sampleRate', 'nFft', 'winLength', 'hopLength', 'nMels', 'fMin', 'fMax', 'melScale', 'padMode', 'center', 'power'] as const;
  for (const k of direct) if (args[k] !== undefined) given[k] = args[k];
  if (args.norm !== undefined) given.norm = args.norm === 'none' ? null : args.norm;
  if (args.topDb !== undefined) given.topDb = parseTopDb(args.topDb);
  try {
    return { ...resolveLogMelOptions(given as Partial<LogMelOptions>), preset: given.preset as LogMelPreset };
  } catch (e) {
    // The same error (class and code ERR_ARGUMENT), naming the flag instead of the field.
    if (e instanceof Error) e.message = e.message.replace(/\boptions\.(\w+)/g, (m, field: string) => FIELD_TO_FLAG[field] ?? m);
    throw e;
  }
}

/** `--scale`: "N" (pixels per frame and per mel) or "XxY" (X per frame, Y per mel). */
export function parseScale(v: string | number): number | [number, number] {
  const s = String(v).trim();
  const m = /^(\d+)(?:x(\d+))?$/i.exec(s);
  if (!m) throw is.invalidParameterError('--scale', "a positive integer or 'XxY' (pixels per frame x pixels per mel), e.g. 2x4", s);
  const x = Number(m[1]);
  const y = m[2] === undefined ? x : Number(m[2]);
  if (x < 1 || y < 1) throw is.rangeError('--scale', 'integers >= 1', s);
  return m[2] === undefined ? x : [x, y];
}

/** `--db-range MIN MAX` (yargs hands over [MIN, MAX]) or "MIN,MAX", in dB, e.g. -80 0. */
export function parseDbRange(v: string | number[]): [number, number] {
  const parts = Array.isArray(v) ? v.map(String) : String(v).split(',');
  const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (nums.length !== 2 || !nums.every(Number.isFinite)) throw is.invalidParameterError('--db-range', 'MIN MAX in dB, e.g. --db-range -80 0', Array.isArray(v) ? v.join(' ') : v);
  if (!(nums[0] < nums[1])) throw is.rangeError('--db-range', 'MIN < MAX', nums.join(' '));
  return [nums[0], nums[1]];
}
