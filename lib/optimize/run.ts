// optimize(): the SER hyper-parameter search end to end, as a sequence of steps, each in its own module:
// check the options (options.ts), open or resume the run in out/ (run-state.ts), check the data once
// (data-check.ts), pick where evaluations run (evaluators/), run the search and an optional random-search
// baseline on the same budget (search.ts), retrain the best configuration into out/best (final.ts), and write
// report.html and result.json (outputs.ts).
//
// out/ layout: state.json (settings + optimizer checkpoints, rewritten atomically after every iteration),
// evaluations.jsonl (+ baseline-evaluations.jsonl), best/ (train() outputs, model bundle in best/model),
// report.html, result.json. resume: true continues the run in out/ after a kill or a cancel; in queue mode a
// restarted coordinator (same study and out folder) continues from state.json without resume.
import * as os from 'os';
import * as path from 'path';
import { SerNativeError } from '../errors';
import { resolveDevice } from '../device';
import { info } from '../info';
import type * as is from '../is';
import { checkData } from './data-check';
import { openEvaluator, planWorkers, type EvaluatorBackend, type WorkerPlan } from './evaluators';
import { cancelled, finalTraining } from './final';
import type { EvaluationJob } from './objective';
import { checkOptions, type OptimizeOptions } from './options';
import { recipeRecord, writeOutputs, type OptimizeResult } from './outputs';
import { openRunState, runFiles, type OpenedRun, type RunFiles } from './run-state';
import { runSearch, type SearchOutcome } from './search';
import { runRaceSearch, type RaceOutcome } from './race-search';
import type { RaceIteration } from './race-trajectory';
import { recheckBest } from './recheck';
import type { Replicate } from '../hpo/race';
import type { RaceCheckpoint } from '../hpo/race-minimize';
import type { MinimizeCheckpoint } from '../hpo/minimize';
import { fidelityOf } from './settings';
import { recipePoint, runSpace, type SerHyperParameters } from './space';
import type { OptimizeProgress, SearchName } from './types';
import { outOption, withRunLock } from '../lock';

export type { OptimizeOptions } from './options';
export type { OptimizeResult } from './outputs';
export type { FinalTraining } from './run-state';

/** Runs a search; holds the out folder's lock (lib/lock.ts) while it runs. */
export const optimize = withRunLock('optimize', (o) => outOption(o, 'ser-optimize'), optimizeUnlocked);

