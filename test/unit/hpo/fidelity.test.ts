import { affordableCandidates, geometricBudgets, halvingCost, promote, toldValues } from '../../../lib/hpo/fidelity';
import { type EvaluationRecord, type MinimizeCheckpoint, minimize, resumeMinimize } from '../../../lib/hpo/minimize';
import { ALGORITHMS } from '../../../lib/hpo/optimizer';
import { restoreOptimizer } from '../../../lib/hpo/registry';
import type { Space } from '../../../lib/hpo/space';

// A synthetic objective with a known fidelity curve: the final quality q(x) (lower is better), approached as
// budget b grows like a learning curve, q(x) + (1 - q(x)) / (2 b); curves of different x never cross, so
// successive halving must promote exactly the candidates with the best q.
const space = { a: { type: 'float', min: 0, max: 1 }, b: { type: 'float', min: 0, max: 1 } } as const satisfies Space;
const q = (c: { a: number; b: number }) => ((c.a - 0.3) ** 2 + (c.b - 0.6) ** 2) / 2;
const curve = (c: { a: number; b: number }, budget: number) => q(c) + (1 - q(c)) / (2 * budget);
const plan = { budgets: [1, 3, 9], eta: 3 };
const timeless = <C>(h: EvaluationRecord<C>[]) => h.map(({ timeMs: _t, ...rest }) => rest);

describe('fidelity plans', () => {
  it('builds geometric rungs and costs them', () => {
    expect(geometricBudgets(9, 3, 3)).toEqual([1, 3, 9]);
    expect(geometricBudgets(12, 3, 2)).toEqual([3, 6, 12]);
    expect(geometricBudgets(8, 1, 3)).toEqual([8]);
    expect(() => geometricBudgets(4, 4, 3)).toThrow(/not increasing: use fewer rungs/);
    expect(() => geometricBudgets(9, 3, 1.5)).toThrow(/eta/);
    expect(halvingCost(9, plan)).toEqual({ perRung: [9, 3, 1], evaluations: 13, budget: 27 });
    expect(halvingCost(2, plan)).toEqual({ perRung: [2, 1, 1], evaluations: 4, budget: 14 });
    expect(affordableCandidates(9, plan, null, 19)).toBe(5); // 5 + 1*3 + 1*9 = 17; 6 would cost 21
    expect(affordableCandidates(9, plan, 6, null)).toBe(4); // 4 + 1 + 1 evaluations
    expect(affordableCandidates(9, plan, null, 12)).toBe(0);
  });

  it('promotes the best 1/eta that succeeded, ties by index', () => {
    const values = [5, 1, 3, 1, 0, 2];
    const ok = [true, true, true, true, false, true];
    expect(promote([0, 1, 2, 3, 4, 5], values, ok, 3)).toEqual([1, 3]); // 4 failed (its 0 is the penalty)
    expect(promote([0, 2], values, ok, 3)).toEqual([2]); // at least one goes on
    expect(promote([4], values, ok, 3)).toEqual([]);
    // A pinned candidate goes on in place of the last of the best; the count stays promotedCount.
    expect(promote([0, 1, 2, 3, 4, 5], values, ok, 3, [0])).toEqual([0, 1]);
    expect(promote([0, 1, 2, 3, 4, 5], values, ok, 3, [1])).toEqual([1, 3]);
    expect(promote([0, 1, 2, 3, 4, 5], values, ok, 3, [4])).toEqual([1, 3]); // failed: not promoted
  });

  it('always takes the starting point (initial[0]) to the top rung, at no extra cost', async () => {
    const worst = { a: 1, b: 0 }; // the worst q in the space: it would stop at rung 0
    const seen: { rung: number; x: { a: number; b: number } }[] = [];
    const result = await minimize(
      (c, ctx) => {
        seen.push({ rung: ctx.rung, x: c });
        return curve(c, ctx.budget as number);
      },
      space,
      { algorithm: 'random', population: 9, iterations: 2, seed: 4, fidelity: plan, initial: [worst] },
    );
    expect(seen.filter((s) => s.rung === 2).map((s) => s.x)).toContainEqual(worst);
    expect(result.budget).toBe(2 * 27);
    // Only the first batch: later batches halve by value alone.
    expect(seen.filter((s) => s.x.a === 1 && s.x.b === 0)).toHaveLength(3);
    expect(result.best!.value).toBeLessThanOrEqual(curve(worst, 9));
  });

  it('tells values that rank the batch as the halving did, keeping each rung group ordered', () => {
    // Candidates 0-5: 0 and 3 stopped at rung 0 (values 0.2, 0.5: better than the top rung's, lower fidelity),
    // 1 stopped at rung 1, 2 and 4 reached rung 2, 5 failed at rung 0.
    const reached = [0, 1, 2, 0, 2, 0];
    const value = [0.2, 0.35, 0.3, 0.5, 0.4, Infinity];
    const told = toldValues(reached, value, 3);
    expect(told[2]).toBe(0.3);
    expect(told[4]).toBe(0.4);
    expect(told[1]).toBeGreaterThan(0.4); // shifted behind the top rung
    expect(told[0]).toBeGreaterThan(told[1]);
    expect(told[3] - told[0]).toBeCloseTo(0.3, 12); // spacing within the group kept
    expect(told[5]).toBe(Infinity);
    // Already behind: no shift.
    expect(toldValues([0, 1], [0.9, 0.1], 2)).toEqual([0.9, 0.1]);
  });
});

