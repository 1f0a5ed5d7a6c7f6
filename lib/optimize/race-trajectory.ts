// The incumbent's trajectory of an optimize --race search: one summary per iteration (who leads, how far ahead of the
// starting recipe, how many candidates each rung raced and eliminated, whether the leader earned a new seed), made
// from the race's iteration progress when it happens, since the race checkpoint keeps only the current incumbent.
// Saved in state.json with the checkpoint; result.json and report.html show it.
import type { RaceDecision } from '../hpo/race-minimize';
import type { EvaluationRecord } from './journal';
import type { SerHyperParameters } from './space';

/** One rung of an iteration's race: candidates raced on it (the incumbent not counted) and how they left it. */
export interface RaceRungSummary {
  epochs: number;
  /** Seeds measured by the end of the rung (each over every fold). */
  seeds: number;
  raced: number;
  /** Worse than the incumbent by more than z standard errors (the paired test). */
  dropped: number;
  /** Not among the best 1/eta of the rung (the cap). */
  stopped: number;
  failed: number;
}

export interface RaceIteration {
  iteration: number;
  /** The incumbent after the iteration: its answer record's index, the iteration it took the lead, and its level. */
  incumbent: { index: number; since: number; level: number };
  /** Training seed of the iteration's first replicate. */
  firstSeed: number;
  /** The seed window moved on by one: the leader was proposed again ('leader'), or every candidate was already measured. */
  newSeed: 'leader' | 'measured' | null;
  rungs: RaceRungSummary[];
  /**
   * The challenger that replaced the incumbent, with its paired difference to the old one (fitness units: mean and
   * standard error over n replicates; se null for one replicate), or null.
   */
  winner: { index: number; mean: number; se: number | null; n: number } | null;
  /** Trainings the iteration ran (answers from the evaluation cache not counted). */
  trainings: number;
}

/** What result.json says of a race (optimize --race). */
export interface RaceSummary {
  /**
   * The answer: its record's index (best.index), its level (estimated fitness difference to the starting recipe
   * through the chain of paired comparisons; negative is better) and the iteration it took the lead.
   */
  incumbent: { index: number; level: number; since: number };
  /** One summary per iteration (race-trajectory.ts); iterations run by a version that did not record them are missing. */
  iterations: RaceIteration[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The record that stands for a configuration as an answer: its first successful evaluation at the highest epochs it
 * reached (the top rung's, unless it never got there); null when it has none.
 */
export function answerRecord(records: readonly EvaluationRecord[], config: SerHyperParameters): EvaluationRecord | null {
  const ok = records.filter((r) => r.status === 'ok' && same(r.config, config));
  if (ok.length === 0) return null;
  const top = Math.max(...ok.map((r) => r.epochs ?? 0));
  return ok.filter((r) => (r.epochs ?? 0) === top).reduce((a, b) => (b.index < a.index ? b : a));
}

/** Index of a configuration's answer record, else of its first evaluation (0 when it has none: the recipe). */
function indexOf(records: readonly EvaluationRecord[], config: SerHyperParameters): number {
  const answer = answerRecord(records, config);
  if (answer) return answer.index;
  const all = records.filter((r) => same(r.config, config)).map((r) => r.index);
  return all.length > 0 ? Math.min(...all) : 0;
}

export function raceIteration(p: {
  iteration: number;
  incumbent: { config: SerHyperParameters; level: number; since: number } | null;
  decisions: readonly RaceDecision<SerHyperParameters>[];
  firstSeed: number;
  newSeed: RaceIteration['newSeed'];
  trainings: number;
  /** Every record of the search so far (this iteration's included). */
  records: readonly EvaluationRecord[];
  /** Epochs and cumulative seeds of each rung. */
  budgets: readonly number[];
  seeds: readonly number[];
}): RaceIteration {
  const challengers = p.decisions.filter((d) => d.outcome !== 'incumbent');
  const count = (r: number, outcome: RaceDecision<unknown>['outcome']) => challengers.filter((d) => d.rung === r && d.outcome === outcome).length;
  const rungs = p.budgets.map((epochs, r) => ({
    epochs,
    seeds: p.seeds[r],
    raced: challengers.filter((d) => d.rung >= r).length,
    dropped: count(r, 'dropped'),
    stopped: count(r, 'stopped'),
    failed: count(r, 'failed'),
  }));
  const won = challengers.find((d) => d.outcome === 'won');
  const inc = p.incumbent;
  return {
    iteration: p.iteration,
    incumbent: inc === null ? { index: 0, since: 0, level: 0 } : { index: indexOf(p.records, inc.config), since: inc.since, level: inc.level },
    firstSeed: p.firstSeed,
    newSeed: p.newSeed,
    rungs,
    winner: won && won.paired ? { index: indexOf(p.records, won.config), mean: won.paired.mean, se: Number.isFinite(won.paired.se) ? won.paired.se : null, n: won.paired.n } : null,
    trainings: p.trainings,
  };
}
