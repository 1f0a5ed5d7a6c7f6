// The recheck of a search's answer: the best configuration and the starting point, measured again on fresh
// replicates (training seeds and folds the search never saw), paired replicate by replicate. The gain is the
// mean of (start − best) over the replicates with its 90 % t-interval (paired.ts): an estimate that does not
// carry the winner's curse of the search's own fitness, on which the best was selected. This is the number to
// quote; the search's own margin is optimistic.
import * as is from '../is';
import { pairedInterval90, type PairedInterval } from './paired';
import type { Replicate } from './race';

export interface RecheckPair {
  readonly replicate: Replicate;
  readonly best: number;
  readonly start: number;
}

export interface RecheckResult {
  readonly pairs: RecheckPair[];
  /** Gain of the best over the starting point, start − best (positive: the best is better; lower values are better). */
  readonly gain: PairedInterval;
}

/** Evaluates both configurations on every replicate (the starting point first) and summarises the paired gain. */
export async function recheck<C>(evaluate: (config: C, replicate: Replicate) => number | Promise<number>, best: C, start: C, replicates: readonly Replicate[]): Promise<RecheckResult> {
  is.fn('evaluate', evaluate);
  if (!Array.isArray(replicates) || replicates.length < 2) throw is.invalidArgument(`Expected at least 2 replicates for recheck but received ${is.describe(replicates)}`, 'range');
  const pairs: RecheckPair[] = [];
  for (const replicate of replicates) {
    const s = is.number('recheck value', await evaluate(start, replicate));
    const b = is.number('recheck value', await evaluate(best, replicate));
    pairs.push({ replicate: { ...replicate }, best: b, start: s });
  }
  return { pairs, gain: pairedInterval90(pairs.map((p) => p.start - p.best)) };
}

/** Replicates the search never used: seeds from `firstSeed` on, each over `folds` folds. */
export function freshReplicates(firstSeed: number, seeds: number, folds: number): Replicate[] {
  is.number('firstSeed', firstSeed, { min: 0, integer: true });
  is.positiveInteger('seeds', seeds);
  is.positiveInteger('folds', folds);
  const out: Replicate[] = [];
  for (let s = 0; s < seeds; s++) for (let fold = 0; fold < folds; fold++) out.push({ seed: firstSeed + s, fold });
  return out;
}
