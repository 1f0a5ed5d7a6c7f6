// `ser-native train`: train the CNN+LSTM on folders of recordings (or the built-in synthetic demo corpus).
import * as fs from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import type { DeepPartial, TrainConfig } from '../../lib/model/config';
import type { TrainResult, TrainProgress } from '../../lib/train/train';
import type { FoldsResult } from '../../lib/train/folds';
import type { RunCalibration } from '../../lib/train/calibrate';
import { DEMO_NOTE, isDemoRun } from '../../lib/demo/note';
import { percent } from '../../lib/metrics/percent';
import { meta, type Command } from '../command-meta';
import { checkDevice, dataOptionsFrom, DataArgs, dataFlagNames, deviceOption, noDataOptions, withDataOptions } from '../data-options';
import { UsageError } from '../errors';
import { bar, nextPredictLine, progressSink } from '../progress';

interface Args extends DataArgs {
  out: string;
  config?: string;
  epochs?: number;
  device: string;
  seed?: number;
  folds?: number;
  members?: number;
  workers?: number;
  queue?: string;
  'data-root'?: string;
  'fold-corpora'?: string;
  'member-epochs'?: number;
  teacher?: string;
  'teacher-weight'?: number;
  'teacher-folds'?: boolean;
  float16: boolean;
  calibrate: boolean;
  json: boolean;
  profile: boolean;
}

const pct = (v: number | null | undefined) => percent(v, { missing: '-' });

export function summarize(r: TrainResult, calibration?: RunCalibration | null): string {
  const demo = isDemoRun([...r.split.train.speakers, ...r.split.validation.speakers]);
  const lines = demo ? [`data: ${DEMO_NOTE}; its scores say the pipeline works, not how well real speech is recognised`] : [];
  lines.push(`protocol: ${r.protocol.name} (${r.split.description})`, `train ${r.split.train.n} clips, validation ${r.split.validation.n} clips; labels: ${r.labels.join(', ')}`);
  if (r.metrics) {
    lines.push(`validation: accuracy ${pct(r.metrics.accuracy)}, UAR ${pct(r.metrics.uar)}, macro-F1 ${pct(r.metrics.macroF1)} (best epoch ${r.bestEpoch} of ${r.history.length})`);
    for (const [c, m] of Object.entries(r.perCorpus)) lines.push(`  ${c}: accuracy ${pct(m.accuracy)}, UAR ${pct(m.uar)} (${m.n} clips)`);
  }
  if (r.cancelled) lines.push('training was cancelled; the bundle holds the best checkpoint before that');
  if (r.skipped.length) lines.push(`${r.skipped.length} files skipped (listed in metrics.json), e.g. ${r.skipped[0].path}: ${r.skipped[0].reason}`);
  if (r.teacher) lines.push(`distilled from ${r.teacher.path}: loss ${+(1 - r.teacher.weight).toFixed(6)} × labels + ${r.teacher.weight} × the teacher's calibrated probabilities`);
  if (r.out) lines.push(`wrote ${path.join(r.out, 'model')}/, metrics.json, history.jsonl, report.html in ${r.out}`);
  if (calibration) lines.push(summarizeCalibration(calibration));
  lines.push(`${r.seconds.toFixed(0)} s on ${r.device}`);
  if (r.out) lines.push(nextPredictLine(path.join(r.out, 'model')));
  return lines.join('\n');
}

export function summarizeCalibration(c: RunCalibration | FoldsResult['calibration']): string {
  return `calibration: temperature ${c.temperature.toFixed(3)} (fitted on ${c.fittedOn}); ECE ${pct(c.eceBefore)} → ${pct(c.eceAfter)}, NLL ${c.nllBefore.toFixed(3)} → ${c.nllAfter.toFixed(3)}`;
}

