// The data options shared by train, evaluate and optimize.
import type { Argv } from 'yargs';
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
      describe: 'default (RAVDESS 1-16 + SAVEE DC train, 17-20 + JE validation) | speakers:<test>[/<validation>] | kfold:K:I | loso:SPEAKER | random:FRACTION (speaker-dependent)',
    });
  }
  return out as unknown as Argv<T & DataArgs>;
}

export function dataOptionsFrom(a: DataArgs): DataOptions {
  return { ravdess: a.ravdess, savee: a.savee, data: a.data, labelMap: a.labelMap, split: a.split };
}
