// optimize(): the SER hyper-parameter search end to end. Checks the data once, runs the chosen optimizer with
// every iteration's evaluations spread over worker processes, optionally a random-search baseline on the same
// budget, then retrains the best configuration into out/best and writes report.html and result.json.
//
// out/ layout: state.json (settings + optimizer checkpoints, rewritten atomically after every iteration),
// evaluations.jsonl (+ baseline-evaluations.jsonl), best/ (train() outputs, model bundle in best/model),
// report.html, result.json. resume: true continues the run in out/ after a kill or a cancel.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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
import { resolveSettings, resumeSettings, type RunSettings, type SettingsInput } from './settings';
import { configToOverrides, type SerHyperParameters } from './space';
import type { Evaluator, OptimizeProgress, SearchName } from './types';

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
  best: EvaluationRecord;
  baseline: { algorithm: 'random'; evaluations: number; failed: number; best: EvaluationRecord | null } | null;
  final: FinalTraining;
  workers: WorkerPlan;
  device: string;
  files: { state: string; evaluations: string; baseline: string | null; model: string; report: string; result: string };
  seconds: number;
  versions: { package: string; libtorch: string };
}

interface RunState {
  kind: 'ser-native/optimize-run';
  version: 1;
  settings: RunSettings;
  search: MinimizeCheckpoint | null;
  baseline: MinimizeCheckpoint | null;
  final: FinalTraining | null;
}

const OPTION_KEYS = [
  'ravdess', 'savee', 'data', 'labelMap', 'split', 'demo', 'demoDir',
  'algorithm', 'population', 'iterations', 'maxEvals', 'seed', 'epochsPerEval', 'finalEpochs', 'fixed', 'baseline',
  'workers', 'out', 'resume', 'device', 'onProgress', 'signal',
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

/** Checks once, before any worker starts, that the data gives a usable speaker-independent split. */
async function checkData(s: RunSettings, report: (p: OptimizeProgress) => void): Promise<string> {
  report({ phase: 'data', message: 'indexing data' });
  const data = await resolveData(s.data); // also generates the demo corpus once, not in every worker
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

export async function optimize(options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const started = Date.now();
  const o = is.plainObject('options', options) as OptimizeOptions;
  is.knownKeys('options', o as Record<string, unknown>, OPTION_KEYS);
  const report = o.onProgress ?? (() => undefined);
  const device = is.device('device', o.device ?? 'auto');
  if (o.workers !== undefined) is.number('workers', o.workers, { min: 0, integer: true });
  if (o.resume !== undefined) is.boolean('resume', o.resume);

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
  const resumed = o.resume === true;
  if (resumed) {
    if (!fs.existsSync(files.state)) throw new Error(`nothing to resume in ${out}: it has no state.json (run without resume to start a search there)`);
    state = readState(files.state);
    state.settings = resumeSettings(state.settings, o, out);
  } else {
    if (fs.existsSync(files.state)) throw new Error(`${out} already holds an optimize run (state.json): pass resume: true (--resume) to continue it, or choose another out folder`);
    state = { kind: 'ser-native/optimize-run', version: 1, settings: resolveSettings(o), search: null, baseline: null, final: null };
  }
  const s = state.settings;
  const save = (): void => writeJsonAtomic(files.state, state);
  const splitDescription = await checkData(s, report);
  const resolvedDevice = resolveDevice(device);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const plan = planWorkers({ workers: o.workers, device, resolvedDevice, cores, gpus: resolvedDevice.startsWith('cuda') ? info().cuda.deviceCount : 0 });

  let current: SearchName = 'search';
  let pool: EvaluationPool | null = null;
  let evaluate: Evaluator;
  if (plan.workers === 0) {
    evaluate = inProcessEvaluator((index) => report({ phase: 'evaluation-start', search: current, index, worker: 'in-process', pid: process.pid }));
  } else {
    const p = new EvaluationPool({ ...plan, onStart: (e) => report({ phase: 'evaluation-start', search: current, ...e }) });
    pool = p;
    evaluate = async (job, signal) => {
      const r = await p.run(job, signal);
      return { result: r.result, worker: r.worker, seconds: r.seconds };
    };
  }
  save(); // only a run whose settings, data and device check out is saved (and blocks its out folder)

  const makeJob = (config: SerHyperParameters, index: number, iteration: number): EvaluationJob => ({
    index,
    iteration,
    config,
    data: s.data,
    fixed: s.fixed,
    seed: s.seed,
    epochsPerEval: s.epochsPerEval,
    device: resolvedDevice as is.Device,
  });
  const common = {
    population: s.population,
    seed: s.seed,
    evaluate,
    makeJob,
    concurrency: Math.max(1, plan.workers),
    workers: plan.workers,
    threads: plan.threads,
    signal: o.signal,
    onProgress: report,
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
      journal: files.evaluations,
      checkpoint: state.search,
      saveCheckpoint: (c) => {
        state.search = c;
        save();
      },
    });
    if (s.baseline) {
      current = 'baseline';
      // Random search on the same budget: the evaluations the chosen algorithm actually spent.
      baseline = await runSearch({
        ...common,
        name: 'baseline',
        algorithm: 'random',
        iterations: null,
        maxEvals: main.evaluations,
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
  }

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
    optimizeReportHtml({ settings: s, records: main.records, baseline: baseline?.records ?? null, best, finalMetrics: finalTraining.metrics, split: splitDescription, workers: plan, versions }),
  );
  const failed = (rs: readonly EvaluationRecord[]) => rs.filter((r) => r.status === 'failed').length;
  const result: OptimizeResult = {
    out,
    resumed,
    settings: s,
    evaluations: main.evaluations,
    failed: failed(main.records),
    iterations: main.iterations,
    best,
    baseline: baseline ? { algorithm: 'random', evaluations: baseline.evaluations, failed: failed(baseline.records), best: baseline.best } : null,
    final: finalTraining,
    workers: plan,
    device: resolvedDevice,
    files: { state: files.state, evaluations: files.evaluations, baseline: s.baseline ? files.baseline : null, model, report: files.report, result: files.result },
    seconds: (Date.now() - started) / 1000,
    versions,
  };
  writeJsonAtomic(files.result, result);
  return result;
}
