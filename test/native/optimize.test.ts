// optimize on a tiny demo corpus with real LibTorch training in real worker processes: the end-to-end run, a
// resume after SIGKILL of the CLI and after an abort mid-iteration (both must continue the same run), a
// killed worker, and the pool and worker entry point on their own.
import { execFile, spawn } from 'child_process';
import { childrenOf } from '../helpers/kill';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { loadModel } from '../../lib/model/model';
import type { EvaluationRecord } from '../../lib/optimize/journal';
import { runEvaluation, type EvaluationJob } from '../../lib/optimize/objective';
import { EvaluationFailure } from '../../lib/optimize/evaluators/evaluator';
import { EvaluationPool } from '../../lib/optimize/evaluators/pool/pool';
import { optimize, type OptimizeOptions, type OptimizeResult } from '../../lib/optimize/run';
import { recipePoint, runSpace, type SerHyperParameters } from '../../lib/optimize/space';
import { decode } from '../../lib/hpo/space';

import { checkDist, cli, workerJs } from '../helpers/dist';
import { demo, fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-optimize-'));
const demoDir = path.join(tmp, 'demo');
const fixedFile = path.join(tmp, 'fixed.json');
// The run every resume must reproduce: 4 + 8 evaluations of SFS-WOA, then 12 of the random baseline.
const run: OptimizeOptions = { ravdess: demoDir, fixed, population: 4, iterations: 2, epochsPerEval: 2, finalEpochs: 1, workers: 2, device: 'cpu', baseline: true, seed: 3 };
const cliArgs = ['optimize', '--ravdess', demoDir, '--config', fixedFile, '--population', '4', '--iterations', '2', '--epochs-per-eval', '2', '--final-epochs', '1', '--workers', '2', '--device', 'cpu', '--baseline', '--seed', '3'];

const journal = (out: string, name = 'evaluations.jsonl'): EvaluationRecord[] =>
  fs.readFileSync(path.join(out, name), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EvaluationRecord);
/** What must not depend on interruptions: which candidate each index is, and its score. */
const outcome = (records: EvaluationRecord[]) => [...records].sort((a, b) => a.index - b.index).map((r) => ({ index: r.index, iteration: r.iteration, config: r.config, fitness: r.fitness, status: r.status }));

let reference: OptimizeResult;
const refOut = path.join(tmp, 'reference');

beforeAll(async () => {
  checkDist();
  ensureDemoCorpus(demoDir, demo);
  fs.writeFileSync(fixedFile, JSON.stringify(fixed));
  reference = await optimize({ ...run, out: refOut });
}, 120000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('end to end with 2 workers: journal, state, baseline, a loadable best model, report and result', () => {
  const records = journal(refOut);
  expect(records).toHaveLength(12);
  expect(reference.evaluations).toBe(12);
  expect(records.every((r) => r.status === 'ok' && r.fitness === 1 - (r.metrics as { uar: number }).uar)).toBe(true);
  expect(new Set(records.map((r) => r.worker))).toEqual(new Set([0, 1]));
  expect(outcome(records).map((r) => r.iteration)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  const best = Math.min(...records.map((r) => r.fitness as number));
  expect(reference.best.fitness).toBe(best);
  expect(reference.best.index).toBe(outcome(records).find((r) => r.fitness === best)?.index);
  expect(journal(refOut, 'baseline-evaluations.jsonl')).toHaveLength(12);
  expect(reference.baseline?.evaluations).toBe(12);

  const model = loadModel(path.join(refOut, 'best', 'model'));
  expect(model.labels).toEqual(['neutral', 'angry']);
  // The bundle was trained with the best configuration on top of the fixed recipe.
  expect(model.architecture.lstmHidden).toBe(reference.best.config.lstmHidden);
  expect(model.architecture.channels).toEqual(fixed.architecture.channels.map((c) => Math.max(1, Math.round(c * reference.best.config.convWidth))));
  expect(reference.final.metrics?.protocol.name).toBe('speaker-independent');

  const html = fs.readFileSync(path.join(refOut, 'report.html'), 'utf8');
  expect(html).toMatch(/Hyper-parameter search/);
  expect(html).toMatch(/random search/);
  expect(html).toMatch(/1 − validation UAR/);
  const saved = JSON.parse(fs.readFileSync(path.join(refOut, 'result.json'), 'utf8'));
  expect(saved.best).toEqual(reference.best);
  expect(JSON.parse(fs.readFileSync(path.join(refOut, 'state.json'), 'utf8')).search.evaluations).toBe(12);
});

test('a finished run is not overwritten by a new one, and resuming it only rewrites the report and result', async () => {
  await expect(optimize({ ...run, out: refOut })).rejects.toThrow(/already holds an optimize run.*resume/);
  const events: string[] = [];
  const again = await optimize({ out: refOut, resume: true, onProgress: (e) => events.push(e.phase) });
  expect(events).not.toContain('evaluation-start');
  expect(events).not.toContain('final'); // the retrained model is reused
  expect(again.best).toEqual(reference.best);
  expect(again.final).toEqual(reference.final);
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL of the CLI mid-iteration, then --resume: the same run, and no orphaned workers', async () => {
  const out = path.join(tmp, 'killed');
  const child = spawn(process.execPath, [cli, ...cliArgs, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let workers: number[] = [];
  const file = path.join(out, 'evaluations.jsonl');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the CLI ended before it could be killed:\n${stderr}`);
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    if (lines >= 6) break; // inside iteration 1 (evaluations 4..11)
    await sleep(25);
  }
  workers = childrenOf(child.pid as number);
  child.kill('SIGKILL');
  await exited;
  expect(workers.length).toBeGreaterThan(0);
  for (let i = 0; i < 100 && workers.some(alive); i++) await sleep(100);
  expect(workers.filter(alive)).toEqual([]); // they exit when the IPC channel closes
  const state = JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8'));
  expect(state.search.evaluations).toBe(4); // checkpoint of iteration 0

  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'optimize', '--out', out, '--resume', '--json'], { maxBuffer: 1 << 24 });
  const resumed = JSON.parse(stdout) as OptimizeResult;
  expect(resumed.resumed).toBe(true);
  expect(outcome(journal(out))).toEqual(outcome(journal(refOut)));
  expect(outcome(journal(out, 'baseline-evaluations.jsonl'))).toEqual(outcome(journal(refOut, 'baseline-evaluations.jsonl')));
  expect(resumed.best.index).toBe(reference.best.index);
  expect(resumed.best.config).toEqual(reference.best.config);
  expect(fs.existsSync(path.join(out, 'best', 'model', 'model.json'))).toBe(true);
}, 120000);

test('abort mid-iteration, then resume: finished evaluations are replayed, only those in flight run again', async () => {
  const out = path.join(tmp, 'aborted');
  const controller = new AbortController();
  await expect(
    optimize({
      ...run,
      out,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'evaluation' && e.search === 'search' && e.done === 6) controller.abort();
      },
    }),
  ).rejects.toMatchObject({ code: 'ERR_CANCELLED', message: expect.stringMatching(/resume/) });
  expect(journal(out)).toHaveLength(6); // the killed in-flight evaluations are not recorded
  expect(JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8')).search.evaluations).toBe(4);

  // Evaluations of iteration 1 (4..11) finish in any order on 2 workers: only those not in the journal run again.
  const finished = journal(out).map((x) => x.index);
  const started: number[] = [];
  const resumed = await optimize({ out, resume: true, workers: 2, onProgress: (e) => e.phase === 'evaluation-start' && e.search === 'search' && started.push(e.index) });
  expect(started.sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10, 11].filter((i) => !finished.includes(i)));
  expect(outcome(journal(out))).toEqual(outcome(journal(refOut)));
  expect(resumed.best).toMatchObject({ index: reference.best.index, config: reference.best.config });
  // Options that define the run cannot change on resume.
  await expect(optimize({ out, resume: true, seed: 4 })).rejects.toThrow(/seed 4 differs from the run being resumed/);
}, 120000);

test('a worker killed during an evaluation fails only that evaluation; a replacement takes over', async () => {
  const out = path.join(tmp, 'crash');
  const starts: { index: number; worker: number | string; pid: number }[] = [];
  const r = await optimize({
    demo,
    demoDir,
    fixed,
    population: 4,
    iterations: 1,
    epochsPerEval: 1,
    finalEpochs: 1,
    workers: 2,
    device: 'cpu',
    out,
    onProgress: (e) => {
      if (e.phase !== 'evaluation-start') return;
      starts.push(e);
      if (e.index === 1) process.kill(e.pid, 'SIGKILL');
    },
  });
  const records = outcome(journal(out));
  expect(records.map((x) => x.status)).toEqual(['ok', 'failed', 'ok', 'ok']);
  const failed = journal(out).find((x) => x.index === 1) as EvaluationRecord;
  expect(failed.fitness).toBeNull();
  expect(failed.error).toMatch(/^worker \d \(pid \d+\) was killed by SIGKILL \(out of memory\?.*\) during evaluation 1$/);
  expect(r.failed).toBe(1);
  expect(r.best.index).not.toBe(1);
  const killed = starts.find((s) => s.index === 1) as { worker: number; pid: number };
  const later = starts.filter((s) => s.worker === killed.worker && s.index > 1);
  expect(later.every((s) => s.pid !== killed.pid)).toBe(true);
  expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/Failed evaluations \(1\)[\s\S]*killed by SIGKILL/);
  expect(fs.existsSync(path.join(out, 'best', 'model', 'model.json'))).toBe(true);
}, 60000);

test('--rungs and --folds: halving in the journal, the recipe as evaluation #0, mean UAR over the same folds', async () => {
  const out = path.join(tmp, 'rungs');
  const r = await optimize({ ravdess: demoDir, fixed, algorithm: 'tpe', population: 4, iterations: 2, epochsPerEval: 2, rungs: 2, eta: 2, folds: 2, finalEpochs: 1, workers: 2, device: 'cpu', seed: 3, out });
  const records = journal(out).sort((a, b) => a.index - b.index);
  // Each iteration: 4 candidates for 1 epoch, the best 2 again for 2 epochs.
  expect(records.map((x) => x.epochs)).toEqual([1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 2, 2]);
  expect(records.map((x) => x.rung)).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1]);
  expect(r.epochs).toBe(2 * (8 * 1 + 4 * 2)); // two folds each
  const recipe = recipePoint(fixed).config;
  for (const k of Object.keys(recipe) as (keyof typeof recipe)[]) {
    if (typeof recipe[k] === 'number') expect(records[0].config[k]).toBeCloseTo(recipe[k] as number, 10);
    else expect(records[0].config[k]).toBe(recipe[k]);
  }
  for (const x of records) {
    const folds = x.metrics?.foldUars as number[];
    expect(folds).toHaveLength(2);
    expect(x.metrics?.uar).toBeCloseTo((folds[0] + folds[1]) / 2, 12);
    expect(x.fitness).toBeCloseTo(1 - (x.metrics?.uar as number), 12);
  }
  expect(r.best.epochs).toBe(2);
  expect(r.best.fitness).toBe(Math.min(...records.filter((x) => x.epochs === 2).map((x) => x.fitness as number)));
  const state = JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8'));
  expect(state.folds).toHaveLength(2);
  expect(state.folds.every((f: string) => f.startsWith('speakers:'))).toBe(true);
  expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/Successive halving in every iteration: rungs of 1 \/ 2 epochs/);
}, 180000);

describe('EvaluationPool and the worker entry point', () => {
  const space = runSpace(fixed); // the tiny recipe fixes clipSeconds and the SpecAugment masks
  const job = (index: number, over: Partial<EvaluationJob['config']> = {}): EvaluationJob => ({
    index,
    iteration: 0,
    config: { ...(decode(space, Object.keys(space).map((_, j) => ((j * 7 + index) % 10) / 10 + 0.05)) as unknown as SerHyperParameters), ...over },
    data: { ravdess: [demoDir] },
    fixed,
    seed: 3,
    epochsPerEval: 1,
    device: 'cpu',
  });

  test('an evaluation error is reported with its reason and the worker stays up; a killed worker is replaced', async () => {
    const killedPids: number[] = [];
    let killNext = false;
    const pool = new EvaluationPool({
      workers: 1,
      threads: 1,
      onStart: (e) => {
        if (killNext) {
          killNext = false;
          killedPids.push(e.pid);
          process.kill(e.pid, 'SIGKILL');
        }
      },
    });
    try {
      const first = await pool.run(job(0));
      expect(first.result.fitness).toBeCloseTo(1 - first.result.metrics.uar, 12);
      const bad = await pool.run(job(1, { lr: 0.5 })).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(EvaluationFailure);
      expect(bad).toMatchObject({ crashed: false, worker: 0, message: expect.stringMatching(/config\.lr/) });
      const again = await pool.run(job(2));
      expect(again.pid).toBe(first.pid); // an error is not a crash

      killNext = true;
      const crash = await pool.run(job(3)).catch((e: unknown) => e);
      expect(crash).toMatchObject({ crashed: true, message: expect.stringMatching(/killed by SIGKILL .*during evaluation 3$/) });
      const replaced = await pool.run(job(3));
      expect(killedPids).toEqual([again.pid]);
      expect(replaced.pid).not.toBe(again.pid);

      const controller = new AbortController();
      const aborted = pool.run(job(4), controller.signal);
      setTimeout(() => controller.abort(), 50);
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
      expect((await pool.run(job(4))).result.fitness).toBeGreaterThanOrEqual(0);
    } finally {
      await pool.close();
    }
    expect(pool.pids()).toEqual([]);
  }, 60000);

  test('the worker script runs one job on its own with the same result as in-process at the same thread count', async () => {
    const file = path.join(tmp, 'job.json');
    fs.writeFileSync(file, JSON.stringify(job(5)));
    const env = { ...process.env, SER_NATIVE_THREADS: '1' };
    const { stdout } = await promisify(execFile)(process.execPath, [workerJs, file], { env });
    const alone = JSON.parse(stdout);
    const pool = new EvaluationPool({ workers: 1, threads: 1 });
    try {
      expect((await pool.run(job(5))).result.fitness).toBe(alone.fitness);
    } finally {
      await pool.close();
    }
    await expect(promisify(execFile)(process.execPath, [workerJs, path.join(tmp, 'nope.json')], { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/nope\.json/) });
    // And runEvaluation() validates a job it did not build itself.
    await expect(runEvaluation({ ...job(6), epochsPerEval: 0 })).rejects.toThrow(/job\.epochsPerEval/);
  }, 60000);
});
