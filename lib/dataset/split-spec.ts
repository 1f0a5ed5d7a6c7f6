/**
 * Split specs as typed on the command line:
 *   default                                  the project's protocol (default-protocol.ts)
 *   all                                      every speaker in training (no validation, no test)
 *   speakers:<test,...>[/<validation,...>]   e.g. speakers:ravdess:17,ravdess:18/ravdess:19
 *   kfold:<k>:<fold>[:<seed>]                e.g. kfold:5:0
 *   loso:<speaker>                           e.g. loso:ravdess:03
 *   random:<test>[:<validation>[:<seed>]]    e.g. random:0.2 or random:0.2:0.1:7 (speaker-dependent)
 */
import { DatasetError } from './errors';
import type { SplitSpec } from './splits';

const GRAMMAR = 'default | all | speakers:<test,...>[/<validation,...>] | kfold:<k>:<fold>[:<seed>] | loso:<speaker> | random:<test>[:<validation>[:<seed>]]';

export function parseSplitSpec(text: string, what = '--split'): SplitSpec {
  const spec = text.trim();
  const colon = spec.indexOf(':');
  const mode = (colon < 0 ? spec : spec.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  const fail = (why: string): never => {
    throw new DatasetError(`${what} '${text}': ${why}; expected ${GRAMMAR}`, 'ERR_ARGUMENT');
  };
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const int = (s: string | undefined, name: string): number => {
    if (s === undefined || !/^\d+$/.test(s)) fail(`${name} must be a whole number, got '${s ?? ''}'`);
    return Number(s);
  };
  const fraction = (s: string | undefined, name: string): number => {
    const x = Number(s);
    if (s === undefined || s.trim() === '' || !Number.isFinite(x)) fail(`${name} must be a number such as 0.2, got '${s ?? ''}'`);
    return x;
  };
  switch (mode) {
    case 'default':
      if (rest) fail('default takes no arguments');
      return { mode: 'default' };
    case 'all':
      if (rest) fail('all takes no arguments');
      return { mode: 'all' };
    case 'speakers': {
      const slash = rest.indexOf('/');
      const test = list(slash < 0 ? rest : rest.slice(0, slash));
      const validation = slash < 0 ? [] : list(rest.slice(slash + 1));
      // No test speakers is allowed when validation speakers are named (a tuning fold: speakers:/<validation>).
      if (test.length === 0 && validation.length === 0) fail('name at least one test speaker (or, after a slash, validation speakers)');
      return validation.length ? { mode: 'speakers', test, validation } : { mode: 'speakers', test };
    }
    case 'kfold': {
      const [k, fold, seed, extra] = rest.split(':');
      if (extra !== undefined) fail('too many fields');
      const out: SplitSpec = { mode: 'kfold', k: int(k, 'k'), fold: int(fold, 'fold') };
      return seed === undefined ? out : { ...out, seed: int(seed, 'seed') };
    }
    case 'loso':
      if (!rest.trim()) fail('name the held-out speaker');
      return { mode: 'loso', speaker: rest.trim() };
    case 'random': {
      const [test, validation, seed, extra] = rest.split(':');
      if (extra !== undefined) fail('too many fields');
      const out: SplitSpec = { mode: 'random', testFraction: fraction(test, 'test fraction') };
      if (validation !== undefined) out.validationFraction = fraction(validation, 'validation fraction');
      if (seed !== undefined) out.seed = int(seed, 'seed');
      return out;
    }
    default:
      return fail(`unknown mode '${mode}'`);
  }
}

/** The inverse of `parseSplitSpec`, for reports and file names. */
export function formatSplitSpec(spec: SplitSpec): string {
  switch (spec.mode) {
    case 'default':
      return 'default';
    case 'all':
      return 'all';
    case 'speakers':
      return `speakers:${spec.test.join(',')}${spec.validation?.length ? `/${spec.validation.join(',')}` : ''}`;
    case 'kfold':
      return `kfold:${spec.k}:${spec.fold}${spec.seed !== undefined ? `:${spec.seed}` : ''}`;
    case 'loso':
      return `loso:${spec.speaker}`;
    case 'random': {
      const tail = spec.seed !== undefined ? `:${spec.validationFraction ?? 0}:${spec.seed}` : spec.validationFraction !== undefined ? `:${spec.validationFraction}` : '';
      return `random:${spec.testFraction}${tail}`;
    }
  }
}