describe('minimize with successive halving', () => {
  it('promotes the right candidates and returns the best at the top budget', async () => {
    const calls: { iteration: number; rung: number; budget: number; q: number; x: number[] }[] = [];
    const result = await minimize(
      (c, ctx) => {
        calls.push({ iteration: ctx.iteration, rung: ctx.rung, budget: ctx.budget as number, q: q(c), x: ctx.x.slice() });
        return curve(c, ctx.budget as number);
      },
      space,
      { algorithm: 'random', population: 9, iterations: 3, seed: 4, fidelity: plan },
    );
    expect(result.evaluations).toBe(3 * 13);
    expect(result.budget).toBe(3 * 27);
    for (let it = 0; it < 3; it++) {
      const mine = calls.filter((c) => c.iteration === it);
      expect(mine.map((c) => c.budget)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9]);
      const byQ = mine.filter((c) => c.rung === 0).map((c) => c.q).sort((a, b) => a - b);
      expect(mine.filter((c) => c.rung === 1).map((c) => c.q).sort((a, b) => a - b)).toEqual(byQ.slice(0, 3));
      expect(mine.filter((c) => c.rung === 2).map((c) => c.q)).toEqual([byQ[0]]);
    }
    const top = calls.filter((c) => c.rung === 2);
    const winner = top.reduce((a, b) => (b.q < a.q ? b : a));
    expect(result.best!.x).toEqual(winner.x);
    expect(result.best!.value).toBeCloseTo(curve(result.best!.config, 9), 15);
    // The optimizer's own incumbent (from told values) is the same top-rung candidate.
    expect(restoreOptimizer(result.state.optimizer).best()!.x).toEqual(winner.x);
    // History carries rung and budget.
    expect(result.history.slice(9, 13).map((r) => [r.rung, r.budget])).toEqual([[1, 3], [1, 3], [1, 3], [2, 9]]);
  });

  it('never exceeds maxBudget and reports the budget spent', async () => {
    let spent = 0;
    const result = await minimize(
      (c, ctx) => {
        spent += ctx.budget as number;
        return curve(c, ctx.budget as number);
      },
      space,
      { algorithm: 'tpe', population: 9, maxBudget: 100, seed: 1, fidelity: plan },
    );
    expect(spent).toBe(27 * 3 + 17); // three full iterations, then 5 candidates fit the remaining 19
    expect(result.budget).toBe(spent);
    expect(result.state.budgetSpent).toBe(spent);
  });

  it.each(ALGORITHMS)('%s: resumed mid-rung, re-runs only the evaluations that were in flight', async (algorithm) => {
    const options = { algorithm, population: 9, iterations: 4, seed: 6, fidelity: plan, concurrency: 3 };
    const slow = async (c: { a: number; b: number }, budget: number) => {
      await new Promise((r) => setTimeout(r, 1));
      return curve(c, budget);
    };
    const straight = await minimize((c, ctx) => slow(c, ctx.budget as number), space, options);

    // A journal of finished evaluations, as lib/optimize keeps, keyed by index, config and budget.
    const journal = new Map<number, { key: string; value: number }>();
    const keyOf = (c: unknown, budget: number | undefined) => JSON.stringify([c, budget]);
    const started = new Set<number>();
    const controller = new AbortController();
    let checkpoint: MinimizeCheckpoint | null = null;
    await expect(
      minimize(
        async (c, ctx) => {
          started.add(ctx.evaluation);
          // Kill during rung 1 of iteration 2, while 3 evaluations run.
          if (ctx.iteration === 2 && ctx.rung === 1 && !controller.signal.aborted) setTimeout(() => controller.abort(), 0);
          const v = await slow(c, ctx.budget as number);
          if (ctx.signal?.aborted) throw new Error('killed');
          journal.set(ctx.evaluation, { key: keyOf(c, ctx.budget), value: v });
          return v;
        },
        space,
        { ...options, signal: controller.signal, onIteration: (p) => void (checkpoint = JSON.parse(JSON.stringify(p.state))) },
      ),
    ).rejects.toThrow();
    expect(checkpoint!.evaluations).toBe(straight.history.filter((r) => r.iteration < 2).length);
    const rung1 = straight.history.filter((r) => r.iteration === 2 && r.rung === 1).map((r) => r.evaluation);
    const inFlight = [...started].filter((i) => !journal.has(i));
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.length).toBeLessThanOrEqual(3);
    for (const i of inFlight) expect(rung1).toContain(i); // only rung-1 evaluations of iteration 2 were running

    const rerun: number[] = [];
    const resumed = await resumeMinimize(
      async (c, ctx) => {
        const saved = journal.get(ctx.evaluation);
        if (saved && saved.key === keyOf(c, ctx.budget)) return saved.value;
        if (started.has(ctx.evaluation)) rerun.push(ctx.evaluation);
        return slow(c, ctx.budget as number);
      },
      space,
      checkpoint,
    );
    expect(rerun.sort((a, b) => a - b)).toEqual(inFlight.sort((a, b) => a - b));
    const head = straight.history.filter((r) => r.iteration < 2);
    expect(timeless([...head, ...resumed.history])).toEqual(timeless(straight.history));
    expect(resumed.best).toEqual(straight.best);
    expect(resumed.budget).toBe(straight.budget);
  });
});

describe('initial configurations', () => {
  it.each(ALGORITHMS)('%s: evaluates them first, then proposes as usual', async (algorithm) => {
    const initial = [
      { a: 0.3, b: 0.6 },
      { a: 0.9, b: 0.1 },
    ];
    const result = await minimize((c) => q(c), space, { algorithm, population: 4, iterations: 3, seed: 2, initial });
    expect(result.history.slice(0, 2).map((r) => r.config)).toEqual(initial);
    expect(result.best!.config).toEqual(initial[0]); // q = 0 there: nothing beats it
    const plain = await minimize((c) => q(c), space, { algorithm, population: 4, iterations: 1, seed: 2 });
    expect(result.history.slice(2, 4).map((r) => r.config)).toEqual(plain.history.slice(2, 4).map((r) => r.config));
  });
});
