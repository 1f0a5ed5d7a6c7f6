import { benchmarkSpace, rosenbrock, scaleToBounds, sphere } from '../../../lib/hpo/functions';
import { minimize, resumeMinimize, type MinimizeCheckpoint } from '../../../lib/hpo/minimize';
import { createOptimizer, restoreOptimizer } from '../../../lib/hpo/registry';
import { Rng } from '../../../lib/random';
import { CategoricalMixture, Tpe, TruncatedMixture, tpeGamma, tpeWeights } from '../../../lib/hpo/tpe';
import type { Space } from '../../../lib/hpo/space';

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('TPE', () => {
  it("follows Optuna's gamma and weights", () => {
    expect([1, 10, 11, 100, 250, 1000].map(tpeGamma)).toEqual([1, 1, 2, 10, 25, 25]);
    expect(tpeWeights(3)).toEqual([1, 1, 1]);
    const w = tpeWeights(30); // numpy.linspace(1/30, 1, 5) then 25 ones
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 15);
    expect(w[4]).toBe(1);
    expect(w[2]).toBeCloseTo((1 / 30 + 1) / 2, 15);
    expect(tpeWeights(26)).toEqual([1 / 26, ...new Array(25).fill(1)]);
  });

  it("fits Optuna's univariate bandwidths and a normalised truncated density", () => {
    // Means 0.1, 0.2, 0.9 with the prior at 0.5 between bounds 0 and 1: the neighbour rule, endpoints inward,
    // clipped below at 1 / min(100, 3 + 1 + 1) = 0.2.
    const m = TruncatedMixture.fit([0.2, 0.9, 0.1], [1, 1, 1], 1);
    expect(m.mus).toEqual([0.2, 0.9, 0.1, 0.5]);
    expect(m.sigmas.map((s) => +s.toFixed(12))).toEqual([0.3, 0.4, 0.2, 1]);
    // The density integrates to 1 over [0, 1] (midpoint rule).
    let integral = 0;
    const steps = 20000;
    for (let i = 0; i < steps; i++) integral += Math.exp(m.logPdf((i + 0.5) / steps)) / steps;
    expect(integral).toBeCloseTo(1, 5);
    // Samples stay in [0, 1] and follow the density: the mass below 0.3 matches the integral.
    const rng = new Rng(3);
    const draws = Array.from({ length: 40000 }, () => m.sample(rng));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1);
    let mass = 0;
    for (let i = 0; i < 6000; i++) mass += Math.exp(m.logPdf((i + 0.5) / 20000)) / 20000;
    expect(draws.filter((x) => x < 0.3).length / draws.length).toBeCloseTo(mass, 2);
  });

  it("fits Optuna's categorical kernels: a floor of prior_weight / n_kernels on every value, 1 on the point's", () => {
    // Points at values 0, 0, 2 of 3, weights 1 and prior weight 1: n_kernels 4, each point's row
    // (0.25 + 1 at its value, 0.25 elsewhere) / 1.75, the prior's row uniform, every kernel weighing 1/4.
    const m = CategoricalMixture.fit([0, 0, 2], [1, 1, 1], 1, 3);
    expect(m.probabilities.map((p) => +p.toFixed(12))).toEqual([10 / 21, 4 / 21, 7 / 21].map((p) => +p.toFixed(12)));
    expect(CategoricalMixture.fit([], [], 1, 4).probabilities).toEqual([0.25, 0.25, 0.25, 0.25]);
    const rng = new Rng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[m.sample(rng)]++;
    counts.forEach((c, k) => expect(c / 30000).toBeCloseTo(m.probabilities[k], 2));
  });

  it('models an unordered choice as a category: bin centres, drawn towards the good value wherever it sits', async () => {
    // The good values are both ends of the list, far apart in the cube; an interval model would smear them.
    const space = { kind: { type: 'choice', values: ['good', 'bad1', 'bad2', 'bad3', 'bad4', 'fine'] }, x: { type: 'float', min: 0, max: 1 } } as const satisfies Space;
    const f = (c: { kind: string; x: number }) => (c.kind === 'good' ? 0 : c.kind === 'fine' ? 0.1 : 1) + (c.x - 0.3) ** 2;
    const r = await minimize(f, space, { algorithm: 'tpe', population: 4, maxEvaluations: 80, seed: 2 });
    const later = r.history.slice(20);
    expect(later.filter((h) => h.config.kind === 'good' || h.config.kind === 'fine').length / later.length).toBeGreaterThan(0.6); // uniform: 1/3
    expect(r.best!.config.kind).toBe('good');
    // The checkpoint names the categorical coordinate, and the model's proposals are the centres of its bins.
    const state = r.state.optimizer as unknown as { categories?: (number | null)[]; observed: number[][] };
    expect(state.categories).toEqual([6, null]);
    for (const x of state.observed.slice(12)) expect(((x[0] * 6 - 0.5) % 1 + 1) % 1).toBeCloseTo(0, 9);
  });

  it('restores its categories, and without them behaves as before', () => {
    const opt = createOptimizer('tpe', { dimension: 2, population: 3, iterations: 20, seed: 4, startupTrials: 3, categories: [4, null] });
    for (let r = 0; r < 3; r++) opt.tell(opt.ask().map((x) => x[1] + (Math.floor(x[0] * 4) === 2 ? 0 : 1)));
    const restored = restoreOptimizer(JSON.parse(JSON.stringify(opt.state())));
    expect(restored.state()).toEqual(opt.state());
    expect(restored.ask()).toEqual(opt.ask());
    expect((opt.state() as { categories?: unknown }).categories).toEqual([4, null]);
    expect('categories' in createOptimizer('tpe', { dimension: 2, iterations: 5 }).state()).toBe(false);
    expect(() => createOptimizer('tpe', { dimension: 2, iterations: 5, categories: [3] })).toThrow(/categories/);
    expect(() => createOptimizer('tpe', { dimension: 2, iterations: 5, categories: [0, null] })).toThrow(/categories\[0\]/);
    expect(() => createOptimizer('woa', { dimension: 2, iterations: 5, categories: [2, null] })).toThrow(/algorithm "tpe" only/);
  });

  it('samples uniformly until startupTrials points are told, then from the estimators', () => {
    const opt = new Tpe({ dimension: 2, population: 5, iterations: 10, seed: 1 });
    const first = opt.ask();
    opt.tell(first.map((x) => (x[0] - 0.2) ** 2 + (x[1] - 0.7) ** 2));
    expect(opt.state().observed).toHaveLength(5);
    opt.tell(opt.ask().map((x) => (x[0] - 0.2) ** 2 + (x[1] - 0.7) ** 2)); // 10 told now
    // From here the candidates concentrate near the good points: closer to (0.2, 0.7) than uniform ones.
    let dist = 0;
    for (let r = 0; r < 6; r++) {
      const b = opt.ask();
      dist += mean(b.map((x) => Math.hypot(x[0] - 0.2, x[1] - 0.7)));
      opt.tell(b.map((x) => (x[0] - 0.2) ** 2 + (x[1] - 0.7) ** 2));
    }
    expect(dist / 6).toBeLessThan(0.25); // uniform points average about 0.45 from (0.2, 0.7)
  });

  it('beats random search on smooth functions at equal budget (mean over 5 seeds)', async () => {
    for (const fn of [sphere, rosenbrock]) {
      const space = benchmarkSpace(fn, 5);
      const best = async (algorithm: 'tpe' | 'random', seed: number) =>
        (await minimize((c) => fn.evaluate(Object.values(c)), space, { algorithm, population: 4, maxEvaluations: 160, seed }))
          .best!.value;
      const tpe: number[] = [];
      const random: number[] = [];
      for (let seed = 0; seed < 5; seed++) {
        tpe.push(await best('tpe', seed));
        random.push(await best('random', seed));
      }
      expect(mean(tpe)).toBeLessThan(mean(random) / 3);
    }
  });

  it('is seeded-repeatable and resumes from a JSON checkpoint to the same result', async () => {
    const space = benchmarkSpace(sphere, 4);
    const f = (c: Record<string, number>) => sphere.evaluate(Object.values(c));
    const options = { algorithm: 'tpe' as const, population: 3, maxEvaluations: 60, seed: 7 };
    const a = await minimize(f, space, options);
    const b = await minimize(f, space, options);
    expect(b.history.map((r) => r.config)).toEqual(a.history.map((r) => r.config));
    expect((await minimize(f, space, { ...options, seed: 8 })).best).not.toEqual(a.best);
    let saved: MinimizeCheckpoint | null = null;
    const controller = new AbortController();
    await expect(
      minimize(f, space, {
        ...options,
        signal: controller.signal,
        onIteration: (p) => {
          saved = JSON.parse(JSON.stringify(p.state));
          if (p.iteration === 8) controller.abort(); // past the 10 startup points: the estimators are in use
        },
      }),
    ).rejects.toThrow();
    const resumed = await resumeMinimize(f, space, saved);
    expect(resumed.best).toEqual(a.best);
    expect(resumed.history.map((r) => r.config)).toEqual(a.history.slice(27).map((r) => r.config));
  });

  it('restores its options and observations, and rejects bad ones', () => {
    const opt = createOptimizer('tpe', { dimension: 3, population: 2, iterations: 50, seed: 1, startupTrials: 4, eiCandidates: 8, priorWeight: 0.5 });
    for (let r = 0; r < 5; r++) opt.tell(opt.ask().map((x) => sphere.evaluate(scaleToBounds(sphere, x))));
    const restored = restoreOptimizer(JSON.parse(JSON.stringify(opt.state())));
    expect(restored.state()).toEqual(opt.state());
    expect(restored.ask()).toEqual(opt.ask());
    expect(() => createOptimizer('tpe', { dimension: 2, iterations: 5, priorWeight: 0 })).toThrow(/priorWeight/);
    expect(() => createOptimizer('tpe', { dimension: 2, iterations: 5, eiCandidates: 0 })).toThrow(/eiCandidates/);
    expect(() => createOptimizer('random', { dimension: 2, iterations: 5, startupTrials: 3 })).toThrow(/algorithm "tpe" only/);
    expect(() => restoreOptimizer({ ...opt.state(), observedFitness: [] })).toThrow(/observedFitness/);
  });
});
