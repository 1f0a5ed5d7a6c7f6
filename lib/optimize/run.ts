// optimize(): the SER hyper-parameter search end to end. Checks the data once, runs the chosen optimizer with
// every iteration's evaluations spread over worker processes, optionally a random-search baseline on the same
// budget, then retrains the best configuration into out/best and writes report.html and result.json.
//
// out/ layout: state.json (settings + optimizer checkpoints, rewritten atomically after every iteration),
// evaluations.jsonl (+ baseline-evaluations.jsonl), best/ (train() outputs, model bundle in best/model),
// report.html, result.json. resume: true continues the run in out/ after a kill or a cancel.
//
// queue: { url, study } evaluates through BullMQ jobs on Redis instead of local worker processes
// (lib/distributed: `ser-native worker` runs them on any machine). Same search, journal, checkpoints and report;
// a restarted coordinator (same study and out folder) continues from state.json without --resume.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { QueueCoordinator } from '../distributed/coordinator';
import { dataDigest, relativeData } from '../distributed/data';
import { checkStudyName, parseQueueUrl } from '../distributed/settings';
import { SerNativeError } from '../errors';
import type { MinimizeCheckpoint } from '../hpo/minimize';
import { info, resolveDevice } from '../info';
import * as is from '../is';
import type { ClassificationReport } from '../metrics';
import { labelsFor, resolveData, splitData, type AudioCache } from '../train/data';
import { train } from '../train/train';
import { writeJsonAtomic, writeTextAtomic, type EvaluationRecord } from './journal';
import { runEvaluation, type EvaluationJob } from './objective';
import { EvaluationFailure, EvaluationPool, planWorkers, type WorkerPlan } from './pool';
import { optimizeReportHtml } from './report';
import { runSearch, type SearchOutcome } from './search';
import { fidelityOf, resolveSettings, resumeSettings, type RunSettings, type SettingsInput } from './settings';
import { configToOverrides, recipePoint, type SerHyperParameters } from './space';
import { tuningFolds } from './folds';
import type { Evaluator, OptimizeProgress, SearchName } from './types';
import { outOption, withRunLock } from '../lock';

/** Queue mode: evaluations become jobs on Redis, run by `ser-native worker` processes on any machine. */
export interface QueueModeOptions {
  /** redis://HOST:PORT[/DB] */
  url: string;
  /** Names the study in Redis and in job ids; a coordinator restarted with the same name continues it. */
  study: string;
  /** The folder data paths are stored relative to (workers map them onto their --data-root); default '.'. */
  dataRoot?: string;
  /** Wall-clock limit of one evaluation on a worker, seconds (default 2 h). */
  evalTimeoutSeconds?: number;
  /** Evaluations of an iteration without a result this long after it started fail (default 6 h). */
  iterationTimeoutSeconds?: number;
  /** Runs of a job whose process died (default 3). */
  attempts?: number;
  /** First retry delay, seconds, doubled each retry (default 10). */
  backoffSeconds?: number;
  /** How often pending jobs are re-read, seconds (default 2; queue events wake it sooner). */
  pollSeconds?: number;
}

export interface OptimizeOptions extends SettingsInput {
  /** Worker processes (default: one per GPU with CUDA, else max(1, floor(cores / 2))); 0 = in this process. */
  workers?: number;
  /** Output folder, default 'ser-optimize'. */
  out?: string;
  /** Continue the run saved in `out` (options that define the run may be omitted; given ones must match). */
  resume?: boolean;
  device?: is.Device;
  onProgress?: (p: OptimizeProgress) => void;
  /** Aborting kills the running evaluations; the run can be resumed from its last completed iteration. */
  signal?: AbortSignal;
  /** Evaluate through a Redis queue instead of local worker processes (then `workers` does not apply). */
  queue?: QueueModeOptions;
}

export interface FinalTraining {
  /** Index of the evaluation whose configuration was retrained. */
  index: number;
  epochs: number;
  metrics: ClassificationReport | null;
  seconds: number;
}

