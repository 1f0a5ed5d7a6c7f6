// Checks once, before any worker starts, that the data gives a usable speaker-independent split; with --folds,
// makes the folds (or checks the saved ones still apply).
import { SerNativeError } from '../errors';
import { labelsFor, resolveData, splitData } from '../train/data';
import { tuningFolds } from './folds';
import { RECHECK_SEED_OFFSET } from './recheck';
import type { RunState } from './run-state';
import type { RunSettings } from './settings';
import type { OptimizeProgress } from './types';

/** The split's description, for the report. */
export async function checkData(s: RunSettings, report: (p: OptimizeProgress) => void, state: RunState): Promise<string> {
  report({ phase: 'data', message: 'indexing data' });
  const data = await resolveData(s.data); // also generates the demo corpus once, not in every worker
  if (s.folds !== null) {
    state.folds ??= tuningFolds(data, s.data.split ?? 'default', s.folds, s.seed);
    // The recheck's folds group the same speakers another way (another seed), so it is not measured on the search's folds.
    if (s.recheckSeeds > 0) state.recheckFolds ??= tuningFolds(data, s.data.split ?? 'default', s.folds, s.seed + RECHECK_SEED_OFFSET);
    for (const f of state.folds) splitData(data, f, s.seed); // every fold names speakers of this data
    const description = `${s.folds} speaker-grouped tuning folds: ${state.folds.join(' | ')}`;
    report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${description}` });
    return description;
  }
  const split = splitData(data, s.data.split, s.seed);
  if (split.protocol === 'speaker-dependent') {
    throw new SerNativeError('ERR_DATA', `the split '${split.description}' is speaker-dependent; optimize tunes on held-out speakers only: use --split default, speakers:..., kfold:... or loso:...`);
  }
  if (split.validation.length === 0) {
    throw new SerNativeError('ERR_DATA', `the split '${split.description}' has no validation speakers, which the search scores on: give one with --split speakers:<test>/<validation>`);
  }
  labelsFor(split.train, split.validation);
  report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${split.description}` });
  return split.description;
}
