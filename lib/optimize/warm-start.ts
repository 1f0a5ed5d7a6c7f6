// --warm-start: the best configurations of an earlier study (its evaluations.jsonl) are evaluated first in a new
// one, after the starting recipe. They are re-evaluated, not copied, because the new run may train for other
// epochs, on other folds or data: their old scores are not comparable, their positions are what carries over.
import * as fs from 'fs';
import { SerNativeError } from '../errors';
import { encode } from '../hpo/space';
import { readRecords } from './journal';
import { SER_SPACE, type SerHyperParameters } from './space';

/**
 * Up to `count` distinct successful configurations of `file`, best first. Records at the highest number of
 * epochs in the file are preferred (with successive halving, lower rungs are shorter trainings), then the rest.
 */
export function warmStartConfigs(file: string, count: number): SerHyperParameters[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new SerNativeError('ERR_DATA', `--warm-start ${file} ${fs.existsSync(file) ? 'is not a file' : 'does not exist'}: give the evaluations.jsonl of an earlier optimize run`);
  }
  const ok = readRecords(file).filter((r) => r.status === 'ok' && typeof r.fitness === 'number');
  if (ok.length === 0) throw new SerNativeError('ERR_DATA', `--warm-start ${file} has no successful evaluation to start from`);
  const epochs = (r: (typeof ok)[number]) => r.epochs ?? Infinity;
  ok.sort((a, b) => epochs(b) - epochs(a) || (a.fitness as number) - (b.fitness as number) || a.index - b.index);
  const seen = new Set<string>();
  const out: SerHyperParameters[] = [];
  for (const r of ok) {
    const key = JSON.stringify(r.config);
    if (seen.has(key)) continue;
    try {
      encode(SER_SPACE, r.config); // a point of this version's space
    } catch (e) {
      throw new SerNativeError('ERR_DATA', `--warm-start ${file}: evaluation ${r.index} is not a point of the search space (${(e as Error).message}); was it written by another version?`, { cause: e });
    }
    seen.add(key);
    out.push(r.config);
    if (out.length === count) break;
  }
  return out;
}
