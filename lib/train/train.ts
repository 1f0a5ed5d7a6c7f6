// train(): the whole training run, orchestrated in TypeScript over the native epoch loop, as steps:
//   prepare.ts     data → split → audio → validation windows (once); with a teacher, its soft
//                  targets for the training clips (teacher.ts)
//   epoch-data.ts  the epochs' batches: the training clips handed to the native pipeline once, then
//                  per epoch a plan (plan.ts) that a native producer thread turns into batches (noise,
//                  noisy log-mel, crops/warps, SpecAugment) while earlier batches train
//   (native)       the epoch itself, off the JS thread (NativeModel.trainPlannedEpoch)
//   validation.ts  validation UAR and loss
//   checkpoint.ts  best epoch, early stopping, LR plateau; bundle and history.jsonl
//   outputs.ts     metrics.json and report.html
import * as path from 'path';
import { resolveDevice } from '../device';
import { info } from '../info';
import * as is from '../is';
import type { ClassificationReport } from '../metrics';
import { DeepPartial, learningRateAt, resolveTrainConfig, TrainConfig } from '../model/config';
import { NativeModel } from '../model/native-model';
import { deriveSeed } from '../random';
import type { BatchProgress } from '../binding';
import { outOption, withRunLock } from '../lock';
import { BestTracker, RunFiles } from './checkpoint';
import { EpochSource, epochSource } from './epoch-data';
import { writeTrainingOutputs } from './outputs';
import { checkDataOptions } from './data';
import { balancedWeights, PreparedData, prepareTraining } from './prepare';
import { openTeacher } from './teacher';
import { Stopwatch, timed } from './profile';
import { WeightAverage } from './weight-average';
import type { EpochRecord, TrainOptions, TrainProgress, TrainResult } from './types';
import { perCorpusReports, scoreValidation } from './validation';

export type { EpochRecord, TrainOptions, TrainProgress, TrainResult } from './types';

/** Trains a model; with `out`, holds that folder's lock (lib/lock.ts) while it runs. */
export const train = withRunLock('train', (o) => outOption(o), trainUnlocked);

async function trainUnlocked(options: TrainOptions = {}): Promise<TrainResult> {
  is.options<TrainOptions>('options', options, { ravdess: true, savee: true, data: true, labelMap: true, split: true, demo: true, demoDir: true, config: true, out: true, device: true, epochs: true, seed: true, onProgress: true, signal: true, audioCache: true, pipeline: true, validation: true, teacher: true, teacherWeight: true });
  const started = Date.now();
  const o = is.plainObject('options', options) as TrainOptions;
  const overrides: DeepPartial<TrainConfig> = { ...(o.config === undefined ? {} : is.plainObject('config', o.config)) };
  if (o.epochs !== undefined) overrides.epochs = o.epochs;
  if (o.seed !== undefined) overrides.seed = o.seed;
  const config = resolveTrainConfig(overrides);
  checkDataOptions(o); // before the first progress event (and LibTorch loads)
  const pipeline = is.oneOf('options.pipeline', o.pipeline ?? 'native', ['native', 'js'] as const);
  if (o.teacher !== undefined && pipeline === 'js') throw is.invalidArgument("options.teacher needs options.pipeline 'native' (the reference 'js' pipeline has no soft targets)");
  const device = resolveDevice(o.device ?? 'auto');
  const report = o.onProgress ?? (() => undefined);

  // Distillation: the teacher is loaded (and a folder that is not a model fails) before any data is read.
  const d = await prepareTraining(o, config, device, report, openTeacher(o, config.features, device));
  const net = new NativeModel(config.architecture, config.features.logMel.nMels, d.labels.length, device, config.seed);
  const source = epochSource(pipeline, net, d, config, device);
  net.setNormalization(source.stats.mean, source.stats.std);
  net.configureOptimizer(config.optimizer, config.optimizer.classWeights === 'balanced' ? balancedWeights(d.trainLabels, d.labels.length) : null);
  const files = new RunFiles(o.out, d, config, { package: info().version, libtorch: info().libtorch.version });

  const loop = await epochLoop(net, source, d, config, files, o, report);
  const { metrics, perCorpus } = await finalMetrics(net, d, config, files, loop.best.bestEpoch, loop.cancelled);

  const result: TrainResult = {
    labels: d.labels,
    config,
    protocol: d.protocol,
    split: d.split,
    metrics,
    perCorpus,
    history: loop.history,
    bestEpoch: loop.best.bestEpoch,
    stoppedEarly: loop.stoppedEarly,
    cancelled: loop.cancelled,
    skipped: d.skipped,
    out: o.out ? path.resolve(o.out) : null,
    seconds: (Date.now() - started) / 1000,
    device,
    teacher: d.teacher?.record ?? null,
  };
  if (o.out) writeTrainingOutputs(o.out, result, files.versions);
  return result;
}

