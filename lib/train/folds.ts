// trainFolds(): a speaker-grouped K-fold over the training speakers, one train() per fold, then
//  - out-of-fold scores: every training speaker predicted by the fold model that never heard it
//    (UAR over all of them, and per fold with mean ± std);
//  - a temperature fitted on those out-of-fold predictions (calibration);
//  - the ensemble bundle (probabilities averaged), scored on the held-out validation speakers of the
//    split when there are any: by default the K fold models; with `members: M`, M models trained on
//    every pool speaker (other seeds, the fold pass's median best epoch as their epoch count, no
//    validation), so no shipped member misses a third of the speakers. The bundle records which
//    speakers each member heard.
// Each fold's train() uses the fold's speakers as its validation set (early stopping and the best
// epoch are chosen on them), so out-of-fold figures carry that selection; the held-out validation
// figures of the ensemble do not.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DatasetItem, SplitSpec } from '../dataset';
import { makeSplit } from '../dataset/splits';
import { SerNativeError } from '../errors';
import { info } from '../info';
import { deriveSeed } from '../random';
import * as is from '../is';
import { argmax, classificationReport, ClassificationReport, Protocol } from '../metrics';
import { meanStd } from '../metrics/summary';
import { applyTemperature, calibrationReport, CalibrationReport, crossFitTemperature, fitTemperature } from '../metrics/calibration';
import { Calibration, Member, modelJsonPath, readBundle, saveBundle } from '../model/bundle';
import { resolveTrainConfig, TrainConfig } from '../model/config';
import { loadModel } from '../model/model';
import { speakerStats } from '../model/speaker-stats';
import { renderFoldsReport } from './folds-report';
import { AudioCache, loadAudio, resolveData, ResolvedData, splitData } from './data';
import type { TrainOptions, TrainProgress } from './train';
import { runTrainJob, type TrainJob, type TrainJobResult } from './train-worker';
import { ProcessPool, threadShare, workerScript } from '../process-pool';
import { outOption, withRunLock } from '../lock';
import { foldTeachers, openTeacher } from './teacher';
import { openTrainQueue, validateTrainQueue, type TrainQueueOptions } from './queue/runner';

export interface FoldsOptions extends Omit<TrainOptions, 'onProgress' | 'split'> {
  /** Number of speaker-grouped folds (≥ 2). */
  folds: number;
  /**
   * The split whose validation (and test) speakers are held out of every fold and score the
   * ensemble; 'all' holds out nobody (every speaker is in the folds). Default 'default'.
   */
  split?: string | SplitSpec;
  /** Element type of the ensemble's weights.bin (float16 halves it). Default float32. */
  dtype?: 'float32' | 'float16';
  /**
   * Full-data members: after the fold pass, train M models on every pool speaker and ship them as the
   * ensemble instead of the K fold models (0, the default: the fold models are the ensemble).
   */
  members?: number;
  /**
   * Only these corpora's speakers go into the folds (and the out-of-fold figures); speakers of the
   * other corpora given train in every fold (e.g. nEMO added for more voices, judged on RAVDESS and
   * SAVEE). Default: every corpus.
   */
  foldCorpora?: string[];
  /** Epochs of each full-data member (default: the median best epoch of the fold pass). */
  memberEpochs?: number;
  /**
   * Worker processes that train the folds and members side by side (lib/process-pool.ts, each with
   * an equal share of the cores as its LibTorch threads, SER_NATIVE_THREADS a ceiling); 0 (the
   * default) trains them one after another in this process.
   */
  workers?: number;
  /**
   * Train the folds and members on `ser-native worker` processes of any machine, through the Redis queue at this
   * address (redis://HOST:PORT[/DB]; or { url, dataRoot, timeoutSeconds, attempts, ... }): each training is a
   * queue job, and its run folder (the bundle, history.jsonl, metrics.json, report.html) comes back through
   * Redis into `out/folds` and `out/members`. Data folders are sent relative to `dataRoot` (default '.'), which
   * must hold them all; workers resolve them against their --data-root and refuse the job if their data differs.
   * Not with `workers` (the workers' own slots decide) nor `teacher`.
   */
  queue?: string | TrainQueueOptions;
  /**
   * Distillation with fold-wise teachers: `teacher` is the out folder of an earlier trainFolds run
   * over the same folds; fold i learns from its fold-i model (which never heard fold i's speakers,
   * so the out-of-fold figures stay honest) and full-data members from its shipped ensemble.
   */
  teacherFolds?: boolean;
  /** Extra fields recorded in the bundle (e.g. the default model's recipe and data digest). */
  record?: { licence?: string; training?: Record<string, unknown> };
  /** Progress of each training: `fold` of `folds` in the fold pass; then `member` of `members` (fold 0). */
  onProgress?: (p: TrainProgress & { fold: number; folds: number; member?: number; members?: number }) => void;
}

