// The recheck of optimize's answer: the best configuration and the starting recipe trained again on fresh
// training seeds and, with --folds, fresh folds (the tuning speakers grouped with another seed), every pair on the
// same replicate; the paired gain in validation UAR points with its 90 % t-interval (lib/hpo/recheck.ts). This
// is the number to quote (README, model card), not the search's own fitness, on which the best was selected.
// Saved in state.json, so a resume does not train it again.
import { recheck, freshReplicates } from '../hpo/recheck';
import { evaluationKey } from '../hpo/evaluation-cache';
import type { Replicate } from '../hpo/race';
import type { EvaluationJob } from './objective';
import type { Evaluator } from './evaluators/evaluator';
import type { SerHyperParameters } from './space';

/** Seeds of the recheck start this far above the run's seed, above any seed a search uses. */
export const RECHECK_SEED_OFFSET = 100000;

export interface RecheckOutcome {
  /** Index of the evaluation whose configuration was rechecked. */
  index: number;
  seeds: number[];
  /** Fresh fold split specs (with --folds), or null: the split's validation speakers. */
  folds: string[] | null;
  pairs: { seed: number; fold: number; bestUar: number; recipeUar: number }[];
  /** UAR(best) − UAR(recipe) in points, mean over the pairs, and its 90 % t-interval. */
  gainPoints: { mean: number; low: number; high: number; n: number };
}

export async function recheckBest(o: {
  index: number;
  best: SerHyperParameters;
  recipe: SerHyperParameters;
  seed: number;
  seeds: number;
  folds: string[] | null;
  epochs: number;
  evaluate: Evaluator;
  /** index: the training's place in the recheck (recipe then best, replicate by replicate), for queue job ids. */
  makeJob: (config: SerHyperParameters, epochs: number, replicate: Replicate, split: string | null, index: number) => EvaluationJob;
  signal?: AbortSignal;
}): Promise<RecheckOutcome> {
  const first = o.seed + RECHECK_SEED_OFFSET;
  const replicates = freshReplicates(first, o.seeds, o.folds?.length ?? 1);
  // recheck() asks for the recipe, then the best, replicate by replicate; a training is numbered in that order.
  // When the best is the recipe, its value on a replicate is the recipe's (a seeded training repeats), not retrained.
  let trainings = 0;
  const known = new Map<string, number>();
  const fitness = async (config: SerHyperParameters, rep: Replicate): Promise<number> => {
    const key = evaluationKey(config, o.epochs, rep);
    const seen = known.get(key);
    if (seen !== undefined) return seen;
    const value = (await o.evaluate(o.makeJob(config, o.epochs, rep, o.folds ? o.folds[rep.fold] : null, trainings++), o.signal)).result.fitness;
    known.set(key, value);
    return value;
  };
  const r = await recheck(fitness, o.best, o.recipe, replicates);
  const points = (v: number) => 100 * v;
  return {
    index: o.index,
    seeds: Array.from({ length: o.seeds }, (_, k) => first + k),
    folds: o.folds,
    pairs: r.pairs.map((p) => ({ seed: p.replicate.seed, fold: p.replicate.fold, bestUar: 1 - p.best, recipeUar: 1 - p.start })),
    gainPoints: { mean: points(r.gain.mean), low: points(r.gain.low), high: points(r.gain.high), n: r.gain.n },
  };
}
