// optimize --race on a synthetic evaluator (a noisy function of the configuration, the seed and the fold instead
// of a training): each job is one replicate, the journal records seed and fold, a resume in the middle of an
// iteration replays finished evaluations by (configuration, epochs, seed, fold), the recheck pairs best and recipe
// on fresh seeds, and the settings check --race-seeds.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRecords } from '../../../lib/optimize/journal';
import type { EvaluationJob } from '../../../lib/optimize/objective';
import { runRaceSearch, type RaceSearchOptions } from '../../../lib/optimize/race-search';
import type { RaceIteration } from '../../../lib/optimize/race-trajectory';
import { recheckBest } from '../../../lib/optimize/recheck';
import { resolveSettings, resumeSettings, fidelityOf } from '../../../lib/optimize/settings';
import { recipePoint, runSpace, type SerHyperParameters } from '../../../lib/optimize/space';
import type { Evaluator } from '../../../lib/optimize/evaluators/evaluator';
import type { RaceCheckpoint } from '../../../lib/hpo/race-minimize';
import { Rng, deriveSeed } from '../../../lib/random';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-race-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const quality = (c: SerHyperParameters) => Math.abs(Math.log10(c.lr / 1e-3)) / 4 + Math.abs(c.convDropout - 0.2) / 2;
const foldOf = (job: EvaluationJob) => (job.data.split === 'f1' ? 1 : 0);
const fitnessOf = (job: EvaluationJob) => Math.min(1, Math.max(0, 0.4 + quality(job.config) + 0.05 * new Rng(deriveSeed(job.seed, foldOf(job))).normal()));

function evaluator(calls: EvaluationJob[]): Evaluator {
  return async (job, signal) => {
    calls.push(job);
    await new Promise((r) => setTimeout(r, 1));
    if (signal?.aborted) throw new Error('killed');
    const fitness = fitnessOf(job);
    return { result: { fitness, metrics: { uar: 1 - fitness, accuracy: 1 - fitness, macroF1: 1 - fitness }, seconds: 0.001 }, worker: 0, seconds: 0.001 };
  };
}

function options(name: string, over: Partial<RaceSearchOptions> = {}): RaceSearchOptions {
  return {
    name: 'search',
    algorithm: 'sfs-woa',
    population: 4,
    iterations: 3,
    maxEvals: null,
    fidelity: { budgets: [2, 2], eta: 2 },
    seeds: [1, 2],
    z: 2,
    folds: 2,
    epochBudget: null,
    initial: [recipePoint().config],
    space: runSpace(),
    seed: 7,
    journal: path.join(tmp, `${name}.jsonl`),
    checkpoint: null,
    saveCheckpoint: () => undefined,
    evaluate: evaluator([]),
    makeJob: (config, index, iteration, epochs, rep) => ({ index, iteration, config, data: { split: `f${rep.fold}` }, seed: rep.seed, epochsPerEval: epochs, device: 'cpu' }),
    concurrency: 2,
    workers: 1,
    threads: 1,
    ...over,
  };
}