/** One shipped member: its seed, epochs and the speakers it heard. */
export interface MemberSummary {
  name: string;
  seed: number;
  epochs: number;
  speakers: string[];
}

export interface FoldSummary {
  fold: number;
  /** The fold's held-out (out-of-fold) speakers, and how many clips they have. */
  speakers: string[];
  n: number;
  bestEpoch: number;
  epochsRun: number;
  /** UAR of this fold's model on its own held-out speakers. */
  uar: number;
}

export interface FoldsResult {
  labels: string[];
  config: TrainConfig;
  folds: FoldSummary[];
  outOfFold: {
    /** All training speakers, each predicted by the model that never heard them (calibrated probabilities). */
    report: ClassificationReport;
    perCorpus: Record<string, ClassificationReport>;
    uarMean: number;
    /** Sample standard deviation (n − 1) of the per-fold UARs. */
    uarStd: number;
    calibration: { before: CalibrationReport; after: CalibrationReport };
  };
  /** The ensemble on the split's held-out validation speakers (null with split 'all'). */
  validation: {
    report: ClassificationReport;
    perCorpus: Record<string, ClassificationReport>;
    /** With speakerNorm > 0: UAR with each held-out speaker's statistics from all of their clips. */
    adapted?: { uar: number; perCorpus: Record<string, number> };
    /** after: leave-one-speaker-out at the ensemble's own temperature when crossFitted (≥ 2 speakers), else at the out-of-fold one. */
    calibration: { before: CalibrationReport; after: CalibrationReport; crossFitted: boolean; oofTemperature: { temperature: number; ece: number } };
  } | null;
  calibration: Calibration;
  /** The shipped members when `members` > 0 (else the fold models are the ensemble). */
  members: MemberSummary[] | null;
  /** Figures for info and the model card. */
  summary: Record<string, unknown>;
  skipped: { path: string; reason: string }[];
  cancelled: boolean;
  out: string | null;
  seconds: number;
}

/** The training pool (everyone but the split's validation and test speakers) and the held-out items. */
export function foldPool(data: ResolvedData, split: string | SplitSpec | undefined, seed: number): { pool: DatasetItem[]; held: DatasetItem[]; description: string } {
  if (split === 'all') return { pool: data.items, held: [], description: 'all speakers in the folds (no held-out validation)' };
  const base = splitData(data, split ?? 'default', seed);
  if (base.protocol === 'speaker-dependent') throw new SerNativeError('ERR_DATA', `--folds needs a speaker-independent --split (or 'all'), not '${base.description}'`);
  const out = new Set([...base.speakers.validation, ...base.speakers.test]);
  return { pool: data.items.filter((i) => !out.has(i.speaker)), held: base.validation, description: base.description };
}

/**
 * Out-of-fold figures with speaker adaptation: every held-out speaker normalised with the statistics
 * of all of their clips (lib/model/speaker-stats.ts), at the temperature fitted on the lone clips.
 */
function adaptedFigures(probs: number[], yTrue: number[], fold: number[], items: DatasetItem[], temperature: number, labels: string[], k: number, protocol: Protocol) {
  const K = labels.length;
  const yPred = argmax(applyTemperature(probs, K, temperature), K);
  const p: Protocol = { ...protocol, description: `${protocol.description}; each speaker normalised with their own clips' statistics (adapted)` };
  const perFold = Array.from({ length: k }, (_, f) => {
    const idx = fold.map((x, i) => (x === f ? i : -1)).filter((i) => i >= 0);
    return classificationReport(idx.map((i) => yTrue[i]), idx.map((i) => yPred[i]), labels, p).uar;
  });
  const report = classificationReport(yTrue, yPred, labels, p);
  return { perFold, ...meanStd(perFold), pooled: report.uar, perCorpus: Object.fromEntries(Object.entries(perCorpus(items, yTrue, yPred, labels, p)).map(([c, r]) => [c, r.uar])), ece: calibrationReport(applyTemperature(probs, K, temperature), yTrue, K).ece };
}