async function optimizeUnlocked(options?: OptimizeOptions): Promise<OptimizeResult> {
  const started = Date.now();
  const { o, device, queue, report } = checkOptions(options);
  const out = path.resolve(o.out ?? 'ser-optimize');
  const files = runFiles(out);
  const run = openRunState(o, out, queue?.study ?? null);
  const s = run.state.settings;
  const split = await checkData(s, report, run.state);
  const folds = run.state.folds ?? null;
  // The starting recipe first (so the result is never worse than it on the search's fitness), then a warm start.
  const initial = [recipePoint(s.fixed).config, ...(s.warmStart?.configs ?? [])];
  const resolvedDevice = resolveDevice(device);
  const plan = queue ? { workers: 0, threads: 0, devices: null } : localPlan(o.workers, device, resolvedDevice);

  let current: SearchName = 'search';
  // What makes two queue coordinators the same study; maxEvals, finalEpochs, baseline and recheckSeeds may change on
  // a restart. Keys are added only when set, so a study recorded before a key existed still matches.
  const { algorithm, population, iterations, seed, epochsPerEval, fixed, rungs, eta, race } = s;
  const identity = { algorithm, population, iterations, seed, epochsPerEval, fixed, device, ...(rungs > 1 ? { rungs, eta } : {}), ...(folds ? { folds } : {}), ...(s.warmStart ? { initial } : {}), ...(race ? { race } : {}) };
  const evaluator = await openEvaluator({
    plan,
    queue,
    data: s.data,
    identity,
    population: s.population,
    search: () => current,
    onStart: (e) => report({ phase: 'evaluation-start', search: current, ...e }),
    onNote: (message) => report({ phase: 'note', message }),
  });
  let searches: { main: SearchOutcome | RaceOutcome; baseline: SearchOutcome | null };
  try {
    run.save(); // only a run whose settings, data and device check out is saved (and blocks its out folder)
    // Queue workers resolve the device on their own machine ('auto' picks a GPU slot's device there).
    const jobDevice = queue ? device : (resolvedDevice as is.Device);
    searches = await search(run, files, evaluator, plan, jobDevice, { folds, initial }, o, report, (name) => (current = name));
  } catch (e) {
    if (o.signal?.aborted) throw cancelled(out, e);
    throw e;
  } finally {
    await evaluator.close();
  }

  const { main, baseline } = searches;
  const best = main.best;
  if (!best) {
    const first = main.records.find((r) => r.status === 'failed');
    throw new SerNativeError('ERR_DATA', `all ${main.records.length} evaluations failed, e.g. #${first?.index}: ${first?.error}; see ${files.evaluations}`);
  }
  let recheck = run.state.recheck ?? null;
  let recheckQueue: OptimizeResult['queue'] | null = null;
  // A saved recheck stands unless the best changed or a resume asked for another number of seeds.
  if (s.recheckSeeds > 0 && (recheck === null || recheck.index !== best.index || recheck.seeds.length !== s.recheckSeeds)) {
    report({ phase: 'data', message: `rechecking #${best.index} against the starting recipe on ${s.recheckSeeds} fresh seed(s)${run.state.recheckFolds ? ` × ${run.state.recheckFolds.length} fresh folds` : ''}` });
    // The study's own identity: in queue mode the recheck's jobs belong to the study (ids STUDY/recheck/...).
    const evaluator2 = await openEvaluator({ plan, queue, data: s.data, identity, population: s.population, search: () => 'recheck', onStart: () => undefined, onNote: (message) => report({ phase: 'note', message }) });
    try {
      // The search trained the recipe as its point in the unit cube decodes (a float may differ in the last bit):
      // a best that is that point is the recipe, rechecked as such (so each replicate trains once).
      const recipeConfig = recipeRecord(main.records)?.config;
      recheck = await recheckBest({
        index: best.index,
        best: recipeConfig && JSON.stringify(recipeConfig) === JSON.stringify(best.config) ? initial[0] : best.config,
        recipe: initial[0],
        seed: s.seed,
        seeds: s.recheckSeeds,
        folds: run.state.recheckFolds ?? null,
        epochs: s.epochsPerEval,
        evaluate: evaluator2.evaluate,
        makeJob: (config, epochs, rep, split, index) => ({ index, iteration: 0, config, data: split ? { ...s.data, split } : s.data, fixed: s.fixed, seed: rep.seed, epochsPerEval: epochs, device: queue ? device : (resolvedDevice as is.Device) }),
        signal: o.signal,
      });
    } catch (e) {
      if (o.signal?.aborted) throw cancelled(out, e);
      throw e;
    } finally {
      await evaluator2.close();
      recheckQueue = evaluator2.queueStats?.() ?? null;
    }
    run.state.recheck = recheck;
    run.save();
  }
  const final = await finalTraining(run, best, { files, out, device, signal: o.signal, report });
  return writeOutputs({
    out,
    files,
    resumed: run.resumed,
    settings: s,
    split,
    main,
    best,
    baseline,
    final,
    recheck,
    race: 'trajectory' in main ? { incumbent: { index: best.index, level: main.incumbent?.level ?? 0, since: main.incumbent?.since ?? 0 }, iterations: main.trajectory } : null,
    workers: evaluator.workers(),
    queue: sumQueueStats(evaluator.queueStats?.() ?? null, recheckQueue),
    device: resolvedDevice,
    started,
  });
}

/** Queue mode: the search's jobs and the recheck's together (two coordinators of one study). */
function sumQueueStats(a: OptimizeResult['queue'] | null, b: OptimizeResult['queue'] | null): OptimizeResult['queue'] | null {
  if (!a || !b) return a ?? b;
  return { ...a, added: a.added + b.added, reused: a.reused + b.reused, found: a.found + b.found, workers: [...new Set([...a.workers, ...b.workers])].sort() };
}

