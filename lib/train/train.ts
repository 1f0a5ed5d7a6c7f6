// train(): the whole training run, orchestrated in TypeScript over the native epoch loop.
// data → split → audio → clean features (cached) → per epoch: noise plan, noisy features, random
// crops → native epoch (off the JS thread) → validation UAR → LR schedule, early stopping, best
// checkpoint → final metrics, bundle, history.jsonl, metrics.json, report.html.
import * as fs from 'fs';
import * as path from 'path';
import { addWhiteNoise } from '../augment/noise';
import { planEpoch } from '../augment/schedule';
import { Rng, deriveSeed } from '../random';
import type { DatasetItem, Split } from '../dataset';
import { SerNativeError } from '../errors';
import type { LogMel } from '../features/logmel';
import { info, resolveDevice } from '../info';
import * as is from '../is';
import { argmax, classificationReport, ClassificationReport, meanByOwner, Protocol } from '../metrics';
import { saveBundle } from '../model/bundle';
import { DeepPartial, learningRateAt, resolveTrainConfig, TrainConfig } from '../model/config';
import { clipFeatures, copyWindow, copyWindowWarped, evaluationWindows, windowFrames } from '../model/features';
import { NativeModel } from '../model/native-model';
import { AudioCache, DataOptions, labelsFor, loadAudio, resolveData, splitData } from './data';
import { writeTrainingOutputs } from './outputs';
import { outOption, withRunLock } from '../lock';
import { EpochProfile, Stopwatch, timed } from './profile';

export type TrainProgress =
  | { phase: 'data'; message: string }
  | { phase: 'audio'; done: number; total: number }
  | { phase: 'features'; message: string }
  | { phase: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number }
  | { phase: 'epoch'; record: EpochRecord; best: boolean };

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  valUar: number | null;
  lr: number;
  seconds: number;
  /** Where the epoch's time went (lib/train/profile.ts). */
  profile: EpochProfile;
}

export interface TrainOptions extends DataOptions {
  /** Overrides of the default recipe (lib/model/config.ts). */
  config?: DeepPartial<TrainConfig>;
  /** Folder for the bundle and reports; nothing is written when omitted. */
  out?: string;
  device?: is.Device;
  /** Shortcut for config.epochs / config.seed. */
  epochs?: number;
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Reuse decoded audio across runs in this process (optimize's worker processes pass one). */
  audioCache?: AudioCache;
}

export interface TrainResult {
  labels: string[];
  config: TrainConfig;
  protocol: Protocol;
  split: { description: string; train: { n: number; speakers: string[] }; validation: { n: number; speakers: string[] } };
  metrics: ClassificationReport | null;
  perCorpus: Record<string, ClassificationReport>;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  skipped: { path: string; reason: string }[];
  out: string | null;
  seconds: number;
  device: string;
}

export function protocolOf(split: Split): Protocol {
  return {
    name: split.protocol === 'speaker-dependent' ? 'speaker-dependent' : 'speaker-independent',
    description: split.description,
    trainSpeakers: split.speakers.train,
    testSpeakers: split.speakers.validation,
  };
}

/** Per-mel mean and standard deviation over every frame of the training features. */
function normalisationStats(feats: LogMel[], nMels: number): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(nMels);
  const sq = new Float64Array(nMels);
  let count = 0;
  for (const m of feats) {
    for (let k = 0; k < nMels; k++) {
      const row = m.data.subarray(k * m.frames, (k + 1) * m.frames);
      for (let t = 0; t < row.length; t++) {
        sum[k] += row[t];
        sq[k] += row[t] * row[t];
      }
    }
    count += m.frames;
  }
  const mean = new Float32Array(nMels);
  const std = new Float32Array(nMels);
  for (let k = 0; k < nMels; k++) {
    mean[k] = sum[k] / count;
    std[k] = Math.sqrt(Math.max(1e-8, sq[k] / count - mean[k] * mean[k]));
  }
  return { mean, std };
}

function balancedWeights(labels: Int32Array, classes: number): Float32Array {
  const counts = new Float32Array(classes);
  for (const l of labels) counts[l]++;
  const w = new Float32Array(classes);
  for (let k = 0; k < classes; k++) w[k] = counts[k] > 0 ? labels.length / (classes * counts[k]) : 0;
  return w;
}

/** Trains a model; with `out`, holds that folder's lock (lib/lock.ts) while it runs. */
export const train = withRunLock('train', (o) => outOption(o), trainUnlocked);