function perCorpus(items: DatasetItem[], yTrue: number[], yPred: number[], labels: string[], protocol: Protocol): Record<string, ClassificationReport> {
  const corpora = [...new Set(items.map((i) => i.corpus))];
  if (corpora.length < 2) return {};
  const out: Record<string, ClassificationReport> = {};
  for (const c of corpora) {
    const idx = items.map((it, i) => (it.corpus === c ? i : -1)).filter((i) => i >= 0);
    out[c] = classificationReport(idx.map((i) => yTrue[i]), idx.map((i) => yPred[i]), labels, { ...protocol, description: `${protocol.description} (${c} only)` });
  }
  return out;
}

/** Runs one training job (a fold or a member) and reports its progress; close() ends the worker processes (or the queue connection). */
type TrainRunner = ((job: TrainJob, onProgress: (p: TrainProgress) => void) => Promise<TrainJobResult>) & { close(): Promise<void> };

/** In this process (workers 0), or on a pool of worker processes running lib/train/train-worker.ts. */
function trainRunner(workers: number, cache: AudioCache, signal?: AbortSignal): TrainRunner {
  if (workers === 0) {
    // One at a time: jobs that start together queue here, so progress and memory stay those of one run;
    // after a failure the queued jobs fail with it instead of training for nobody.
    let chain: Promise<unknown> = Promise.resolve();
    const run = (job: TrainJob, onProgress: (p: TrainProgress) => void) => {
      const next = chain.then(() => runTrainJob(job, cache, { onProgress, signal }));
      chain = next;
      return next;
    };
    return Object.assign(run, { close: async () => undefined });
  }
  const pool = new ProcessPool<TrainJob, TrainJobResult>({ workers, threads: threadShare(workers), script: trainWorkerScript(), describe: (job) => job.label });
  const run = async (job: TrainJob) => (await pool.run(job, signal)).result;
  return Object.assign(run, { close: () => pool.close() });
}

/** The compiled train-worker entry point (lib/train/train-worker.ts). */
export function trainWorkerScript(): string {
  return workerScript(__filename, 'lib/train/train-worker.js');
}

const MEMBER_SEED_TAG = 0x6d656d; // 'mem': full-data members' seeds, apart from the fold models' run seed

/** The fold pass's median best epoch (at least 1): how long a full-data member trains. */
export function medianEpoch(results: { bestEpoch: number }[]): number {
  const e = results.map((r) => r.bestEpoch).sort((a, b) => a - b);
  const mid = e.length >> 1;
  return Math.max(1, Math.round(e.length % 2 ? e[mid] : (e[mid - 1] + e[mid]) / 2));
}

/** K-fold training; with `out`, holds that folder's lock (lib/lock.ts) while it runs. */
export const trainFolds: (options: FoldsOptions) => Promise<FoldsResult> = withRunLock('train --folds', (o?: FoldsOptions) => outOption(o), (o?: FoldsOptions) => trainFoldsUnlocked(o as FoldsOptions));

