// --warm-start: the best configurations of an earlier study (its evaluations.jsonl) are evaluated first in a new
// one, after the starting recipe. They are re-evaluated, not copied, because the new run may train for other
// epochs, on other folds or data: their old scores are not comparable, their positions are what carries over.
//
// The earlier study may have searched another version of the space (SER_SPACE_VERSION) or had other levers
// fixed: a configuration is mapped into this run's space where that keeps its meaning. A dimension it lacks (added
// since, or fixed in that study) takes the starting recipe's value; a lever this run's fixed part sets is dropped
// (the fixed part wins); a hyper-parameter this version does not know, or a value outside today's range, is
// refused with the evaluation's index.
import * as fs from 'fs';
import { SerNativeError } from '../errors';
import { encode } from '../hpo/space';
import type { DeepPartial, TrainConfig } from '../model/config';
import { readRecords } from './journal';
import { SER_SPACE, SER_SPACE_VERSION, recipePoint, runSpace, type SerHyperParameters } from './space';

/**
 * Up to `count` distinct successful configurations of `file`, best first, as points of the space of a run with
 * the fixed part `fixed`. Records at the highest number of epochs in the file are preferred (with successive
 * halving, lower rungs are shorter trainings), then the rest.
 */
export function warmStartConfigs(file: string, count: number, fixed: DeepPartial<TrainConfig> = {}): SerHyperParameters[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new SerNativeError('ERR_DATA', `--warm-start ${file} ${fs.existsSync(file) ? 'is not a file' : 'does not exist'}: give the evaluations.jsonl of an earlier optimize run`);
  }
  const ok = readRecords(file).filter((r) => r.status === 'ok' && typeof r.fitness === 'number');
  if (ok.length === 0) throw new SerNativeError('ERR_DATA', `--warm-start ${file} has no successful evaluation to start from`);
  const epochs = (r: (typeof ok)[number]) => r.epochs ?? Infinity;
  ok.sort((a, b) => epochs(b) - epochs(a) || (a.fitness as number) - (b.fitness as number) || a.index - b.index);
  const space = runSpace(fixed);
  const recipe = recipePoint(fixed).config as Record<string, unknown>;
  const seen = new Set<string>();
  const out: SerHyperParameters[] = [];
  for (const r of ok) {
    const old = r.config as Record<string, unknown>;
    const unknown = Object.keys(old).filter((k) => !(k in SER_SPACE));
    if (unknown.length > 0) {
      throw new SerNativeError('ERR_DATA', `--warm-start ${file}: evaluation ${r.index} sets ${unknown.join(', ')}, which search space version ${SER_SPACE_VERSION} does not have; was it written by another version of ser-native? Start without --warm-start`);
    }
    const config: Record<string, unknown> = {};
    for (const name of Object.keys(space)) config[name] = name in old ? old[name] : recipe[name];
    try {
      encode(space, config); // a point of this run's space
    } catch (e) {
      throw new SerNativeError('ERR_DATA', `--warm-start ${file}: evaluation ${r.index} is not a point of search space version ${SER_SPACE_VERSION} (${(e as Error).message}); was it written by another version? Start without --warm-start`, { cause: e });
    }
    const key = JSON.stringify(config);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(config as SerHyperParameters);
    if (out.length === count) break;
  }
  return out;
}
