// Run settings (defaults, resume compatibility), worker planning, planned budgets and the journal file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { minimize } from '../../../lib/hpo/minimize';
import { ALGORITHMS } from '../../../lib/hpo/optimizer';
import { readRecords, writeRecords, appendRecord, type EvaluationRecord } from '../../../lib/optimize/journal';
import { planWorkers } from '../../../lib/optimize/evaluators/pool/pool';
import { plannedEvaluations } from '../../../lib/optimize/search';
import { DEMO_DEFAULTS, resolveSettings, resumeSettings } from '../../../lib/optimize/settings';
import { SER_SPACE } from '../../../lib/optimize/space';

describe('run settings', () => {
  it('uses the small demo budget without data options and resolves folders to absolute paths', () => {
    const demo = resolveSettings({});
    expect(demo).toMatchObject({ algorithm: 'sfs-woa', ...DEMO_DEFAULTS, seed: 1, maxEvals: null, baseline: false, data: { split: 'default' } });
    const real = resolveSettings({ ravdess: 'data/ravdess', population: 6 });
    expect(real.data.ravdess).toEqual([path.resolve('data/ravdess')]);
    expect(real.population).toBe(6);
    expect(real.iterations).toBeGreaterThan(DEMO_DEFAULTS.iterations);
    // Only a budget: the iterations follow from it.
    expect(resolveSettings({ maxEvals: 30 }).iterations).toBeNull();
  });

  it('rejects bad settings before anything runs, naming them', () => {
    expect(() => resolveSettings({ population: 3 })).toThrow(/population/);
    expect(() => resolveSettings({ algorithm: 'pso' as never })).toThrow(/algorithm/);
    expect(() => resolveSettings({ epochsPerEval: 0 })).toThrow(/epochsPerEval/);
    expect(() => resolveSettings({ fixed: { batchSize: 8 } })).toThrow(/fixed\.batchSize is set by the search/);
  });

  it('lets a resume change the budget but not what defines the run', () => {
    const saved = resolveSettings({ ravdess: 'a', population: 4, iterations: 3, seed: 2 });
    expect(resumeSettings(saved, {}, 'out')).toEqual(saved);
    expect(resumeSettings(saved, { ravdess: 'a', seed: 2, maxEvals: 50, finalEpochs: 3, baseline: true }, 'out')).toEqual({ ...saved, maxEvals: 50, finalEpochs: 3, baseline: true });
    expect(() => resumeSettings(saved, { seed: 3 }, 'runs/x')).toThrow(/seed 3 differs from the run being resumed in runs\/x \(2\)/);
    expect(() => resumeSettings(saved, { population: 5 }, 'out')).toThrow(/population/);
    expect(() => resumeSettings(saved, { ravdess: 'b' }, 'out')).toThrow(/ravdess/);
    expect(() => resumeSettings(saved, { split: 'speakers:ravdess:01' }, 'out')).toThrow(/split/);
    expect(() => resumeSettings(saved, { fixed: { batchSize: 8 } as never }, 'out')).toThrow(/fixed/);
  });
});