async function trainFoldsUnlocked(options: FoldsOptions): Promise<FoldsResult> {
  const started = Date.now();
  const o = is.plainObject('options', options) as unknown as FoldsOptions;
  const k = is.number('options.folds', o.folds, { min: 2, max: 50, integer: true });
  const m = o.members === undefined ? 0 : is.number('options.members', o.members, { min: 0, max: 50, integer: true });
  if (o.workers !== undefined) is.number('options.workers', o.workers, { min: 0, max: 64, integer: true });
  const queue = o.queue === undefined ? null : validateTrainQueue(o.queue);
  if (queue && o.workers !== undefined) throw is.invalidArgument('options.workers and options.queue do not go together: with a queue, each `ser-native worker` decides how many trainings it runs at once (--cpu-slots)');
  if (queue && o.teacher !== undefined) throw is.invalidArgument('options.teacher and options.queue do not go together yet: queue workers cannot read the teacher folder of this machine (train the distilled ensemble without options.queue)');
  if (o.foldCorpora !== undefined && (!Array.isArray(o.foldCorpora) || o.foldCorpora.length === 0 || o.foldCorpora.some((c) => typeof c !== 'string' || c === ''))) throw is.invalidParameterError('options.foldCorpora', 'a non-empty array of corpus names (e.g. ravdess, savee)', o.foldCorpora);
  if (o.memberEpochs !== undefined) is.positiveInteger('options.memberEpochs', o.memberEpochs);
  if (o.teacherFolds !== undefined && typeof o.teacherFolds !== 'boolean') throw is.invalidParameterError('options.teacherFolds', 'a boolean', o.teacherFolds);
  if (o.teacherFolds && o.teacher === undefined) throw is.invalidArgument('options.teacherFolds needs options.teacher: the out folder of a `train --folds` run over the same folds');
  const dtype = is.oneOf('options.dtype', o.dtype ?? 'float32', ['float32', 'float16'] as const);
  const config = resolveTrainConfig({ ...(o.config === undefined ? {} : is.plainObject('config', o.config)), ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) });
  // Distillation: every fold and member learns from the same teacher (each train() scores its own
  // clips); loaded here once only so that a bad teacher fails before the fold pass.
  const teacher = openTeacher(o, config.features, o.device ?? 'cpu') !== null;
  const report = o.onProgress ?? (() => undefined);
  const sr = config.features.logMel.sampleRate;

  const data = await resolveData(o);
  const { pool, held, description } = foldPool(data, o.split, config.seed);
  const inPool = new Set(pool.map((i) => i.path));
  const duplicates = data.duplicates.map((g) => ({ ...g, paths: g.paths.filter((p) => inPool.has(p)) })).filter((g) => g.paths.length > 1);
  const heldSpeakers = [...new Set(held.map((i) => i.speaker))].sort();
  // With foldCorpora, only those corpora's speakers are in the folds (and scored out of fold); the rest always train.
  const folded = o.foldCorpora ? pool.filter((i) => o.foldCorpora!.includes(i.corpus)) : pool;
  if (folded.length === 0) throw new SerNativeError('ERR_DATA', `no speaker of ${o.foldCorpora!.join(', ')} (options.foldCorpora) is in the training pool; the corpora present are ${[...new Set(pool.map((i) => i.corpus))].join(', ')}`);
  const foldSpeakers = Array.from({ length: k }, (_, fold) => makeSplit({ items: folded, duplicates }, { mode: 'kfold', k, fold }, { seed: config.seed }).speakers.test);
  const teachers = o.teacherFolds ? foldTeachers(o.teacher!, foldSpeakers) : null;

  const scratch = o.out ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'ser-folds-'));
  const root = path.resolve(o.out ?? scratch!);
  const cache: AudioCache = o.audioCache ?? new Map();
  let run: TrainRunner | null = null;
  const { folds: _k, dtype: _d, record: _r, onProgress: _p, split: _s, out: _o, epochs: _e, seed: _seed, members: _m, memberEpochs: _me, workers: _w, queue: _q, foldCorpora: _fc, signal: _sig, audioCache: _c, teacherFolds: _tf, ...dataOptions } = o;
  try {
    const oofItems: DatasetItem[] = [];
    const oofProbs: number[] = [];
    // With speaker normalisation, also each held-out speaker with their own statistics (adapted).
    const adapt = config.features.speakerNorm > 0;
    const oofAdapted: number[] = [];
    const oofFold: number[] = [];
    let labels: string[] = [];
    // The fold pass: K trainings, in this process or on worker processes (options.workers).
    const runner = (run = queue
      ? await openTrainQueue({ queue, data: dataOptions, signal: o.signal, onNote: (message) => report({ phase: 'data', message, fold: 0, folds: k }) })
      : trainRunner(o.workers ?? 0, cache, o.signal));
    const results = await Promise.all(
      foldSpeakers.map((speakers, fold) =>
        runner(
          { label: `fold ${fold + 1}/${k}`, options: { ...dataOptions, ...(teachers ? { teacher: teachers.folds[fold] } : {}), config, split: { mode: 'speakers', test: heldSpeakers, validation: speakers }, out: path.join(root, 'folds', `fold-${fold + 1}`) } },
          (p) => report({ ...p, fold: fold + 1, folds: k }),
        ),
      ),
    );
    const cut = results.findIndex((r) => r.cancelled || r.bestEpoch < 1);
    if (cut >= 0) {
      throw new SerNativeError('ERR_CANCELLED', `trainFolds stopped in fold ${cut + 1} of ${k}; the finished folds are in ${path.join(root, 'folds')}`);
    }
    labels = results[0].labels;
    results.forEach((r, fold) => {
      if (r.labels.join() !== labels.join()) throw new SerNativeError('ERR_DATA', `fold ${fold + 1} has the labels ${r.labels.join(', ')} but fold 1 has ${labels.join(', ')}; every fold must see every class (use fewer folds or --label-map)`);
    });
    for (let fold = 0; fold < k; fold++) {
      // Out-of-fold: this fold's model on its held-out speakers (uncalibrated; the temperature is fitted on these).
      const items = pool.filter((i) => foldSpeakers[fold].includes(i.speaker) && labels.includes(i.emotion));
      const audio = loadAudio(items, sr, undefined, cache);
      const model = loadModel(path.join(root, 'folds', `fold-${fold + 1}`, 'model'), { device: o.device ?? 'cpu' });
      const probs = await model.probabilitiesAsync(audio.clips, { calibrated: false });
      if (adapt) {
        const { perClip } = speakerStats(audio.clips, audio.items.map((i) => i.speaker), config.features, o.device ?? 'cpu');
        oofAdapted.push(...(await model.probabilitiesAsync(audio.clips, { calibrated: false, stats: perClip })));
      }
      oofItems.push(...audio.items);
      oofProbs.push(...probs);
      oofFold.push(...audio.items.map(() => fold));
    }
    /** M members on every pool speaker (held-out speakers stay out), each with its own seed, no validation. */
    const trainMembers = async (count: number, epochs: number, held: string[], speakers: string[]): Promise<MemberSummary[]> => {
      const split: SplitSpec = held.length ? { mode: 'speakers', test: held } : { mode: 'all' };
      const plan = Array.from({ length: count }, (_, j) => ({ name: `member-${j + 1}`, seed: deriveSeed(config.seed, MEMBER_SEED_TAG, j), epochs, speakers }));
      const done = await Promise.all(
        plan.map((mb, j) =>
          runner(
            { label: `member ${j + 1}/${count}`, options: { ...dataOptions, ...(teachers ? { teacher: teachers.members } : {}), config: { ...config, epochs, seed: mb.seed }, split, validation: 'none', out: path.join(root, 'members', mb.name) } },
            (p) => report({ ...p, fold: 0, folds: k, member: j + 1, members: count }),
          ),
        ),
      );
      const stopped = done.findIndex((r) => r.cancelled);
      if (stopped >= 0) throw new SerNativeError('ERR_CANCELLED', `trainFolds stopped in member ${stopped + 1} of ${count}; the fold pass is in ${path.join(root, 'folds')}`);
      return plan;
    };

    const K = labels.length;
    const yTrue = oofItems.map((i) => labels.indexOf(i.emotion));
    const fit = fitTemperature(oofProbs, yTrue, K);
    const calibrated = applyTemperature(oofProbs, K, fit.temperature);
    const yPred = argmax(calibrated, K);
    const trainSpeakers = [...new Set(pool.map((i) => i.speaker))].sort();
    const scoredSpeakers = [...new Set(folded.map((i) => i.speaker))].sort();
    const oofProtocol: Protocol = {
      name: 'speaker-independent',
      description: `out-of-fold over ${scoredSpeakers.length} training speakers in ${k} speaker-grouped folds: each speaker scored by the fold model that never heard them${scoredSpeakers.length < trainSpeakers.length ? ` (${trainSpeakers.length - scoredSpeakers.length} more speakers of other corpora in every fold's training)` : ''}`,
      // Every speaker is both trained on (by the other folds' models) and scored: no train list here.
      testSpeakers: scoredSpeakers,
    };
    const folds: FoldSummary[] = results.map((r, fold) => {
      const idx = oofFold.map((f, i) => (f === fold ? i : -1)).filter((i) => i >= 0);
      const uar = classificationReport(idx.map((i) => yTrue[i]), idx.map((i) => yPred[i]), labels, oofProtocol).uar;
      return { fold: fold + 1, speakers: foldSpeakers[fold], n: idx.length, bestEpoch: r.bestEpoch, epochsRun: r.epochsRun, uar };
    });
    const { mean, std } = meanStd(folds.map((f) => f.uar));
    const adapted = adapt ? adaptedFigures(oofAdapted, yTrue, oofFold, oofItems, fit.temperature, labels, k, oofProtocol) : null;
    const outOfFold = {
      report: classificationReport(yTrue, yPred, labels, oofProtocol),
      perCorpus: perCorpus(oofItems, yTrue, yPred, labels, oofProtocol),
      uarMean: mean,
      uarStd: std,
      calibration: { before: calibrationReport(oofProbs, yTrue, K), after: calibrationReport(calibrated, yTrue, K) },
    };
    let calibration: Calibration = {
      method: 'temperature',
      temperature: fit.temperature,
      fittedOn: `out-of-fold predictions of ${k} fold models (${oofItems.length} clips)`,
      n: oofItems.length,
      nllBefore: fit.nllBefore,
      nllAfter: fit.nllAfter,
      eceBefore: outOfFold.calibration.before.ece,
      eceAfter: outOfFold.calibration.after.ece,
    };

    // The ensemble bundle: the K fold models, or M models trained on every pool speaker.
    const full = m > 0 ? await trainMembers(m, o.memberEpochs ?? medianEpoch(results), heldSpeakers, trainSpeakers) : null;
    const members: Member[] = full
      ? full.map((s) => ({ name: s.name, architecture: config.architecture, state: readBundle(path.join(root, 'members', s.name, 'model')).state }))
      : results.map((_, fold) => {
          const b = readBundle(path.join(root, 'folds', `fold-${fold + 1}`, 'model'));
          return { name: `fold-${fold + 1}`, architecture: b.meta.architecture, state: b.state };
        });
    const versions = { package: info().version, libtorch: info().libtorch.version };
    const training = {
      config,
      folds: folds.map((f) => ({ fold: f.fold, speakers: f.speakers, bestEpoch: f.bestEpoch, epochsRun: f.epochsRun })),
      // Which speakers each shipped member heard (fold models: the pool minus their fold).
      members: full ?? folds.map((f) => ({ name: `fold-${f.fold}`, seed: config.seed, epochs: f.bestEpoch, speakers: trainSpeakers.filter((sp) => !f.speakers.includes(sp)) })),
      split: { description, heldOut: heldSpeakers, train: { n: pool.length, speakers: trainSpeakers } },
      protocol: oofProtocol,
      // The teacher as each member's train() recorded it (path, weight, its labels).
      ...(teacher ? { teacher: JSON.parse(fs.readFileSync(modelJsonPath(path.join(root, full ? 'members' : 'folds', full ? full[0].name : 'fold-1', 'model')), 'utf8')).training?.teacher } : {}),
      // Fold-wise teachers: each fold model learnt from the teacher run's model of the same fold.
      ...(teachers ? { teacherFolds: { run: o.teacher, folds: teachers.folds, members: teachers.members } } : {}),
      ...(o.record?.training ?? {}),
    };
    const bundleDir = path.join(root, 'model');
    const meta = { labels, features: config.features, architecture: config.architecture, calibration, training, versions, ...(o.record?.licence ? { licence: o.record.licence } : {}) };
    saveBundle(bundleDir, { ...meta, metrics: { partial: true } }, members, { dtype });

    let validation: FoldsResult['validation'] = null;
    const skipped = [...data.skipped];
    if (held.length > 0) {
      const items = held.filter((i) => labels.includes(i.emotion));
      const audio = loadAudio(items, sr, undefined, cache);
      skipped.push(...audio.skipped);
      const ensemble = loadModel(bundleDir, { device: o.device ?? 'cpu' });
      const raw = await ensemble.probabilitiesAsync(audio.clips, { calibrated: false });
      const y = audio.items.map((i) => labels.indexOf(i.emotion));
      const pred = argmax(raw, K);
      const speakers = [...new Set(audio.items.map((i) => i.speaker))].sort();
      const what = full ? `${full.length} full-data members` : `${k} fold models`;
      const protocol: Protocol = { name: 'speaker-independent', description: `ensemble of ${what} on ${speakers.length} held-out validation speakers (${description})`, trainSpeakers, testSpeakers: speakers };
      // The out-of-fold temperature belongs to single fold models; an average of members is less
      // sure of itself, so the shipped ensemble gets its own temperature, fitted on its held-out
      // predictions, and its ECE is judged leave-one-speaker-out (never on the clips it was fitted on).
      const oofTemperature = { temperature: fit.temperature, ece: calibrationReport(applyTemperature(raw, K, fit.temperature), y, K).ece };
      const xfit = speakers.length >= 2 ? crossFitTemperature(raw, y, K, audio.items.map((i) => i.speaker)) : null;
      // A model that adapts: the same speakers, each normalised with the statistics of all of their clips.
      let adaptedValidation: { uar: number; perCorpus: Record<string, number> } | undefined;
      if (adapt) {
        const { perClip } = speakerStats(audio.clips, audio.items.map((i) => i.speaker), config.features, o.device ?? 'cpu');
        const ap = argmax(await ensemble.probabilitiesAsync(audio.clips, { calibrated: false, stats: perClip }), K);
        adaptedValidation = { uar: classificationReport(y, ap, labels, protocol).uar, perCorpus: Object.fromEntries(Object.entries(perCorpus(audio.items, y, ap, labels, protocol)).map(([c, r]) => [c, r.uar])) };
      }
      validation = {
        report: classificationReport(y, pred, labels, protocol),
        perCorpus: perCorpus(audio.items, y, pred, labels, protocol),
        ...(adaptedValidation ? { adapted: adaptedValidation } : {}),
        calibration: { before: calibrationReport(raw, y, K), after: xfit ? xfit.report : calibrationReport(applyTemperature(raw, K, fit.temperature), y, K), crossFitted: xfit !== null, oofTemperature },
      };
      if (xfit) {
        calibration = {
          method: 'temperature',
          temperature: xfit.fit.temperature,
          fittedOn: `the ensemble's predictions on ${audio.items.length} clips of ${speakers.length} held-out speakers (${speakers.join(', ')}); ECE after: each speaker at the temperature fitted on the others`,
          n: audio.items.length,
          nllBefore: xfit.fit.nllBefore,
          nllAfter: xfit.fit.nllAfter,
          eceBefore: validation.calibration.before.ece,
          eceAfter: xfit.report.ece,
        };
        meta.calibration = calibration;
      }
    }
    const summary = {
      folds: k,
      members: full ? { count: full.length, epochs: full[0].epochs, trainedOn: 'every pool speaker' } : { count: k, trainedOn: 'the fold models' },
      outOfFoldUar: { mean, std, pooled: outOfFold.report.uar, perFold: folds.map((f) => f.uar) },
      outOfFoldPerCorpusUar: Object.fromEntries(Object.entries(outOfFold.perCorpus).map(([c, r]) => [c, r.uar])),
      ece: { before: outOfFold.calibration.before.ece, after: outOfFold.calibration.after.ece, on: 'out-of-fold' },
      ...(adapted ? { outOfFoldAdapted: adapted } : {}),
      temperature: calibration.temperature,
      validation: validation ? { uar: validation.report.uar, perCorpusUar: Object.fromEntries(Object.entries(validation.perCorpus).map(([c, r]) => [c, r.uar])), ece: validation.calibration.after.ece, eceCrossFitted: validation.calibration.crossFitted, eceAtOutOfFoldTemperature: validation.calibration.oofTemperature.ece, ...(validation.adapted ? { adapted: validation.adapted } : {}) } : null,
    };
    const metrics = { summary, outOfFold, validation };
    saveBundle(bundleDir, { ...meta, metrics }, members, { dtype });

    const result: FoldsResult = { labels, config, folds, outOfFold, validation, calibration, members: full, summary, skipped, cancelled: false, out: o.out ? root : null, seconds: (Date.now() - started) / 1000 };
    if (o.out) {
      fs.writeFileSync(path.join(root, 'metrics.json'), JSON.stringify({ ...metrics, folds, calibration, labels, split: training.split, seconds: result.seconds, versions, skipped }, null, 2) + '\n');
      fs.writeFileSync(path.join(root, 'report.html'), renderFoldsReport({ title: 'ser-native K-fold ensemble report', result, versions, config: config as unknown as Record<string, unknown> }));
    }
    return result;
  } finally {
    await run?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