export interface OptimizeResult {
  out: string;
  resumed: boolean;
  settings: RunSettings;
  /** Evaluations spent by the search, and how many of them failed. */
  evaluations: number;
  failed: number;
  iterations: number;
  /** Training epochs the search spent (all rungs and folds). */
  epochs: number;
  best: EvaluationRecord;
  /** The starting recipe's evaluation (evaluation #0) at the highest rung it reached. */
  recipe: EvaluationRecord | null;
  baseline: { algorithm: 'random'; evaluations: number; epochs: number; failed: number; best: EvaluationRecord | null } | null;
  final: FinalTraining;
  workers: WorkerPlan;
  device: string;
  files: { state: string; evaluations: string; baseline: string | null; model: string; report: string; result: string };
  seconds: number;
  versions: { package: string; libtorch: string };
  /** Queue mode only: where the evaluations ran. */
  queue?: { address: string; study: string; added: number; reused: number; found: number; workers: string[] };
}

interface RunState {
  kind: 'ser-native/optimize-run';
  version: 1;
  settings: RunSettings;
  search: MinimizeCheckpoint | null;
  baseline: MinimizeCheckpoint | null;
  final: FinalTraining | null;
  /** Queue mode: the study this out folder belongs to. */
  study?: string;
  /** --folds: the fold split specs, fixed at the start so every candidate (and a resume) uses the same. */
  folds?: string[];
}

const OPTION_KEYS = [
  'ravdess', 'savee', 'data', 'labelMap', 'split', 'demo', 'demoDir',
  'algorithm', 'population', 'iterations', 'maxEvals', 'seed', 'epochsPerEval', 'finalEpochs', 'fixed', 'baseline',
  'rungs', 'eta', 'epochBudget', 'folds', 'warmStart',
  'workers', 'out', 'resume', 'device', 'onProgress', 'signal', 'queue',
];

