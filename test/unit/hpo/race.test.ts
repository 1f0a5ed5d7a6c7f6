// The race's parts on synthetic objectives: paired statistics and the t-interval, the promotion rule, the
// evaluation cache (a configuration is never re-measured with the same seed), the new seed a re-proposed
// leader earns, the incumbent as the answer, a resume that continues the same race, and the recheck.
import { pairedInterval90, pairedSummary, tQuantile95 } from '../../../lib/hpo/paired';
import { checkRacePlan, racePromote, raceCost, rungReplicates } from '../../../lib/hpo/race';
import { raceMinimize, resumeRaceMinimize, type RaceCheckpoint } from '../../../lib/hpo/race-minimize';
import { freshReplicates, recheck } from '../../../lib/hpo/recheck';
import { Rng, deriveSeed } from '../../../lib/random';

const space = { a: { type: 'int', min: 0, max: 9 }, b: { type: 'choice', values: ['p', 'q', 'r'] } } as const;
type Config = { a: number; b: string };
const value = (c: Config, seed: number, fold: number) =>
  Math.abs(c.a - 6) * 0.3 + (c.b === 'q' ? 0 : 0.5) + 2 * new Rng(deriveSeed(3, seed, fold)).normal() + 0.3 * new Rng(deriveSeed(5, seed, fold, c.a, c.b.charCodeAt(0))).normal();

