// The optimize search loop (runSearch) with a synthetic evaluator whose fitness follows a known learning curve
// in the epochs: the starting recipe in the first population, successive halving with epochs counted and capped,
// the best taken at the top rung, warm start, and a resume in the middle of a rung that re-runs only the
// evaluations that were in flight.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRecords, type EvaluationRecord } from '../../../lib/optimize/journal';
import type { EvaluationJob } from '../../../lib/optimize/objective';
import { runSearch, type SearchOptions } from '../../../lib/optimize/search';
import { LATER_DEFAULTS, resolveSettings, resumeSettings } from '../../../lib/optimize/settings';
import { SER_SPACE, recipePoint, type SerHyperParameters } from '../../../lib/optimize/space';
import { warmStartConfigs } from '../../../lib/optimize/warm-start';
import type { Evaluator } from '../../../lib/optimize/evaluators/evaluator';
import type { MinimizeCheckpoint } from '../../../lib/hpo/minimize';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-search-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Final quality: best near lr 1e-3, dropout 0.2; a short training scores worse, curves never cross.
const quality = (c: SerHyperParameters) => Math.abs(Math.log10(c.lr / 1e-3)) / 2 + Math.abs(c.convDropout - 0.2);
const fitnessAt = (c: SerHyperParameters, epochs: number) => Math.min(1, 0.2 + 0.5 * quality(c) + 0.3 / epochs);

function evaluator(calls: EvaluationJob[], hook?: (job: EvaluationJob) => void): Evaluator {
  return async (job, signal) => {
    calls.push(job);
    hook?.(job);
    await new Promise((r) => setTimeout(r, 2));
    if (signal?.aborted) throw new Error('killed');
    const fitness = fitnessAt(job.config, job.epochsPerEval);
    return { result: { fitness, metrics: { uar: 1 - fitness, accuracy: 1 - fitness, macroF1: 1 - fitness }, seconds: 0.002 }, worker: 0, seconds: 0.002 };
  };
}

function options(name: string, over: Partial<SearchOptions> = {}): SearchOptions {
  return {
    name: 'search',
    algorithm: 'sfs-woa',
    population: 6,
    iterations: 3,
    maxEvals: null,
    fidelity: { budgets: [2, 6], eta: 3 },
    epochBudget: null,
    folds: 1,
    initial: [recipePoint().config],
    space: SER_SPACE,
    seed: 4,
    journal: path.join(tmp, `${name}.jsonl`),
    checkpoint: null,
    saveCheckpoint: () => undefined,
    evaluate: evaluator([]),
    makeJob: (config, index, iteration, epochs) => ({ index, iteration, config, data: {}, seed: 1, epochsPerEval: epochs, device: 'cpu' }),
    concurrency: 3,
    workers: 1,
    threads: 1,
    ...over,
  };
}

const outcome = (rs: EvaluationRecord[]) => rs.map((r) => ({ index: r.index, iteration: r.iteration, rung: r.rung, epochs: r.epochs, config: r.config, fitness: r.fitness }));

