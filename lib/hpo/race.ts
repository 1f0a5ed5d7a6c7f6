// Racing: successive halving whose promotion is a statistical decision on paired differences.
//
// Every candidate of a rung is measured on the same replicates as the incumbent (the configuration to beat;
// the search's starting point is the first): the same training seeds and the same folds (common random
// numbers). Its fitness is the paired difference to the incumbent, mean over those replicates of
// value(candidate, replicate) − value(incumbent, replicate), with the standard error of that mean.
//
// The rule, after each rung below the top:
//   1. a candidate whose mean paired difference is worse (larger) than 0 by more than z standard errors
//      (mean − z·se > 0, z = 2 by default) drops out: it is significantly worse than the incumbent;
//   2. of the rest, at most max(1, ⌊n / η⌋) go on (n = candidates of the rung), the lowest means first, as in
//      successive halving, so a rung never costs more than the halving plan.
// The survivors are measured on more replicates at the next rung (more seeds, and/or more epochs). At the top
// rung the survivor with the lowest mean paired difference replaces the incumbent if that mean is below 0.
//
// Sources: the elimination of candidates significantly worse than the best as evidence accumulates on shared
// instances is F-race (M. Birattari, T. Stützle, L. Paquete & K. Varrentrapp, "A racing algorithm for
// configuring metaheuristics", GECCO 2002), here with a paired test against the incumbent in place of the
// Friedman test; the rungs and the 1/η cap are successive halving (Jamieson & Talwalkar 2016) / Hyperband
// (Li et al. 2018). With one replicate (n = 1) there is no standard error and only rule 2 applies.
import * as is from '../is';
import type { PairedSummary } from './paired';

/** One training seed and fold: the unit of noise that every candidate of a rung shares. */
export interface Replicate {
  /** Training seed (the study's seed + the replicate's seed index). */
  readonly seed: number;
  /** 0-based fold (always 0 without folds). */
  readonly fold: number;
}

export interface RacePlan {
  /** Budget of each rung (e.g. training epochs), non-decreasing; the last is the full fidelity. */
  readonly budgets: readonly number[];
  /** Seeds measured by the end of each rung (cumulative), non-decreasing, >= 1; each seed covers every fold. */
  readonly seeds: readonly number[];
  /** At most max(1, ⌊n / eta⌋) candidates of a rung go on. >= 1 (1: only the statistical rule decides). */
  readonly eta: number;
  /** Folds per seed (1 without folds). */
  readonly folds: number;
  /** Standard errors by which a candidate must be worse than the incumbent to drop out. Default 2. */
  readonly z?: number;
  /** Standard errors by which the top rung's best must be better than the incumbent to replace it (0: any mean below 0). Default 0. */
  readonly replaceZ?: number;
}

/** Validates a plan (also one restored from JSON); returns a copy with z filled in. */
export function checkRacePlan(name: string, plan: unknown): Required<RacePlan> {
  const p = is.plainObject(name, plan);
  const list = (key: 'budgets' | 'seeds', integer: boolean): number[] => {
    const v = p[key];
    if (!Array.isArray(v) || v.length === 0) throw is.invalidArgument(`Expected non-empty array for ${name}.${key} but received ${is.describe(v)}`);
    v.forEach((x: unknown, r) => {
      is.number(`${name}.${key}[${r}]`, x, integer ? { min: 1, integer: true } : { min: 0, exclusiveMin: true });
      if (r > 0 && (x as number) < (v[r - 1] as number)) throw is.invalidArgument(`Expected non-decreasing numbers for ${name}.${key} but received ${is.describe(v)}`, 'range');
    });
    return v.slice() as number[];
  };
  const budgets = list('budgets', false);
  const seeds = list('seeds', true);
  if (seeds.length !== budgets.length) throw is.invalidArgument(`Expected ${budgets.length} entries (one per rung) for ${name}.seeds but received ${seeds.length}`, 'range');
  for (let r = 1; r < budgets.length; r++) {
    if (budgets[r] === budgets[r - 1] && seeds[r] === seeds[r - 1]) {
      throw is.invalidArgument(`${name}: rung ${r} has the budget and seeds of rung ${r - 1}; each rung must add seeds or budget`, 'range');
    }
  }
  const eta = is.number(`${name}.eta`, p.eta, { min: 1 });
  const folds = is.positiveInteger(`${name}.folds`, p.folds);
  const z = p.z === undefined ? 2 : is.number(`${name}.z`, p.z, { min: 0 });
  const replaceZ = p.replaceZ === undefined ? 0 : is.number(`${name}.replaceZ`, p.replaceZ, { min: 0 });
  return { budgets, seeds, eta, folds, z, replaceZ };
}