describe('paired statistics', () => {
  it('mean, standard error and the 90 % t-interval', () => {
    const s = pairedSummary([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.se).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(pairedSummary([1]).se).toBe(Infinity);
    const i = pairedInterval90([1, 2, 3, 4]);
    expect(i.high - i.mean).toBeCloseTo(2.353 * s.se, 12);
    expect(tQuantile95(1)).toBe(6.314);
    expect(tQuantile95(60)).toBeCloseTo(1.671, 3);
    expect(tQuantile95(1000)).toBeCloseTo(1.646, 3);
    expect(() => pairedSummary([])).toThrow(/non-empty/);
  });
});

describe('the racing rule', () => {
  const plan = checkRacePlan('race', { budgets: [1, 1], seeds: [2, 4], eta: 2, folds: 3 });
  it('drops candidates worse by more than z standard errors, then keeps at most n / eta by mean', () => {
    const stats = [
      { n: 6, mean: 0.5, sd: 0.1, se: 0.04 }, // significantly worse
      { n: 6, mean: 0.05, sd: 0.5, se: 0.2 }, // worse, not significantly
      { n: 6, mean: -0.1, sd: 0.5, se: 0.2 },
      null, // failed
    ];
    expect(racePromote([0, 1, 2, 3], stats, plan)).toEqual([1, 2]);
    expect(racePromote([0, 1, 2, 3], stats, { ...plan, eta: 4 })).toEqual([2]);
  });
  it('replicates: every seed over every fold; the worst-case cost counts the incumbent', () => {
    expect(rungReplicates(plan, 0, 5, 100)).toEqual([0, 1, 2].flatMap((fold) => [{ seed: 105, fold }]).concat([0, 1, 2].map((fold) => ({ seed: 106, fold }))).sort((x, y) => x.seed - y.seed || x.fold - y.fold));
    // rung 0: (4 + 1) × 6; rung 1 adds 2 seeds × 3 folds for (2 + 1).
    expect(raceCost(4, plan)).toEqual({ evaluations: 30 + 18, budget: 48 });
  });
  it('checks plans', () => {
    expect(() => checkRacePlan('race', { budgets: [1, 1], seeds: [2, 2], eta: 2, folds: 1 })).toThrow(/must add seeds or budget/);
    expect(() => checkRacePlan('race', { budgets: [1], seeds: [1, 2], eta: 2, folds: 1 })).toThrow(/one per rung/);
    expect(() => checkRacePlan('race', { budgets: [2, 1], seeds: [1, 2], eta: 2, folds: 1 })).toThrow(/non-decreasing/);
  });
});

describe('raceMinimize', () => {
  const race = { budgets: [1, 1], seeds: [1, 3], eta: 3, folds: 2 };
  const start = { a: 0, b: 'p' as const };

  it('pairs every candidate of a rung with the incumbent on the same replicates and never re-measures one', async () => {
    const seen: string[] = [];
    const r = await raceMinimize(
      (c, ctx) => {
        seen.push(JSON.stringify([c, ctx.budget, ctx.replicate]));
        return value(c as Config, ctx.replicate.seed, ctx.replicate.fold);
      },
      space,
      { algorithm: 'sfs-woa', population: 6, iterations: 6, seed: 2, race, initial: [start], replicateSeed: 10 },
    );
    expect(new Set(seen).size).toBe(seen.length); // the cache: no (configuration, budget, seed, fold) twice
    expect(r.evaluations).toBe(seen.length);
    // Every rung of an iteration: each candidate's replicates are the incumbent's.
    for (const rec of r.history) {
      expect(rec.seed).toBeGreaterThanOrEqual(10);
      expect([0, 1]).toContain(rec.fold);
    }
    const first = r.history.filter((h) => h.iteration === 0 && h.rung === 0);
    const reps = (cfg: unknown) => first.filter((h) => JSON.stringify(h.config) === JSON.stringify(cfg)).map((h) => `${h.seed}/${h.fold}`);
    expect(reps(start)).toEqual(['10/0', '10/1']);
    for (const h of first) expect(reps(h.config)).toEqual(['10/0', '10/1']);
    // The answer is the incumbent, with its estimated difference to the start (below 0: better).
    expect(r.best).not.toBeNull();
    expect(r.best?.level).toBeLessThanOrEqual(0);
    expect(r.decisions.filter((d) => d.outcome === 'won').length).toBeGreaterThan(0);
  });

  it('a leader proposed again earns a new seed instead of its cached value', async () => {
    // WOA-type searches return the leader; so does a space of 30 configurations after a few rounds.
    const windows: number[] = [];
    const reasons: (string | null)[] = [];
    await raceMinimize((c, ctx) => value(c as Config, ctx.replicate.seed, ctx.replicate.fold), space, {
      algorithm: 'woa',
      population: 6,
      iterations: 8,
      seed: 1,
      race,
      initial: [start],
      onIteration: (p) => {
        windows.push(p.state.window);
        reasons.push(p.newSeed);
        const reproposed = p.decisions.some((d) => d.outcome === 'incumbent');
        if (p.iteration > 0 && reproposed) expect(p.state.window).toBeGreaterThan(windows[windows.length - 2]);
        // The progress says when and why the window moved, and where it starts (replicateSeed 1 by default).
        expect(p.state.window - (windows[windows.length - 2] ?? 0)).toBe(p.newSeed === null ? 0 : 1);
        if (p.newSeed === 'leader') expect(reproposed).toBe(true);
        expect(p.firstSeed).toBe(1 + p.state.window);
      },
    });
    expect(windows[windows.length - 1]).toBeGreaterThan(0);
    expect(reasons).toContain('leader');
  });

  it('never exceeds the budget, and a resume continues the same race', async () => {
    const objective = (c: Config, ctx: { replicate: { seed: number; fold: number } }) => value(c, ctx.replicate.seed, ctx.replicate.fold);
    const options = { algorithm: 'random' as const, population: 5, seed: 3, race, initial: [start], maxBudget: 120 };
    const whole = await raceMinimize(objective, space, options);
    expect(whole.budget).toBeLessThanOrEqual(120);
    let saved: RaceCheckpoint | null = null;
    const stop = new AbortController();
    await expect(
      raceMinimize(objective, space, {
        ...options,
        signal: stop.signal,
        onIteration: (p) => {
          if (p.iteration === 2) {
            saved = JSON.parse(JSON.stringify(p.state));
            stop.abort(new Error('killed'));
          }
        },
      }),
    ).rejects.toThrow('killed');
    const rest = await resumeRaceMinimize(objective, space, saved);
    expect(rest.best).toEqual(whole.best);
    expect(rest.evaluations).toBe(whole.evaluations);
    expect(rest.history).toEqual(whole.history.filter((h) => h.iteration > 2).map((h) => ({ ...h, timeMs: expect.any(Number) })));
  });

  it('rejects a bad plan and a foreign checkpoint', async () => {
    await expect(raceMinimize(() => 0, space, { iterations: 2, race: { budgets: [1], seeds: [0], eta: 2, folds: 1 } })).rejects.toThrow(/race.seeds\[0\]/);
    await expect(resumeRaceMinimize(() => 0, space, { kind: 'other' })).rejects.toThrow(/race checkpoint/);
  });
});

describe('recheck', () => {
  it('measures best and start on fresh replicates, paired, with a 90 % t-interval of the gain', async () => {
    const reps = freshReplicates(500, 3, 2);
    expect(reps).toHaveLength(6);
    const r = await recheck((c: Config, rep) => value(c, rep.seed, rep.fold), { a: 6, b: 'q' }, { a: 0, b: 'p' }, reps);
    expect(r.pairs).toHaveLength(6);
    // True gain 0.3 × 6 + 0.5 = 2.3; the shared noise (sd 2) cancels in the pairs, the rest has sd 0.3 √2.
    expect(r.gain.mean).toBeGreaterThan(1.5);
    expect(r.gain.low).toBeLessThan(2.3);
    expect(r.gain.high).toBeGreaterThan(2.3);
    await expect(recheck(() => 0, 1, 2, [{ seed: 1, fold: 0 }])).rejects.toThrow(/at least 2 replicates/);
  });
});