describe('runSearch', () => {
  it('evaluates the starting recipe first, halves every iteration, counts epochs and takes the best at the top rung', async () => {
    const calls: EvaluationJob[] = [];
    const r = await runSearch(options('halving', { evaluate: evaluator(calls) }));
    const recipe = recipePoint().config;
    for (const k of Object.keys(SER_SPACE) as (keyof SerHyperParameters)[]) {
      if (typeof recipe[k] === 'number') expect(r.records[0].config[k]).toBeCloseTo(recipe[k] as number, 10);
      else expect(r.records[0].config[k]).toBe(recipe[k]);
    }
    expect(r.records[0]).toMatchObject({ iteration: 0, rung: 0, epochs: 2 });
    // Iteration 0: 6 at 2 epochs, 2 at 6; iterations 1-2: 12 at 2 epochs (whales + walks), 4 at 6.
    expect(r.records.filter((x) => x.iteration === 0).map((x) => x.epochs)).toEqual([2, 2, 2, 2, 2, 2, 6, 6]);
    expect(r.evaluations).toBe(8 + 2 * 16);
    expect(r.epochs).toBe(6 * 2 + 2 * 6 + 2 * (12 * 2 + 4 * 6));
    expect(calls.reduce((a, j) => a + j.epochsPerEval, 0)).toBe(r.epochs);
    // Promoted: the best third of each rung 0; in iteration 0 the starting recipe always goes on, in place of the
    // last promoted when it is not among the best.
    const recipeKey = JSON.stringify(r.records[0].config);
    for (let it = 0; it < 3; it++) {
      const rung0 = r.records.filter((x) => x.iteration === it && x.rung === 0);
      const promoted = r.records.filter((x) => x.iteration === it && x.rung === 1).map((x) => JSON.stringify(x.config));
      let expected = [...rung0].sort((a, b) => (a.fitness as number) - (b.fitness as number)).slice(0, promoted.length).map((x) => JSON.stringify(x.config));
      if (it === 0 && !expected.includes(recipeKey)) expected = [...expected.slice(0, -1), recipeKey];
      expect(new Set(promoted)).toEqual(new Set(expected));
    }
    // The best is the best 6-epoch evaluation, though 2-epoch scores of other candidates are not comparable.
    const top = r.records.filter((x) => x.epochs === 6);
    expect(r.best!.fitness).toBe(Math.min(...top.map((x) => x.fitness as number)));
    expect(r.best!.epochs).toBe(6);
    expect(readRecords(options('halving').journal)).toHaveLength(r.evaluations);
  });

  it('never exceeds --epoch-budget (folds counted) and spends what the rounds can afford', async () => {
    const r = await runSearch(options('budget', { algorithm: 'tpe', iterations: null, epochBudget: 200, folds: 2 }));
    // Per candidate-epoch, 100 are available: rounds of 6 cost 6*2 + 2*6 = 24, so 4 rounds (96), then 4 left.
    expect(r.epochs).toBeLessThanOrEqual(200);
    expect(r.epochs).toBe(2 * 96);
  });

  it('resumed in the middle of a rung, re-runs only the evaluations that were in flight', async () => {
    const straight = await runSearch(options('straight'));
    const controller = new AbortController();
    const started = new Set<number>();
    let saved: MinimizeCheckpoint | null = null;
    const killAt = (job: EvaluationJob) => {
      started.add(job.index);
      if (job.iteration === 1 && job.epochsPerEval === 6 && !controller.signal.aborted) setTimeout(() => controller.abort(), 0);
    };
    const o = options('killed', { saveCheckpoint: (c) => void (saved = JSON.parse(JSON.stringify(c))), signal: controller.signal });
    await expect(runSearch({ ...o, evaluate: evaluator([], killAt) })).rejects.toThrow();
    const finished = new Set(readRecords(o.journal).map((x) => x.index));
    const inFlight = [...started].filter((i) => !finished.has(i));
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.length).toBeLessThanOrEqual(3); // concurrency
    const calls: EvaluationJob[] = [];
    const resumed = await runSearch({ ...o, signal: undefined, checkpoint: saved, evaluate: evaluator(calls) });
    const rerun = calls.map((j) => j.index).filter((i) => started.has(i));
    expect(rerun.sort((a, b) => a - b)).toEqual(inFlight.sort((a, b) => a - b));
    expect(outcome(resumed.records)).toEqual(outcome(straight.records));
    expect(resumed.best).toEqual(straight.best);
    expect(resumed.epochs).toBe(straight.epochs);
  });

  it('warm-starts from an earlier journal: its best distinct configurations, best first', async () => {
    const earlier = await runSearch(options('earlier', { algorithm: 'random', fidelity: { budgets: [6], eta: 3 } }));
    const configs = warmStartConfigs(options('earlier').journal, 3);
    const best3 = [...earlier.records].sort((a, b) => (a.fitness as number) - (b.fitness as number)).slice(0, 3).map((x) => x.config);
    expect(configs).toEqual(best3);
    const r = await runSearch(options('warm', { initial: [recipePoint().config, ...configs] }));
    expect(r.records.slice(1, 4).map((x) => x.config)).toEqual(configs);
    expect(() => warmStartConfigs(path.join(tmp, 'none.jsonl'), 3)).toThrow(/does not exist/);
  });
});

describe('multi-fidelity settings', () => {
  it('validates rungs, eta and folds, keeps them on resume, and reads a warm start once', () => {
    expect(resolveSettings({ epochsPerEval: 9, rungs: 3 })).toMatchObject({ rungs: 3, eta: 3, folds: null, epochBudget: null, warmStart: null });
    expect(() => resolveSettings({ epochsPerEval: 4, rungs: 3 })).toThrow(/not increasing: use fewer rungs/);
    expect(() => resolveSettings({ eta: 1 })).toThrow(/eta/);
    expect(() => resolveSettings({ folds: 1 })).toThrow(/folds/);
    expect(resolveSettings({ epochBudget: 100 }).iterations).toBeNull();
    const saved = resolveSettings({ ravdess: 'a', epochsPerEval: 8, rungs: 2, eta: 2, folds: 3 });
    expect(() => resumeSettings(saved, { rungs: 3 }, 'out')).toThrow(/rungs 3 differs/);
    expect(() => resumeSettings(saved, { folds: 2 }, 'out')).toThrow(/folds 2 differs/);
    expect(resumeSettings(saved, { epochBudget: 500 }, 'out').epochBudget).toBe(500);
    // A state written before these settings existed resumes with their defaults.
    const { rungs: _r, eta: _e, folds: _f, epochBudget: _b, warmStart: _w, race: _ra, recheckSeeds: _rc, ...old } = saved;
    expect(resumeSettings(old as never, {}, 'out')).toMatchObject(LATER_DEFAULTS);
    const warm = resolveSettings({ population: 4, warmStart: options('earlier').journal });
    expect(warm.warmStart!.configs).toHaveLength(3);
    expect(warm.warmStart!.file).toBe(path.resolve(options('earlier').journal));
  });
});
