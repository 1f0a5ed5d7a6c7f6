// The options shared by several commands: data (train, evaluate, optimize) and --device (every command
// that runs LibTorch, one default everywhere).
import type { Argv, Options } from 'yargs';
import * as is from '../lib/is';
import type { DataOptions } from '../lib/train/data';

export interface DataArgs {
  ravdess?: string[];
  savee?: string[];
  data?: string[];
  labelMap?: string;
  split?: string;
}

export function withDataOptions<T>(y: Argv<T>, { split = true } = {}): Argv<T & DataArgs> {
  let out = y
    .option('ravdess', { type: 'string', array: true, describe: 'RAVDESS folder(s) (Actor_NN/03-01-...wav)' })
    .option('savee', { type: 'string', array: true, describe: 'SAVEE folder(s) (DC_a01.wav or AudioData/DC/a01.wav)' })
    .option('data', { type: 'string', array: true, describe: 'Other folders or manifests (corpus detected from file names)' })
    .option('label-map', { type: 'string', describe: 'Relabel or drop classes, e.g. calm=neutral,disgust=' });
  if (split) {
    out = out.option('split', {
      type: 'string',
      default: 'default',
      describe: 'default (RAVDESS 1-16 + SAVEE DC train, 17-20 + JE validation) | all (every speaker trains: exactly --epochs epochs, no validation; with --folds: nobody held out) | speakers:<test>[/<validation>] | kfold:K:I | loso:SPEAKER | random:FRACTION (speaker-dependent)',
    });
  }
  return out as unknown as Argv<T & DataArgs>;
}

export function dataOptionsFrom(a: DataArgs): DataOptions {
  return { ravdess: a.ravdess, savee: a.savee, data: a.data, labelMap: a.labelMap, split: a.split };
}

/** lib/ names of the data options → their flags, for error messages (bin/errors.ts withFlagNames). */
export const dataFlagNames: Record<string, string> = {
  'options.ravdess': '--ravdess',
  'options.savee': '--savee',
  'options.data': '--data',
  'options.labelMap': '--label-map',
  'options.split': '--split',
};

/** True when no data flag was given (train and optimize then use the synthetic demo corpus). */
export function noDataOptions(a: Pick<DataOptions, 'ravdess' | 'savee' | 'data'>): boolean {
  return !a.ravdess?.length && !a.savee?.length && !a.data?.length;
}

/** `--device`, the same default for every command. */
export const deviceOption: Options = { type: 'string', default: 'auto', describe: "auto | cpu | cuda | cuda:N ('auto' picks CUDA when LibTorch can use it)" };

export const precisionOption: Options = { type: 'string', default: 'float32', describe: 'float32 | bfloat16: what prediction computes in (bfloat16: faster on CPUs with bf16 instructions; docs/api.md has both measured)' };

/** Checks --precision before anything loads. */
export function checkPrecision(precision: unknown): 'float32' | 'bfloat16' {
  return is.oneOf('--precision', precision, ['float32', 'bfloat16'] as const);
}

/** Checks --device before anything loads, so a typo fails at once and names the flag. */
export function checkDevice(device: unknown): is.Device {
  return is.device('--device', device);
}