/** Local mode: worker processes, threads and devices for this machine. */
function localPlan(workers: number | undefined, device: is.Device, resolvedDevice: string): WorkerPlan {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return planWorkers({ workers, device, resolvedDevice, cores, gpus: resolvedDevice.startsWith('cuda') ? info().cuda.deviceCount : 0 });
}

/**
 * The chosen algorithm's search, then the random-search baseline on the training epochs it actually spent, with
 * the same rungs and starting candidates.
 */
async function search(
  run: OpenedRun,
  files: RunFiles,
  evaluator: EvaluatorBackend,
  plan: WorkerPlan,
  device: is.Device,
  start: { folds: string[] | null; initial: SerHyperParameters[] },
  o: OptimizeOptions,
  report: (p: OptimizeProgress) => void,
  setCurrent: (name: SearchName) => void,
): Promise<{ main: SearchOutcome | RaceOutcome; baseline: SearchOutcome | null }> {
  const { state, save } = run;
  const s = state.settings;
  const { folds, initial } = start;
  const makeJob = (config: SerHyperParameters, index: number, iteration: number, epochs: number): EvaluationJob => ({
    index,
    iteration,
    config,
    data: s.data,
    fixed: s.fixed,
    seed: s.seed,
    epochsPerEval: epochs,
    ...(folds ? { splits: folds } : {}),
    device,
  });
  const raceJob = (config: SerHyperParameters, index: number, iteration: number, epochs: number, rep: Replicate): EvaluationJob => ({
    index,
    iteration,
    config,
    data: folds ? { ...s.data, split: folds[rep.fold] } : s.data,
    fixed: s.fixed,
    seed: rep.seed,
    epochsPerEval: epochs,
    device,
  });
  const common = {
    population: s.population,
    seed: s.seed,
    evaluate: evaluator.evaluate,
    makeJob,
    concurrency: evaluator.concurrency,
    etaParallelism: evaluator.etaParallelism,
    queue: evaluator.label,
    workers: plan.workers,
    threads: plan.threads,
    signal: o.signal,
    onProgress: report,
    fidelity: fidelityOf(s),
    folds: folds?.length ?? 1,
    initial,
    space: runSpace(s.fixed),
  };
  // The search and its random baseline differ only in these; each saves its own checkpoint in the run state.
  const phase = (name: SearchName, algorithm: typeof s.algorithm | 'random', limits: { iterations: number | null; maxEvals: number | null; epochBudget: number | null }, journal: string) => {
    const saveCheckpoint = (c: MinimizeCheckpoint | RaceCheckpoint) => {
      state[name] = c;
      save();
    };
    if (s.race) {
      const saveRace = (c: RaceCheckpoint, trajectory: RaceIteration[]) => {
        state.raceTrajectory = { ...state.raceTrajectory, [name]: trajectory };
        saveCheckpoint(c);
      };
      const trajectory = state.raceTrajectory?.[name] ?? [];
      // Every evaluation is one training (one fold): the epoch budget is the race's budget as it is.
      return runRaceSearch({ ...common, name, algorithm, ...limits, seeds: s.race.seeds, z: s.race.z, folds: folds?.length ?? 1, journal, checkpoint: state[name] as RaceCheckpoint | null, trajectory, saveCheckpoint: saveRace, makeJob: raceJob });
    }
    return runSearch({ ...common, name, algorithm, ...limits, journal, checkpoint: state[name] as MinimizeCheckpoint | null, saveCheckpoint });
  };
  const main = await phase('search', s.algorithm, { iterations: s.iterations, maxEvals: s.maxEvals, epochBudget: s.epochBudget }, files.evaluations);
  if (!s.baseline) return { main, baseline: null };
  setCurrent('baseline');
  // The baseline gets the search's spent epochs as its budget.
  const baseline = await phase('baseline', 'random', { iterations: null, maxEvals: null, epochBudget: main.epochs }, files.baseline);
  return { main, baseline };
}