function readState(file: string): RunState {
  let s: RunState;
  try {
    s = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}; it is not a resumable optimize state`);
  }
  if (s?.kind !== 'ser-native/optimize-run' || s.version !== 1) throw new Error(`${file} is not a version 1 ser-native optimize state`);
  return s;
}

function cancelled(out: string, reason: unknown): SerNativeError {
  return new SerNativeError('ERR_CANCELLED', `optimize was cancelled; finished evaluations are saved in ${out}: continue with resume: true (ser-native optimize --resume --out ${out})`, { cause: reason });
}

function inProcessEvaluator(onStart: (index: number) => void): Evaluator {
  const audioCache: AudioCache = new Map();
  return async (job, signal) => {
    const started = Date.now();
    onStart(job.index);
    try {
      const result = await runEvaluation(job, { audioCache, signal });
      return { result, worker: 'in-process', seconds: (Date.now() - started) / 1000 };
    } catch (e) {
      if (signal?.aborted) throw e;
      const code = (e as { code?: unknown }).code;
      throw new EvaluationFailure((e as Error).message ?? String(e), { worker: 'in-process', pid: process.pid, crashed: false, code: typeof code === 'string' ? code : undefined, seconds: (Date.now() - started) / 1000 });
    }
  };
}

/**
 * Checks once, before any worker starts, that the data gives a usable speaker-independent split; with --folds,
 * makes the folds (or checks the saved ones still apply).
 */
async function checkData(s: RunSettings, report: (p: OptimizeProgress) => void, state: RunState): Promise<string> {
  report({ phase: 'data', message: 'indexing data' });
  const data = await resolveData(s.data); // also generates the demo corpus once, not in every worker
  if (s.folds !== null) {
    state.folds ??= tuningFolds(data, s.data.split ?? 'default', s.folds, s.seed);
    for (const f of state.folds) splitData(data, f, s.seed); // every fold names speakers of this data
    const description = `${s.folds} speaker-grouped tuning folds: ${state.folds.join(' | ')}`;
    report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${description}` });
    return description;
  }
  const split = splitData(data, s.data.split, s.seed);
  if (split.protocol === 'speaker-dependent') {
    throw new SerNativeError('ERR_DATA', `the split '${split.description}' is speaker-dependent; optimize tunes on held-out speakers only: use --split default, speakers:..., kfold:... or loso:...`);
  }
  if (split.validation.length === 0) {
    throw new SerNativeError('ERR_DATA', `the split '${split.description}' has no validation speakers, which the search scores on: give one with --split speakers:<test>/<validation>`);
  }
  labelsFor(split.train, split.validation);
  report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${split.description}` });
  return split.description;
}

/** The starting recipe's evaluation (evaluation 0 of a run) at the highest rung it reached. */
function recipeRecord(records: readonly EvaluationRecord[]): EvaluationRecord | null {
  const first = records.find((r) => r.index === 0);
  if (!first) return null;
  const same = records.filter((r) => r.iteration === 0 && JSON.stringify(r.config) === JSON.stringify(first.config));
  return same.reduce((a, b) => (b.index > a.index ? b : a));
}

/** Runs a search; holds the out folder's lock (lib/lock.ts) while it runs. */
export const optimize = withRunLock('optimize', (o) => outOption(o, 'ser-optimize'), optimizeUnlocked);

async function optimizeUnlocked(options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const started = Date.now();
  const o = is.plainObject('options', options) as OptimizeOptions;
  is.knownKeys('options', o as Record<string, unknown>, OPTION_KEYS);
  const report = o.onProgress ?? (() => undefined);
  const device = is.device('device', o.device ?? 'auto');
  if (o.workers !== undefined) is.number('workers', o.workers, { min: 0, integer: true });
  if (o.resume !== undefined) is.boolean('resume', o.resume);
  const q = o.queue === undefined ? null : (is.plainObject('queue', o.queue) as unknown as QueueModeOptions);
  if (q) {
    is.knownKeys('queue', q as unknown as Record<string, unknown>, ['url', 'study', 'dataRoot', 'evalTimeoutSeconds', 'iterationTimeoutSeconds', 'attempts', 'backoffSeconds', 'pollSeconds']);
    parseQueueUrl(q.url);
    checkStudyName(q.study);
    if (o.workers !== undefined) throw new TypeError('workers applies to local evaluation; with a queue, start `ser-native worker` processes instead');
    for (const k of ['evalTimeoutSeconds', 'iterationTimeoutSeconds', 'backoffSeconds', 'pollSeconds'] as const) if (q[k] !== undefined) is.number(`queue.${k}`, q[k], { min: 0, exclusiveMin: true });
    if (q.attempts !== undefined) is.positiveInteger('queue.attempts', q.attempts);
  }

  const out = path.resolve(o.out ?? 'ser-optimize');
  const files = {
    state: path.join(out, 'state.json'),
    evaluations: path.join(out, 'evaluations.jsonl'),
    baseline: path.join(out, 'baseline-evaluations.jsonl'),
    best: path.join(out, 'best'),
    report: path.join(out, 'report.html'),
    result: path.join(out, 'result.json'),
  };
  let state: RunState;
  // A restarted coordinator continues its study without being told to.
  const resumed = o.resume === true || (q !== null && fs.existsSync(files.state));
  if (resumed) {
    if (!fs.existsSync(files.state)) throw new Error(`nothing to resume in ${out}: it has no state.json (run without resume to start a search there)`);
    state = readState(files.state);
    if ((state.study ?? null) !== (q?.study ?? null)) {
      throw new Error(
        state.study === undefined
          ? `${out} holds a local optimize run: continue it without --queue, or give the study another out folder`
          : `${out} holds the queue study '${state.study}': continue it with --queue ... --study ${state.study}, or use another out folder`,
      );
    }
    state.settings = resumeSettings(state.settings, o, out);
  } else {
    if (fs.existsSync(files.state)) throw new Error(`${out} already holds an optimize run (state.json): pass resume: true (--resume) to continue it, or choose another out folder`);
    state = { kind: 'ser-native/optimize-run', version: 1, settings: resolveSettings(o), search: null, baseline: null, final: null };
    if (q) state.study = q.study;
  }
  const s = state.settings;
  const save = (): void => writeJsonAtomic(files.state, state);
  const splitDescription = await checkData(s, report, state);
  const folds = state.folds ?? null;
  const fidelity = fidelityOf(s);
  // The starting recipe first (so the result is never worse than it on the search's fitness), then a warm start.
  const initial = [recipePoint(s.fixed).config, ...(s.warmStart?.configs ?? [])];
  const resolvedDevice = resolveDevice(device);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const plan = q ? { workers: 0, threads: 0, devices: null } : planWorkers({ workers: o.workers, device, resolvedDevice, cores, gpus: resolvedDevice.startsWith('cuda') ? info().cuda.deviceCount : 0 });

  let current: SearchName = 'search';
  let pool: EvaluationPool | null = null;
  let coordinator: QueueCoordinator | null = null;
  let evaluate: Evaluator;
  if (q) {
    const dataRoot = path.resolve(q.dataRoot ?? '.');
    const relData = relativeData(s.data, dataRoot); // fails early when a data folder is outside the root
    const digest = await dataDigest(s.data, dataRoot);
    const versions = { package: info().version, libtorch: info().libtorch.version };
    const c = await QueueCoordinator.open({
      queue: q.url,
      study: q.study,
      dataRoot,
      dataDigest: digest.digest,
      versions,
      evalTimeoutSeconds: q.evalTimeoutSeconds,
      iterationTimeoutSeconds: q.iterationTimeoutSeconds,
      attempts: q.attempts,
      backoffSeconds: q.backoffSeconds,
      pollSeconds: q.pollSeconds,
      onStart: (e) => report({ phase: 'evaluation-start', search: current, ...e }),
      onNote: (message) => report({ phase: 'note', message }),
    });
    coordinator = c;
    try {
      // What makes two coordinators the same study; maxEvals, finalEpochs and baseline may change on a restart.
      const { algorithm, population, iterations, seed, epochsPerEval, fixed, rungs, eta } = s;
      await c.registerStudy({ algorithm, population, iterations, seed, epochsPerEval, fixed, device, data: relData, dataDigest: digest.digest, versions, ...(rungs > 1 ? { rungs, eta } : {}), ...(folds ? { folds } : {}), ...(s.warmStart ? { initial } : {}) });
    } catch (e) {
      await c.close();
      throw e;
    }
    report({ phase: 'note', message: `queue ${c.address.display}, study ${q.study}: data ${digest.items} items (digest ${digest.digest.slice(0, 12)}) relative to ${dataRoot}` });
    evaluate = (job, signal) => c.evaluate(job, current, signal);
  } else if (plan.workers === 0) {
    evaluate = inProcessEvaluator((index) => report({ phase: 'evaluation-start', search: current, index, worker: 'in-process', pid: process.pid }));
  } else {
    const p = new EvaluationPool({ ...plan, onStart: (e) => report({ phase: 'evaluation-start', search: current, ...e }) });
    pool = p;
    evaluate = async (job, signal) => {
      const r = await p.run(job, signal);
      return { result: r.result, worker: r.worker, seconds: r.seconds };
    };
  }
  try {
    save(); // only a run whose settings, data and device check out is saved (and blocks its out folder)
  } catch (e) {
    await coordinator?.close();
    throw e;
  }

  const makeJob = (config: SerHyperParameters, index: number, iteration: number, epochs: number): EvaluationJob => ({
    index,
    iteration,
    config,
    data: s.data,
    fixed: s.fixed,
    seed: s.seed,
    epochsPerEval: epochs,
    ...(folds ? { splits: folds } : {}),
    // Queue workers resolve the device on their own machine ('auto' picks a GPU slot's device there).
    device: q ? device : (resolvedDevice as is.Device),
  });
  const common = {
    population: s.population,
    seed: s.seed,
    evaluate,
    makeJob,
    // With a queue, every candidate of an iteration is queued at once; the workers decide how many run.
    concurrency: q ? 4 * s.population : Math.max(1, plan.workers),
    etaParallelism: coordinator ? () => Math.max(1, (coordinator as QueueCoordinator).stats.workers.length) : undefined,
    queue: coordinator ? `${coordinator.address.display}, study ${coordinator.study}` : undefined,
    workers: plan.workers,
    threads: plan.threads,
    signal: o.signal,
    onProgress: report,
    fidelity,
    folds: folds?.length ?? 1,
    initial,
  };

  let main: SearchOutcome;
  let baseline: SearchOutcome | null = null;
  try {
    main = await runSearch({
      ...common,
      name: 'search',
      algorithm: s.algorithm,
      iterations: s.iterations,
      maxEvals: s.maxEvals,
      epochBudget: s.epochBudget,
      journal: files.evaluations,
      checkpoint: state.search,
      saveCheckpoint: (c) => {
        state.search = c;
        save();
      },
    });
    if (s.baseline) {
      current = 'baseline';
      // Random search on the same budget: the training epochs the chosen algorithm actually spent, with the same
      // rungs and starting candidates.
      baseline = await runSearch({
        ...common,
        name: 'baseline',
        algorithm: 'random',
        iterations: null,
        maxEvals: null,
        epochBudget: main.epochs,
        journal: files.baseline,
        checkpoint: state.baseline,
        saveCheckpoint: (c) => {
          state.baseline = c;
          save();
        },
      });
    }
  } catch (e) {
    if (o.signal?.aborted) throw cancelled(out, e);
    throw e;
  } finally {
    await pool?.close();
    await coordinator?.close();
  }
  const queueStats = coordinator ? { address: coordinator.address.display, study: coordinator.study, ...coordinator.stats } : null;
  const reportWorkers: WorkerPlan = queueStats ? { workers: queueStats.workers.length, threads: queueStats.threads ?? 0, devices: null } : plan;

  const best = main.best;
  if (!best) {
    const first = main.records.find((r) => r.status === 'failed');
    throw new SerNativeError('ERR_DATA', `all ${main.records.length} evaluations failed, e.g. #${first?.index}: ${first?.error}; see ${files.evaluations}`);
  }

  const model = path.join(files.best, 'model');
  let final = state.final;
  const reusable = final !== null && final.index === best.index && final.epochs === s.finalEpochs && fs.existsSync(path.join(model, 'model.json'));
  if (!reusable) {
    const t = await train({
      ...s.data,
      config: configToOverrides(best.config, s.fixed),
      epochs: s.finalEpochs,
      seed: s.seed,
      device,
      out: files.best,
      signal: o.signal,
      onProgress: (progress) => report({ phase: 'final', epochs: s.finalEpochs, progress }),
    });
    if (t.cancelled) throw cancelled(out, o.signal?.reason);
    final = { index: best.index, epochs: s.finalEpochs, metrics: t.metrics, seconds: t.seconds };
    state.final = final;
    save();
  }
  const finalTraining = final as FinalTraining;

  const versions = { package: info().version, libtorch: info().libtorch.version };
  writeTextAtomic(
    files.report,
    optimizeReportHtml({
      settings: s,
      records: main.records,
      baseline: baseline?.records ?? null,
      best,
      finalMetrics: finalTraining.metrics,
      split: splitDescription,
      workers: reportWorkers,
      versions,
      ...(queueStats ? { queue: { address: queueStats.address, study: queueStats.study } } : {}),
    }),
  );
  const failed = (rs: readonly EvaluationRecord[]) => rs.filter((r) => r.status === 'failed').length;
  const result: OptimizeResult = {
    out,
    resumed,
    settings: s,
    evaluations: main.evaluations,
    failed: failed(main.records),
    iterations: main.iterations,
    epochs: main.epochs,
    best,
    recipe: recipeRecord(main.records),
    baseline: baseline ? { algorithm: 'random', evaluations: baseline.evaluations, epochs: baseline.epochs, failed: failed(baseline.records), best: baseline.best } : null,
    final: finalTraining,
    workers: reportWorkers,
    device: resolvedDevice,
    files: { state: files.state, evaluations: files.evaluations, baseline: s.baseline ? files.baseline : null, model, report: files.report, result: files.result },
    seconds: (Date.now() - started) / 1000,
    versions,
  };
  if (queueStats) {
    const { address, study, added, reused, found, workers } = queueStats;
    result.queue = { address, study, added, reused, found, workers };
  }
  writeJsonAtomic(files.result, result);
  return result;
}
