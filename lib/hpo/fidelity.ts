// Multi-fidelity evaluation of one batch: successive halving (K. Jamieson & A. Talwalkar, "Non-stochastic best
// arm identification and hyperparameter optimization", AISTATS 2016; the rungs of Hyperband, L. Li et al.,
// JMLR 18, 2018) inside every ask/tell round, so any optimizer can use it.
//
// A fidelity plan is an increasing list of budgets (e.g. training epochs) b_0 < ... < b_{R-1} and a reduction
// factor eta. Every candidate of the batch is evaluated at b_0; of the n_r candidates evaluated at rung r, the
// best max(1, floor(n_r / eta)) that succeeded are evaluated again at b_{r+1} (from scratch: a shorter run is
// not a prefix of a longer one when the learning-rate schedule spans the run). A candidate's fitness is its
// value at the highest rung it reached. A pinned candidate (minimize()'s initial[0], the search's starting point)
// is always among those promoted, in place of the last, so the best result is never worse than it.
//
// What the optimizer is told (comparable values): values at different budgets are not on one scale (a short
// training scores worse than a long one), so the told values follow the halving decisions. The candidates
// that reached the top rung are told their top value. Going down, the candidates that stopped at rung r are
// told their rung-r values shifted up, all by the same amount, just enough that the best of them ranks
// strictly behind every candidate that went further (their order and spacing among themselves are kept;
// no shift when they already rank behind). So the optimizer ranks a batch as successive halving did, and a
// leader or incumbent is always a candidate measured at the top budget.
import * as is from '../is';

export interface FidelityPlan {
  /** Strictly increasing positive budgets of the rungs; the last is the full fidelity. */
  readonly budgets: readonly number[];
  /** Reduction factor: 1 / eta of a rung's candidates are promoted. >= 2. */
  readonly eta: number;
}

/**
 * Geometric rungs ending at `maxBudget`: b_r = max(1, round(maxBudget / eta^(R-1-r))) for integer budgets such
 * as epochs. Throws when two rungs would get the same budget (too many rungs for the budget).
 */
export function geometricBudgets(maxBudget: number, rungs: number, eta: number): number[] {
  if (!Number.isSafeInteger(maxBudget) || maxBudget < 1) throw is.invalidArgument(`Expected positive integer for the top budget but received ${is.describe(maxBudget)}`, 'range');
  if (!Number.isSafeInteger(rungs) || rungs < 1) throw is.invalidArgument(`Expected positive integer for rungs but received ${is.describe(rungs)}`, 'range');
  checkEta(eta);
  const budgets = Array.from({ length: rungs }, (_, r) => Math.max(1, Math.round(maxBudget / eta ** (rungs - 1 - r))));
  for (let r = 1; r < rungs; r++) {
    if (budgets[r] <= budgets[r - 1]) {
      throw is.invalidArgument(`${rungs} rungs with eta ${eta} below a top budget of ${maxBudget} give the budgets ${budgets.join(', ')}, which are not increasing: use fewer rungs, a smaller eta or a larger top budget`, 'range');
    }
  }
  return budgets;
}

function checkEta(eta: unknown): number {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || eta < 2) throw is.invalidArgument(`Expected number >= 2 for eta but received ${is.describe(eta)}`, 'range');
  return eta;
}

/** Validates a plan (also one restored from JSON); returns a copy. */
export function checkFidelityPlan(name: string, plan: unknown): FidelityPlan {
  const p = plan as Partial<FidelityPlan> | null;
  if (typeof p !== 'object' || p === null || !Array.isArray(p.budgets) || p.budgets.length === 0) {
    throw is.invalidArgument(`Expected { budgets: [b0 < b1 < ...], eta } for ${name} but received ${is.describe(plan)}`);
  }
  p.budgets.forEach((b: unknown, r) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0 || (r > 0 && b <= (p.budgets as number[])[r - 1])) {
      throw is.invalidArgument(`Expected strictly increasing positive numbers for ${name}.budgets but received ${is.describe(p.budgets)}`, 'range');
    }
  });
  return { budgets: p.budgets.slice(), eta: checkEta(p.eta) };
}

/** Candidates promoted out of a rung of n evaluations. */
export function promotedCount(n: number, eta: number): number {
  return n === 0 ? 0 : Math.max(1, Math.floor(n / eta));
}

/** Evaluations per rung, and the total budget, of successive halving over n candidates (no failures). */
export function halvingCost(n: number, plan: FidelityPlan): { perRung: number[]; evaluations: number; budget: number } {
  const perRung: number[] = [];
  let alive = n;
  for (let r = 0; r < plan.budgets.length; r++) {
    perRung.push(alive);
    alive = promotedCount(alive, plan.eta);
  }
  const evaluations = perRung.reduce((a, b) => a + b, 0);
  const budget = perRung.reduce((a, k, r) => a + k * plan.budgets[r], 0);
  return { perRung, evaluations, budget };
}

/** The largest batch prefix whose full halving fits both remaining allowances (null = unlimited). */
export function affordableCandidates(n: number, plan: FidelityPlan, evaluationsLeft: number | null, budgetLeft: number | null): number {
  let k = n;
  while (k > 0) {
    const c = halvingCost(k, plan);
    if ((evaluationsLeft === null || c.evaluations <= evaluationsLeft) && (budgetLeft === null || c.budget <= budgetLeft + 1e-9)) break;
    k--;
  }
  return k;
}

/**
 * Who goes on from a rung: the best promotedCount(candidates) among those that succeeded (ok[i]), ranked by
 * value, ties by candidate index. `candidates` are batch indices; `values[i]` is candidate i's value at this rung.
 * `pinned` candidates (the starting point of a search) go on whatever their value, if they succeeded, in place
 * of the last of the best, so the rung's cost does not change.
 */
export function promote(candidates: readonly number[], values: readonly number[], ok: readonly boolean[], eta: number, pinned: readonly number[] = []): number[] {
  const successful = candidates.filter((i) => ok[i]);
  const keep = Math.min(successful.length, promotedCount(candidates.length, eta));
  const kept = successful.filter((i) => pinned.includes(i)).slice(0, keep);
  const best = successful.filter((i) => !kept.includes(i)).sort((a, b) => values[a] - values[b] || a - b);
  return [...kept, ...best.slice(0, keep - kept.length)].sort((a, b) => a - b);
}

/** A value strictly above v (v finite), by a margin far below any meaningful fitness difference. */
function justAbove(v: number): number {
  return v + Math.max(1, Math.abs(v)) * 2 ** -40;
}

/**
 * The told fitness of every candidate (see the file comment). `reached[i]` is the highest rung candidate i was
 * evaluated at, `value[i]` its value there (a failed evaluation: the penalty or +Infinity).
 */
export function toldValues(reached: readonly number[], value: readonly number[], rungs: number): number[] {
  const told = value.slice();
  // The worst finite told value among candidates that reached a rung above the current one (failed ones,
  // +Infinity, rank last anyway).
  let floor = -Infinity;
  for (let r = rungs - 1; r >= 0; r--) {
    const here = reached.map((g, i) => (g === r ? i : -1)).filter((i) => i >= 0);
    if (here.length === 0) continue;
    const best = Math.min(...here.map((i) => value[i]));
    if (Number.isFinite(floor) && Number.isFinite(best) && best <= floor) {
      const shift = justAbove(floor) - best;
      for (const i of here) told[i] = value[i] + shift;
    }
    for (const i of here) if (Number.isFinite(told[i])) floor = Math.max(floor, told[i]);
  }
  return told;
}