export function summarizeFolds(r: FoldsResult): string {
  const o = r.outOfFold;
  const lines = [
    `out-of-fold (${r.folds.length} speaker-grouped folds over ${o.report.protocol.testSpeakers?.length} training speakers, ${o.report.n} clips): UAR ${pct(o.report.uar)} pooled; per fold ${pct(o.uarMean)} ± ${pct(o.uarStd)} (${r.folds.map((f) => pct(f.uar)).join(', ')})`,
  ];
  for (const [c, m] of Object.entries(o.perCorpus)) lines.push(`  ${c}: UAR ${pct(m.uar)} (${m.n} clips)`);
  lines.push(summarizeCalibration(r.calibration));
  if (r.validation) {
    const v = r.validation;
    lines.push(`ensemble on held-out validation (${v.report.protocol.testSpeakers?.join(', ')}): accuracy ${pct(v.report.accuracy)}, UAR ${pct(v.report.uar)}, ECE ${pct(v.calibration.after.ece)} (${v.report.n} clips)`);
    for (const [c, m] of Object.entries(v.perCorpus)) lines.push(`  ${c}: UAR ${pct(m.uar)} (${m.n} clips)`);
  } else lines.push('no held-out validation speakers (--split all)');
  if (r.members) lines.push(`shipped: ${r.members.length} full-data members, ${r.members[0].epochs} epochs each, every one heard all ${r.members[0].speakers.length} pool speakers (the fold models only gave the out-of-fold figures and the temperature)`);
  if (r.out) lines.push(`wrote the ${r.members ? r.members.length : r.folds.length}-member ensemble ${path.join(r.out, 'model')}/, metrics.json, report.html and folds/${r.members ? ', members/' : ''} in ${r.out}`);
  lines.push(`${r.seconds.toFixed(0)} s`);
  return lines.join('\n');
}