describe('planWorkers', () => {
  const saved = process.env.SER_NATIVE_THREADS;
  beforeEach(() => delete process.env.SER_NATIVE_THREADS);
  afterAll(() => (saved === undefined ? delete process.env.SER_NATIVE_THREADS : (process.env.SER_NATIVE_THREADS = saved)));

  it('honours SER_NATIVE_THREADS as a ceiling on the threads of each worker', () => {
    process.env.SER_NATIVE_THREADS = '1';
    expect(planWorkers({ workers: 1, device: 'cpu', resolvedDevice: 'cpu', cores: 2, gpus: 0 })).toEqual({ workers: 1, threads: 1, devices: null });
    process.env.SER_NATIVE_THREADS = '16';
    expect(planWorkers({ device: 'auto', resolvedDevice: 'cpu', cores: 8, gpus: 0 })).toEqual({ workers: 4, threads: 2, devices: null });
  });

  it('defaults to half the cores with the cores shared out, and one worker per GPU on CUDA', () => {
    expect(planWorkers({ device: 'auto', resolvedDevice: 'cpu', cores: 8, gpus: 0 })).toEqual({ workers: 4, threads: 2, devices: null });
    expect(planWorkers({ device: 'cpu', resolvedDevice: 'cpu', cores: 1, gpus: 0 })).toEqual({ workers: 1, threads: 1, devices: null });
    expect(planWorkers({ workers: 3, device: 'cpu', resolvedDevice: 'cpu', cores: 8, gpus: 0 })).toEqual({ workers: 3, threads: 2, devices: null });
    expect(planWorkers({ workers: 0, device: 'cpu', resolvedDevice: 'cpu', cores: 8, gpus: 0 })).toEqual({ workers: 0, threads: 8, devices: null });
    expect(planWorkers({ device: 'auto', resolvedDevice: 'cuda:0', cores: 16, gpus: 2 })).toEqual({ workers: 2, threads: 8, devices: ['cuda:0', 'cuda:1'] });
    // An explicit GPU index keeps every worker on it.
    expect(planWorkers({ device: 'cuda:1', resolvedDevice: 'cuda:1', cores: 16, gpus: 2 }).devices).toBeNull();
    expect(() => planWorkers({ workers: -1, device: 'cpu', resolvedDevice: 'cpu', cores: 2, gpus: 0 })).toThrow(/workers/);
  });
});

describe('plannedEvaluations', () => {
  it.each(ALGORITHMS)('matches what minimize() spends for %s (an upper bound for sfs)', async (algorithm) => {
    const result = await minimize(() => 0.5, SER_SPACE, { algorithm, population: 4, iterations: 3, seed: 1 });
    const planned = plannedEvaluations(algorithm, 4, 3, null);
    if (algorithm === 'sfs') expect(result.evaluations).toBeLessThanOrEqual(planned);
    else expect(result.evaluations).toBe(planned);
    expect(plannedEvaluations(algorithm, 4, 3, 5)).toBe(5);
    expect(plannedEvaluations(algorithm, 4, null, 7)).toBe(7);
  });

  // Not sfs: its batches vary in size, so under an epoch budget the count is an estimate.
  it.each(ALGORITHMS.filter((a) => a !== 'sfs'))('with only an epoch budget, counts the last partly affordable round as minimize() spends it (%s)', async (algorithm) => {
    const fidelity = { budgets: [2, 6], eta: 3 };
    // 48 epochs per candidate-fold: sfs-woa's first round of 6 costs 24 and its later rounds of 12 cost 48, so
    // the second round evaluates only the 6 of its 12 candidates that the 24 left pay for (the optimize run of
    // the README resumed with --epoch-budget 144 over 3 folds). 100 leaves partial rounds for every algorithm.
    for (const maxBudget of [48, 100, 20]) {
      const result = await minimize(() => 0.5, SER_SPACE, { algorithm, population: 6, fidelity, maxBudget, seed: 1 });
      expect(result.evaluations).toBe(plannedEvaluations(algorithm, 6, null, null, fidelity, maxBudget));
    }
    expect(plannedEvaluations('sfs-woa', 6, null, null, fidelity, 48)).toBe(16);
  });
});

describe('journal', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-journal-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const record = (index: number): EvaluationRecord => ({ index, iteration: 0, config: {} as never, fitness: 0.5, status: 'ok', seconds: 1, worker: 0 });

  it('drops a line torn by a kill but refuses a damaged line in the middle', () => {
    const file = path.join(dir, 'evaluations.jsonl');
    writeRecords(file, [record(0), record(1)]);
    fs.appendFileSync(file, '{"index":2,"iter');
    expect(readRecords(file).map((r) => r.index)).toEqual([0, 1]);
    fs.writeFileSync(file, `${JSON.stringify(record(0))}\nnot json\n${JSON.stringify(record(1))}\n`);
    expect(() => readRecords(file)).toThrow(/evaluations\.jsonl:2 is not an evaluation record/);
    writeRecords(file, []);
    appendRecord(file, record(5));
    expect(readRecords(file)).toEqual([record(5)]);
    expect(readRecords(path.join(dir, 'missing.jsonl'))).toEqual([]);
  });
});