describe('runRaceSearch', () => {
  it('trains one replicate per job, never the same one twice, and journals seed and fold', async () => {
    const calls: EvaluationJob[] = [];
    const r = await runRaceSearch(options('plain', { evaluate: evaluator(calls) }));
    const keys = calls.map((j) => JSON.stringify([j.config, j.epochsPerEval, j.seed, j.data.split]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(r.records).toHaveLength(calls.length);
    expect(r.records[0]).toMatchObject({ index: 0, iteration: 0, seed: 7, fold: 0, epochs: 2 });
    expect(r.records[1]).toMatchObject({ seed: 7, fold: 1 });
    expect(r.incumbent).not.toBeNull();
    expect(r.best?.config).toEqual(r.incumbent?.config);
    expect(r.epochs).toBe(2 * calls.length);
  });

  it('summarises every iteration: the incumbent, each rung\'s challengers and how they left, the seed window', async () => {
    const saved: number[] = [];
    const r = await runRaceSearch(options('trajectory', { saveCheckpoint: (_, t) => saved.push(t.length) }));
    expect(r.trajectory.map((t) => t.iteration)).toEqual([0, 1, 2]);
    expect(saved).toEqual([1, 2, 3]);
    expect(r.trajectory.reduce((a, t) => a + t.trainings, 0)).toBe(r.records.length);
    for (const t of r.trajectory) {
      expect(t.rungs.map((g) => [g.epochs, g.seeds])).toEqual([
        [2, 1],
        [2, 2],
      ]);
      // A rung races those the one below let through.
      expect(t.rungs[1].raced).toBe(t.rungs[0].raced - t.rungs[0].dropped - t.rungs[0].stopped - t.rungs[0].failed);
      expect(t.rungs[0].raced).toBeGreaterThan(0);
      const incumbent = r.records.find((x) => x.index === t.incumbent.index);
      expect(incumbent?.status).toBe('ok');
      if (t.winner) {
        expect(t.incumbent).toMatchObject({ index: t.winner.index, since: t.iteration });
        expect(t.winner.mean).toBeLessThan(0);
      }
      // Seeds from the run's seed (7) on; the window moves only with a reason.
      expect(t.firstSeed).toBeGreaterThanOrEqual(7);
    }
    expect(r.trajectory[0]).toMatchObject({ firstSeed: 7, newSeed: null });
    // This objective rewards lr near 1e-3 and convDropout near 0.2: a challenger takes the lead.
    expect(r.trajectory.some((t) => t.winner !== null)).toBe(true);
    const last = r.trajectory[r.trajectory.length - 1];
    expect(last.incumbent).toMatchObject({ index: r.best?.index, level: r.incumbent?.level, since: r.incumbent?.since });
    const moves = r.trajectory.map((t, k) => t.firstSeed - (k === 0 ? 7 : r.trajectory[k - 1].firstSeed));
    expect(moves).toEqual(r.trajectory.map((t) => (t.newSeed === null ? 0 : 1)));
  });

  it('resumed in the middle of an iteration, trains only what had not finished', async () => {
    const whole = await runRaceSearch(options('whole'));
    let saved: RaceCheckpoint | null = null;
    const stop = new AbortController();
    let seen = 0;
    const killing: Evaluator = async (job, signal) => {
      if (++seen === 30) stop.abort(new Error('killed'));
      return evaluator([])(job, signal);
    };
    let savedTrajectory: RaceIteration[] = [];
    await expect(
      runRaceSearch(
        options('resumed', {
          evaluate: killing,
          signal: stop.signal,
          saveCheckpoint: (c, t) => {
            saved = JSON.parse(JSON.stringify(c));
            savedTrajectory = JSON.parse(JSON.stringify(t));
          },
        }),
      ),
    ).rejects.toThrow();
    expect(savedTrajectory.length).toBeGreaterThan(0);
    const before = readRecords(path.join(tmp, 'resumed.jsonl')).length;
    const calls: EvaluationJob[] = [];
    const rest = await runRaceSearch(options('resumed', { checkpoint: saved, trajectory: savedTrajectory, evaluate: evaluator(calls) }));
    expect(rest.incumbent).toEqual(whole.incumbent);
    // The iterations summarised before the kill come from the state; the resumed session adds the rest.
    expect(rest.trajectory).toEqual(whole.trajectory);
    expect(rest.records.map((x) => [x.index, x.seed, x.fold, x.fitness])).toEqual(whole.records.map((x) => [x.index, x.seed, x.fold, x.fitness]));
    expect(calls.length).toBe(whole.records.length - before);
  });
});

describe('recheckBest', () => {
  it('pairs best and recipe on fresh seeds and folds and reports the gain in UAR points', async () => {
    const calls: EvaluationJob[] = [];
    const best = { ...recipePoint().config, lr: 1e-3, convDropout: 0.2 };
    const r = await recheckBest({
      index: 5,
      best,
      recipe: recipePoint().config,
      seed: 1,
      seeds: 2,
      folds: ['f0', 'f1'],
      epochs: 3,
      evaluate: evaluator(calls),
      makeJob: (config, epochs, rep, split, index) => ({ index, iteration: 0, config, data: { split: split ?? 'default' }, seed: rep.seed, epochsPerEval: epochs, device: 'cpu' }),
    });
    expect(calls).toHaveLength(8);
    expect(r.seeds).toEqual([100001, 100002]);
    expect(r.pairs).toHaveLength(4);
    const truth = 100 * (quality(recipePoint().config) - quality(best));
    // The shared noise cancels in each pair: the interval is a point here.
    expect(r.gainPoints.mean).toBeCloseTo(truth, 6);
    expect(r.gainPoints.low).toBeLessThanOrEqual(r.gainPoints.mean);
    // Numbered in the order they were asked for (queue job ids): recipe, then best, replicate by replicate.
    expect(calls.map((j) => j.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(calls.map((j) => j.config === best)).toEqual([false, true, false, true, false, true, false, true]);
  });

  it('does not train the recipe twice when the best is the recipe', async () => {
    const calls: EvaluationJob[] = [];
    const r = await recheckBest({
      index: 0,
      best: recipePoint().config,
      recipe: recipePoint().config,
      seed: 1,
      seeds: 2,
      folds: null,
      epochs: 3,
      evaluate: evaluator(calls),
      makeJob: (config, epochs, rep, split, index) => ({ index, iteration: 0, config, data: { split: split ?? 'default' }, seed: rep.seed, epochsPerEval: epochs, device: 'cpu' }),
    });
    expect(calls.map((j) => [j.index, j.seed])).toEqual([
      [0, 100001],
      [1, 100002],
    ]);
    expect(r.pairs.map((p) => p.bestUar - p.recipeUar)).toEqual([0, 0]);
    expect(r.gainPoints).toEqual({ mean: 0, low: 0, high: 0, n: 2 });
  });
});

describe('race settings', () => {
  it('--race-seeds: one entry per rung, rungs that add seeds, kept on resume', () => {
    const s = resolveSettings({ race: true });
    expect(s.race).toEqual({ seeds: [1, 2, 4], z: 2 });
    expect(fidelityOf(s).budgets).toEqual([s.epochsPerEval, s.epochsPerEval, s.epochsPerEval]);
    expect(s.recheckSeeds).toBe(2);
    expect(resolveSettings({ race: true, rungs: 2, epochsPerEval: 6 }).race?.seeds).toEqual([1, 2]);
    expect(() => resolveSettings({ raceSeeds: [1, 2] })).toThrow(/--race/);
    expect(() => resolveSettings({ race: true, raceSeeds: [2, 1] })).toThrow(/non-decreasing/);
    expect(() => resolveSettings({ race: true, raceSeeds: [1, 1] })).toThrow(/add seeds/);
    expect(() => resolveSettings({ race: true, rungs: 2, epochsPerEval: 6, raceSeeds: [1, 2, 3] })).toThrow(/one entry per rung/);
    expect(() => resumeSettings(s, { race: false }, 'out')).toThrow(/race false differs/);
    expect(resumeSettings(s, { recheckSeeds: 0 }, 'out').recheckSeeds).toBe(0);
  });
});