async function trainUnlocked(options: TrainOptions = {}): Promise<TrainResult> {
  is.options<TrainOptions>('options', options, { ravdess: true, savee: true, data: true, labelMap: true, split: true, demo: true, demoDir: true, config: true, out: true, device: true, epochs: true, seed: true, onProgress: true, signal: true, audioCache: true });
  const started = Date.now();
  const o = is.plainObject('options', options) as TrainOptions;
  const overrides: DeepPartial<TrainConfig> = { ...(o.config ?? {}) };
  if (o.epochs !== undefined) overrides.epochs = o.epochs;
  if (o.seed !== undefined) overrides.seed = o.seed;
  const config = resolveTrainConfig(overrides);
  const device = resolveDevice(o.device ?? 'auto');
  const report = o.onProgress ?? (() => undefined);
  const f = config.features;

  report({ phase: 'data', message: 'indexing data' });
  const data = await resolveData(o);
  const split = splitData(data, o.split, config.seed);
  if (split.train.length === 0) throw new SerNativeError('ERR_DATA', `the split '${split.description}' leaves no training items`);
  if (split.validation.length === 0) throw new SerNativeError('ERR_DATA', `the split '${split.description}' leaves no validation items: give a split with validation speakers (e.g. --split speakers:<test>/<validation>)`);
  const labels = labelsFor(split.train, split.validation);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${split.description}` });

  const loadedTrain = loadAudio(split.train, f.logMel.sampleRate, (done, total) => report({ phase: 'audio', done, total: total + split.validation.length }), o.audioCache);
  const loadedVal = loadAudio(split.validation, f.logMel.sampleRate, (done, total) => report({ phase: 'audio', done: split.train.length + done, total: split.train.length + total }), o.audioCache);
  const skipped = [...data.skipped, ...split.excluded, ...loadedTrain.skipped, ...loadedVal.skipped];
  if (loadedTrain.items.length === 0) throw new SerNativeError('ERR_DATA', `none of the ${split.train.length} training files could be read (e.g. ${loadedTrain.skipped[0]?.path}: ${loadedTrain.skipped[0]?.reason})`);
  const trainLabels = Int32Array.from(loadedTrain.items.map((it) => labelIndex.get(it.emotion)!));
  const valLabels = loadedVal.items.map((it) => labelIndex.get(it.emotion)!);

  report({ phase: 'features', message: `log-mel of ${loadedTrain.clips.length + loadedVal.clips.length} clips` });
  // Clean features are computed once; only noisy copies are recomputed per epoch.
  const cleanTrain = clipFeatures(loadedTrain.clips, f, device);
  const valWindows = evaluationWindows(clipFeatures(loadedVal.clips, f, device), f);
  const stats = normalisationStats(cleanTrain, f.logMel.nMels);

  const net = new NativeModel(config.architecture, f.logMel.nMels, labels.length, device, config.seed);
  net.setNormalization(stats.mean, stats.std);
  net.configureOptimizer(config.optimizer, config.optimizer.classWeights === 'balanced' ? balancedWeights(trainLabels, labels.length) : null);

  const protocol = protocolOf(split);
  const versions = { package: info().version, libtorch: info().libtorch.version };
  const splitSummary = {
    description: split.description,
    train: { n: loadedTrain.items.length, speakers: split.speakers.train },
    validation: { n: loadedVal.items.length, speakers: split.speakers.validation },
  };
  const bundleDir = o.out ? path.join(path.resolve(o.out), 'model') : null;
  const saveCheckpoint = (metrics: Record<string, unknown>) => {
    if (!bundleDir) return;
    saveBundle(bundleDir, { labels, features: f, architecture: config.architecture, training: { config, split: splitSummary, protocol }, metrics, versions }, net.getState());
  };

  const len = windowFrames(f);
  const nMels = f.logMel.nMels;
  // Clip-level probabilities of the validation set: the mean over each clip's windows.
  const validationProbabilities = async () =>
    meanByOwner(await net.predictAsync(valWindows.data, valWindows.n, valWindows.frames), valWindows.owner, valLabels.length, labels.length);
  const history: EpochRecord[] = [];
  let best = -1;
  let bestEpoch = -1;
  let sinceBest = 0;
  let plateauScale = 1;
  let cancelled = false;
  let stoppedEarly = false;
  if (o.out) fs.mkdirSync(o.out, { recursive: true });
  const historyPath = o.out ? path.join(o.out, 'history.jsonl') : null;
  if (historyPath) fs.writeFileSync(historyPath, '');

  for (let epoch = 0; epoch < config.epochs; epoch++) {
    if (o.signal?.aborted) {
      cancelled = true;
      break;
    }
    const t0 = Date.now();
    const watch = new Stopwatch();
    const prof = watch.profile;
    const lr = learningRateAt(config, epoch) * plateauScale;
    net.setLearningRate(lr);

    // This epoch's training set: each planned entry is a clean or noisy clip, randomly cropped.
    const plan = planEpoch(config.noise, { seed: config.seed, epoch, numItems: cleanTrain.length, numEpochs: config.epochs });
    const noisyIdx = plan.map((d, i) => (d.snrDb === null ? -1 : i)).filter((i) => i >= 0);
    const noisyFeats = new Map<number, LogMel>();
    const noisyClips = noisyIdx.map((i) => addWhiteNoise(loadedTrain.clips[plan[i].item], plan[i].snrDb!, { seed: plan[i].noiseSeed }));
    watch.lap('noise');
    clipFeatures(noisyClips, f, device).forEach((m, j) => noisyFeats.set(noisyIdx[j], m));
    watch.lap('noisyLogMel');
    const x = new Float32Array(plan.length * nMels * len);
    const y = new Int32Array(plan.length);
    plan.forEach((d, i) => {
      const m = noisyFeats.get(i) ?? cleanTrain[d.item];
      const rng = new Rng(deriveSeed(d.noiseSeed, 7));
      const timeScale = 1 + config.warp.time * (2 * rng.float() - 1);
      const freqScale = 1 + config.warp.freq * (2 * rng.float() - 1);
      // The crop spans len·timeScale source frames (at most the whole clip).
      const span = Math.min(m.frames - 1, Math.ceil((len - 1) * timeScale));
      const start = rng.int(Math.max(1, m.frames - span));
      if (config.warp.time === 0 && config.warp.freq === 0) copyWindow(m, start, len, x, i * nMels * len);
      else copyWindowWarped(m, start, len, x, i * nMels * len, Math.min(timeScale, (m.frames - 1 - start) / Math.max(1, len - 1)), freqScale);
      y[i] = trainLabels[d.item];
    });
    watch.lap('crops');

    const stats = await net.trainEpoch(
      x,
      y,
      len,
      { batchSize: config.batchSize, seed: deriveSeed(config.seed, epoch), ...config.specAugment, mixupAlpha: config.mixupAlpha },
      (p) => timed(prof, 'progress', () => report({ phase: 'batch', epoch: epoch + 1, epochs: config.epochs, ...p })),
      o.signal,
    );
    watch.skip();
    for (const k of ['batch', 'specAugment', 'forward', 'backward', 'step', 'progress'] as const) prof[k] += stats.seconds[k];
    prof.intraOpThreads = stats.intraOpThreads;
    if (stats.cancelled) {
      cancelled = true;
      break;
    }

    const probs = await validationProbabilities();
    const pred = argmax(probs, labels.length);
    let valLoss = 0;
    valLabels.forEach((t, i) => (valLoss -= Math.log(Math.max(1e-12, probs[i * labels.length + t]))));
    const val = classificationReport(valLabels, pred, labels, protocol);
    watch.lap('validation');
    const record: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: stats.loss,
      trainAccuracy: stats.accuracy,
      valLoss: valLoss / valLabels.length,
      valAccuracy: val.accuracy,
      valUar: val.uar,
      lr,
      seconds: 0,
      profile: prof,
    };
    const improved = val.uar > best + 1e-9;
    if (improved) {
      best = val.uar;
      bestEpoch = epoch + 1;
      sinceBest = 0;
      net.snapshot();
      // The bundle on disk is always the best model so far: Ctrl-C leaves it usable.
      saveCheckpoint({ validation: val, epoch: epoch + 1, partial: true });
    } else {
      sinceBest++;
      if (config.lrSchedule === 'plateau' && sinceBest > 0 && sinceBest % 4 === 0) plateauScale *= 0.5;
    }
    watch.lap('checkpoint');
    record.seconds = prof.total = (Date.now() - t0) / 1000;
    history.push(record);
    if (historyPath) fs.appendFileSync(historyPath, JSON.stringify(record) + '\n');
    timed(prof, 'progress', () => report({ phase: 'epoch', record, best: improved }));
    if (config.patience > 0 && sinceBest >= config.patience) {
      stoppedEarly = true;
      break;
    }
  }

  let metrics: ClassificationReport | null = null;
  const perCorpus: Record<string, ClassificationReport> = {};
  if (bestEpoch > 0) {
    net.restore();
    const pred = argmax(await validationProbabilities(), labels.length);
    metrics = classificationReport(valLabels, pred, labels, protocol);
    const corpora = [...new Set(loadedVal.items.map((it: DatasetItem) => it.corpus))];
    if (corpora.length > 1) {
      for (const c of corpora) {
        const idx = loadedVal.items.map((it, i) => (it.corpus === c ? i : -1)).filter((i) => i >= 0);
        perCorpus[c] = classificationReport(idx.map((i) => valLabels[i]), idx.map((i) => pred[i]), labels, { ...protocol, description: `${protocol.description} (${c} only)` });
      }
    }
    saveCheckpoint({ validation: metrics, perCorpus, epoch: bestEpoch, partial: cancelled });
  }

  const result: TrainResult = {
    labels,
    config,
    protocol,
    split: splitSummary,
    metrics,
    perCorpus,
    history,
    bestEpoch,
    stoppedEarly,
    cancelled,
    skipped,
    out: o.out ? path.resolve(o.out) : null,
    seconds: (Date.now() - started) / 1000,
    device,
  };
  if (o.out) writeTrainingOutputs(o.out, result, versions);
  return result;
}