export const trainCommand: Command<Args> = {
  ...meta('train'),
  builder: (y: Argv<object>) =>
    withDataOptions(y)
      .option('out', { type: 'string', default: 'ser-model', describe: 'Folder for the model bundle (out/model), metrics.json, history.jsonl, report.html' })
      .option('config', { type: 'string', describe: 'JSON file overriding the default recipe (see README "Training recipe")' })
      .option('epochs', { type: 'number', describe: 'Epochs (default 60; 12 on the demo corpus)' })
      .option('device', deviceOption)
      .option('seed', { type: 'number', describe: 'Seed for initialisation, shuffling and augmentation (default 1)' })
      .option('folds', { type: 'number', describe: 'Train K models on a speaker-grouped K-fold of the training speakers: out-of-fold UAR (mean ± std), a temperature fitted on out-of-fold predictions, one K-member ensemble bundle; --split names the held-out validation speakers (all: none)' })
      .option('members', { type: 'number', describe: 'With --folds: after the fold pass, train M models on every training speaker (other seeds; epochs: the fold pass\'s median best epoch) and ship them as the ensemble instead of the K fold models' })
      .option('workers', { type: 'number', describe: 'With --folds: train the folds and members in N worker processes side by side, each with an equal share of the cores as its LibTorch threads (default: one after another in this process); progress lines come from the workers on stderr' })
      .option('queue', { type: 'string', describe: 'With --folds: train every fold and member as a job on this Redis queue, redis://HOST:PORT[/DB], run by `ser-native worker --queue` processes on any machine; their run folders come back through Redis into --out (see docs/training.md "Training on queue workers")' })
      .option('data-root', { type: 'string', describe: 'With --queue: the folder the data folders are sent relative to (default: the current directory); workers resolve them against their own --data-root' })
      .option('fold-corpora', { type: 'string', describe: "With --folds: only these corpora's speakers (comma-separated, e.g. ravdess,savee) go into the folds and the out-of-fold figures; the other corpora given train in every fold" })
      .option('member-epochs', { type: 'number', describe: 'With --members: epochs of each full-data member (default: the median best epoch of the folds)' })
      .option('teacher', { type: 'string', describe: "Knowledge distillation: a model folder (e.g. a --folds ensemble) whose calibrated probabilities for each training clip are soft targets besides the labels; it must know every class of this run" })
      .option('teacher-weight', { type: 'number', describe: "With --teacher: the share of the loss on the teacher's probabilities, in [0, 1] (default 0.5; 1 = the teacher only)" })
      .option('teacher-folds', { type: 'boolean', describe: "With --folds and --teacher: fold-wise teachers; --teacher is the --out folder of a `train --folds` run over the same folds, fold i learns from its fold-i model (which never heard fold i's speakers: honest out-of-fold figures), members from its shipped ensemble" })
      .option('float16', { type: 'boolean', default: false, describe: 'With --folds: store the weights in half precision (halves the bundle; probabilities move by < 1e-3)' })
      .option('calibrate', { type: 'boolean', default: true, describe: 'Fit a temperature on validation predictions and store it in the bundle (--no-calibrate to skip)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON result object at the end and nothing else on stdout' })
      .option('profile', { type: 'boolean', default: false, describe: "Print where each epoch's time went (noise, log-mel, crops, SpecAugment, forward, backward, step, validation, checkpoint, progress) on stderr; history.jsonl has it either way" })
      .example('$0 train', 'Train on the built-in synthetic demo corpus')
      .example('$0 train --ravdess data/ravdess --savee data/savee --out runs/ser', 'The default speaker-independent recipe')
      .example('$0 train --ravdess data/ravdess --savee data/savee --folds 5 --out runs/ens', '5-fold ensemble over actors 1-16 + DC; 17-20 + JE held out')
      .example('$0 train --ravdess data/ravdess --savee data/savee --teacher runs/ens --out runs/student', 'One model distilled from that ensemble')
      .example('$0 train --ravdess data/ravdess --savee data/savee --folds 5 --members 1 --teacher runs/ens --teacher-folds --out runs/student', 'A distilled student with honest out-of-fold figures: each fold learns from the teacher\'s model of the same fold')
      .example('$0 train --ravdess /srv/ser/ravdess --data-root /srv/ser --folds 5 --members 3 --queue redis://10.0.0.5:6379 --out runs/ens', 'The folds and members trained by `ser-native worker --queue redis://10.0.0.5:6379 --data-root DIR` processes on other machines') as unknown as Argv<Args>,
  flagNames: (a) => ({
    ...dataFlagNames,
    ...(a.config ? { 'config.*': `$ in --config ${a.config}`, config: `--config ${a.config}` } : {}),
    ...(a.epochs !== undefined ? { 'config.epochs': '--epochs' } : {}),
    ...(a.seed !== undefined ? { 'config.seed': '--seed' } : {}),
    'options.out': '--out',
    'options.folds': '--folds',
    'options.members': '--members',
    'options.workers': '--workers',
    'options.queue.url': '--queue',
    'options.queue.dataRoot': '--data-root',
    'options.queue': '--queue',
    'options.foldCorpora': '--fold-corpora',
    'options.memberEpochs': '--member-epochs',
    'options.teacher': '--teacher',
    'options.teacherWeight': '--teacher-weight',
    'options.teacherFolds': '--teacher-folds',
  }),
  handler: async (a) => {
    checkDevice(a.device);
    if ((a.members !== undefined || a['member-epochs'] !== undefined || a.workers !== undefined || a.queue !== undefined || a['fold-corpora'] !== undefined) && a.folds === undefined) throw new UsageError('--members, --member-epochs, --workers, --queue and --fold-corpora apply to --folds ensembles: add --folds K (the fold pass gives the out-of-fold figures, the temperature and the epoch count)');
    if (a['data-root'] !== undefined && a.queue === undefined) throw new UsageError('--data-root applies to --queue (workers resolve the data folders against their own --data-root): add --queue redis://HOST:PORT or drop --data-root');
    if (a.queue !== undefined && a.workers !== undefined) throw new UsageError('--workers and --queue do not go together: with --queue, each `ser-native worker` decides how many trainings it runs at once (--cpu-slots)');
    if (a['teacher-weight'] !== undefined && a.teacher === undefined) throw new UsageError('--teacher-weight applies to distillation: add --teacher DIR (the model whose probabilities the student learns from)');
    if (a['teacher-folds'] && (a.teacher === undefined || a.folds === undefined)) throw new UsageError('--teacher-folds applies to distilled --folds runs: add --folds K and --teacher DIR (the --out folder of a `train --folds K` run over the same folds)');
    if (a.float16 && a.folds === undefined) throw new UsageError('--float16 applies to --folds ensembles (a single model bundle is small enough in float32): drop --float16 or add --folds K');
    let config: DeepPartial<TrainConfig> = {};
    if (a.config) {
      try {
        config = JSON.parse(fs.readFileSync(a.config, 'utf8'));
      } catch (e) {
        throw new UsageError(`cannot read --config ${a.config}: ${(e as Error).message}`);
      }
    }
    const demo = noDataOptions(a);
    const epochs = a.epochs ?? (config.epochs === undefined && demo ? 12 : undefined);
    const { train } = await import('../../lib/train/train');
    const { formatProfile } = await import('../../lib/train/profile');
    const p = progressSink(true); // progress goes to stderr, so it never mixes with --json on stdout
    let noted = 0; // the demo notice, once, when training starts (not before a flag error)
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      p.line('stopping after this batch (Ctrl-C again to quit at once); the best checkpoint so far is kept');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const onProgress = (e: TrainProgress, prefix = '') => {
      if (e.phase === 'data' && demo && !noted++) p.line(`no data options: training on the ${DEMO_NOTE} (give --ravdess, --savee or --data for real recordings)`);
      if (e.phase === 'data' || e.phase === 'features') p.line(prefix + e.message);
      else if (e.phase === 'audio') p.status(`${prefix}reading audio ${bar(e.done / e.total)} ${e.done}/${e.total}`);
      else if (e.phase === 'batch') p.status(`${prefix}epoch ${e.epoch}/${e.epochs} ${bar(e.batch / e.batches)} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(3)}`);
      else if (e.phase === 'epoch') {
        const r = e.record;
        const val = r.valUar === null ? 'no validation' : `val loss ${r.valLoss?.toFixed(3)} acc ${pct(r.valAccuracy)} UAR ${pct(r.valUar)}${r.valUarAdapted !== undefined ? ` (adapted ${pct(r.valUarAdapted)})` : ''}`;
        p.line(`${prefix}epoch ${r.epoch}: loss ${r.trainLoss.toFixed(3)} acc ${pct(r.trainAccuracy)} | ${val} | lr ${r.lr.toExponential(1)} ${r.seconds.toFixed(1)} s${e.best && r.valUar !== null ? ' *' : ''}`);
        if (a.profile) p.line(`${prefix}  profile: ${formatProfile(r.profile)}`);
      }
    };
    try {
      if (a.folds !== undefined) {
        const { trainFolds } = await import('../../lib/train/folds');
        const r = await trainFolds({ ...dataOptionsFrom(a), folds: a.folds, config, epochs, seed: a.seed, device: a.device as never, out: a.out, signal: controller.signal, dtype: a.float16 ? 'float16' : 'float32', members: a.members, memberEpochs: a['member-epochs'], workers: a.workers, queue: a.queue === undefined ? undefined : { url: a.queue, ...(a['data-root'] !== undefined ? { dataRoot: a['data-root'] } : {}) }, teacher: a.teacher, teacherWeight: a['teacher-weight'], ...(a['teacher-folds'] ? { teacherFolds: true } : {}), foldCorpora: a['fold-corpora']?.split(',').map((c) => c.trim()).filter((c) => c !== ''), onProgress: (e) => onProgress(e, e.member ? `member ${e.member}/${e.members}: ` : e.fold ? `fold ${e.fold}/${e.folds}: ` : '') });
        p.done();
        if (a.json) process.stdout.write(JSON.stringify({ synthetic: demo, ...(demo ? { note: DEMO_NOTE } : {}), ...r }, null, 2) + '\n');
        else process.stdout.write((demo ? `data: ${DEMO_NOTE}; its scores say the pipeline works, not how well real speech is recognised\n` : '') + summarizeFolds(r) + '\n');
        return;
      }
      const data = dataOptionsFrom(a);
      const audioCache = new Map<string, Float32Array>();
      // --split all: a final model on every speaker, exactly --epochs epochs, no validation.
      const validation = a.split === 'all' ? ('none' as const) : undefined;
      const r = await train({ ...data, config, epochs, seed: a.seed, device: a.device as never, out: a.out, signal: controller.signal, audioCache, onProgress, validation, teacher: a.teacher, teacherWeight: a['teacher-weight'] });
      // The temperature is fitted on the best checkpoint's validation clips (not after a cancel).
      const { calibrateTraining } = await import('../../lib/train/calibrate');
      const calibration = a.calibrate && r.metrics && !r.cancelled ? await calibrateTraining(r, data, { device: r.device, audioCache }) : null;
      p.done();
      // Same labelling as metrics.json: scripts see when the scores come from synthetic clips.
      if (a.json) process.stdout.write(JSON.stringify({ synthetic: demo, ...(demo ? { note: DEMO_NOTE } : {}), ...r, ...(calibration ? { calibration } : {}) }, null, 2) + '\n');
      else process.stdout.write(summarize(r, calibration) + '\n');
      if (r.cancelled) process.exitCode = 130;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
