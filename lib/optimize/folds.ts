// The folds of `optimize --folds K`: a candidate's fitness is its mean validation UAR over K speaker-grouped
// folds of the tuning pool, the same folds for every candidate. The pool is every speaker the run's split does
// not hold out for test (its train and validation speakers); its test speakers stay out of every fold. Each
// fold is written as a `speakers:<test>/<fold speakers>` split spec, so a job carries it as plain text (queue
// workers included) and a resumed run reuses the saved specs.
import { formatSplitSpec, makeSplit } from '../dataset/splits';
import { SerNativeError } from '../errors';
import type { ResolvedData } from '../train/data';
import { splitData } from '../train/data';

/** Split specs of the K tuning folds (fold 0 first). */
export function tuningFolds(data: ResolvedData, split: NonNullable<Parameters<typeof splitData>[1]>, k: number, seed: number): string[] {
  const base = splitData(data, split, seed);
  if (base.protocol === 'speaker-dependent') {
    throw new SerNativeError('ERR_DATA', `--folds needs a speaker-independent --split to take its tuning speakers from, not '${base.description}'`);
  }
  const test = base.speakers.test;
  const pool = data.items.filter((i) => !test.includes(i.speaker));
  const speakers = new Set(pool.map((i) => i.speaker));
  if (speakers.size < k) {
    throw new SerNativeError('ERR_DATA', `--folds ${k} needs at least ${k} tuning speakers; the split '${base.description}' leaves ${speakers.size}: use fewer folds`);
  }
  const inPool = new Set(pool.map((i) => i.path));
  const duplicates = data.duplicates.map((g) => ({ ...g, paths: g.paths.filter((p) => inPool.has(p)) })).filter((g) => g.paths.length > 1);
  return Array.from({ length: k }, (_, fold) => {
    const f = makeSplit({ items: pool, duplicates }, { mode: 'kfold', k, fold }, { seed });
    return formatSplitSpec({ mode: 'speakers', test, validation: f.speakers.test });
  });
}