/** The replicates of rung `rung` when the race's seeds start at seed index `window`: seed by seed, fold by fold. */
export function rungReplicates(plan: RacePlan, rung: number, window: number, baseSeed: number): Replicate[] {
  const out: Replicate[] = [];
  for (let s = 0; s < plan.seeds[rung]; s++) for (let fold = 0; fold < plan.folds; fold++) out.push({ seed: baseSeed + window + s, fold });
  return out;
}

/** Candidates promoted out of a rung of n, at most. */
export function raceCap(n: number, eta: number): number {
  return n === 0 ? 0 : Math.max(1, Math.floor(n / eta));
}

/** True when the candidate is worse than the incumbent by more than z standard errors (rule 1). */
export function significantlyWorse(s: PairedSummary, z: number): boolean {
  return Number.isFinite(s.se) ? s.mean - z * s.se > 0 : false;
}

/**
 * Who goes on from a rung (see the file comment): `candidates` are batch indices, `stats[i]` candidate i's
 * paired summary at this rung, or null when it failed. Ties by index.
 */
export function racePromote(candidates: readonly number[], stats: readonly (PairedSummary | null)[], plan: Required<RacePlan>): number[] {
  const alive = candidates.filter((i) => stats[i] !== null && !significantlyWorse(stats[i] as PairedSummary, plan.z));
  alive.sort((a, b) => (stats[a] as PairedSummary).mean - (stats[b] as PairedSummary).mean || a - b);
  return alive.slice(0, raceCap(candidates.length, plan.eta)).sort((a, b) => a - b);
}

/** True when the top rung's candidate may replace the incumbent: mean + replaceZ·se < 0. */
export function beatsIncumbent(s: PairedSummary, replaceZ: number): boolean {
  if (replaceZ === 0) return s.mean < 0;
  return Number.isFinite(s.se) && s.mean + replaceZ * s.se < 0;
}

/** New evaluations per configuration at rung r (the earlier rung's replicates are reused when the budget is the same). */
export function newReplicatesAt(plan: RacePlan, r: number): number {
  const before = r > 0 && plan.budgets[r] === plan.budgets[r - 1] ? plan.seeds[r - 1] : 0;
  return (plan.seeds[r] - before) * plan.folds;
}

/**
 * The most a race over n candidates can cost when nothing is cached: every rung's survivors (at most the cap)
 * and the incumbent (which never drops out) measured on the rung's new replicates. { evaluations, budget }.
 */
export function raceCost(n: number, plan: RacePlan): { evaluations: number; budget: number } {
  let alive = n;
  let evaluations = 0;
  let budget = 0;
  for (let r = 0; r < plan.budgets.length && alive > 0; r++) {
    const k = (alive + 1) * newReplicatesAt(plan, r);
    evaluations += k;
    budget += k * plan.budgets[r];
    alive = raceCap(alive, plan.eta);
  }
  return { evaluations, budget };
}

/** The largest batch prefix whose race fits both remaining allowances (null = unlimited), in the worst case. */
export function affordableRacers(n: number, plan: RacePlan, evaluationsLeft: number | null, budgetLeft: number | null): number {
  let k = n;
  while (k > 0) {
    const c = raceCost(k, plan);
    if ((evaluationsLeft === null || c.evaluations <= evaluationsLeft) && (budgetLeft === null || c.budget <= budgetLeft + 1e-9)) break;
    k--;
  }
  return k;
}