interface LoopResult {
  history: EpochRecord[];
  best: BestTracker;
  cancelled: boolean;
  stoppedEarly: boolean;
}

/** The epochs: data and native training, validation, bookkeeping; stops on cancel or patience. */
async function epochLoop(net: NativeModel, source: EpochSource, d: PreparedData, config: TrainConfig, files: RunFiles, o: TrainOptions, report: (p: TrainProgress) => void): Promise<LoopResult> {
  const history: EpochRecord[] = [];
  const best = new BestTracker(config);
  const average = config.emaDecay > 0 ? new WeightAverage(config.emaDecay) : null;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    if (o.signal?.aborted) return { history, best, cancelled: true, stoppedEarly: false };
    const t0 = Date.now();
    const watch = new Stopwatch();
    const prof = watch.profile;
    const lr = learningRateAt(config, epoch) * best.plateauScale;
    net.setLearningRate(lr);

    const request = { batchSize: config.batchSize, seed: deriveSeed(config.seed, epoch), ...config.specAugment, mixupAlpha: config.mixupAlpha, teacherWeight: d.teacher?.record.weight ?? 0, bf16: config.precision === 'bfloat16' };
    const onBatch = (p: BatchProgress) => timed(prof, 'progress', () => report({ phase: 'batch', epoch: epoch + 1, epochs: config.epochs, ...p }));
    const stats = await source.trainEpoch(epoch, request, onBatch, o.signal, watch);
    watch.skip();
    for (const k of ['batch', 'specAugment', 'forward', 'backward', 'step', 'progress'] as const) prof[k] += stats.seconds[k];
    prof.intraOpThreads = stats.intraOpThreads;
    if (stats.cancelled) return { history, best, cancelled: true, stoppedEarly: false };

    const raw = average?.enter(net);
    // Without validation speakers (validation 'none') every epoch is the newest model: kept as "best".
    const val = d.valItems.length > 0 ? await scoreValidation(net, d, config.features) : null;
    watch.lap('validation');
    const improved = best.observe(epoch + 1, val ? val.selection : epoch + 1);
    if (improved) {
      net.snapshot();
      files.saveBundle(net, { validation: val?.report ?? null, epoch: epoch + 1, partial: true });
    }
    if (average && raw) average.leave(net, raw);
    watch.lap('checkpoint');
    const record: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: stats.loss,
      trainAccuracy: stats.accuracy,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.report.accuracy ?? null,
      valUar: val?.report.uar ?? null,
      ...(val?.adapted ? { valUarAdapted: val.adapted.uar, valLossAdapted: val.adapted.loss } : {}),
      lr,
      seconds: (prof.total = (Date.now() - t0) / 1000),
      profile: prof,
    };
    history.push(record);
    files.appendHistory(record);
    timed(prof, 'progress', () => report({ phase: 'epoch', record, best: improved }));
    if (best.shouldStop) return { history, best, cancelled: false, stoppedEarly: true };
  }
  return { history, best, cancelled: false, stoppedEarly: false };
}

/** Restores the best epoch's weights, scores them, and saves the final bundle (none when no epoch finished). */
async function finalMetrics(net: NativeModel, d: PreparedData, config: TrainConfig, files: RunFiles, bestEpoch: number, cancelled: boolean): Promise<{ metrics: ClassificationReport | null; perCorpus: Record<string, ClassificationReport> }> {
  if (bestEpoch <= 0) return { metrics: null, perCorpus: {} };
  net.restore();
  if (d.valItems.length === 0) {
    files.saveBundle(net, { validation: null, epoch: bestEpoch, partial: cancelled });
    return { metrics: null, perCorpus: {} };
  }
  const val = await scoreValidation(net, d, config.features);
  const perCorpus = perCorpusReports(d, val.predictions);
  files.saveBundle(net, { validation: val.report, perCorpus, epoch: bestEpoch, partial: cancelled });
  return { metrics: val.report, perCorpus };
}
