// `ser-native train`: train the CNN+LSTM on folders of recordings (or the built-in synthetic demo corpus).
import * as fs from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import type { DeepPartial, TrainConfig } from '../../lib/model/config';
import type { TrainResult } from '../../lib/train/train';
import { DEMO_NOTE, isDemoRun } from '../../lib/demo/note';
import { meta, type Command } from '../commands';
import { checkDevice, dataOptionsFrom, DataArgs, dataFlagNames, deviceOption, noDataOptions, withDataOptions } from '../data-options';
import { UsageError } from '../errors';
import { bar, nextPredictLine, progressSink } from '../progress';

interface Args extends DataArgs {
  out: string;
  config?: string;
  epochs?: number;
  device: string;
  seed?: number;
  json: boolean;
}

const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(100 * v).toFixed(1)}%` : '-');

export function summarize(r: TrainResult): string {
  const demo = isDemoRun([...r.split.train.speakers, ...r.split.validation.speakers]);
  const lines = demo ? [`data: ${DEMO_NOTE}; its scores say the pipeline works, not how well real speech is recognised`] : [];
  lines.push(`protocol: ${r.protocol.name} (${r.split.description})`, `train ${r.split.train.n} clips, validation ${r.split.validation.n} clips; labels: ${r.labels.join(', ')}`);
  if (r.metrics) {
    lines.push(`validation: accuracy ${pct(r.metrics.accuracy)}, UAR ${pct(r.metrics.uar)}, macro-F1 ${pct(r.metrics.macroF1)} (best epoch ${r.bestEpoch} of ${r.history.length})`);
    for (const [c, m] of Object.entries(r.perCorpus)) lines.push(`  ${c}: accuracy ${pct(m.accuracy)}, UAR ${pct(m.uar)} (${m.n} clips)`);
  }
  if (r.cancelled) lines.push('training was cancelled; the bundle holds the best checkpoint before that');
  if (r.skipped.length) lines.push(`${r.skipped.length} files skipped (listed in metrics.json), e.g. ${r.skipped[0].path}: ${r.skipped[0].reason}`);
  if (r.out) lines.push(`wrote ${path.join(r.out, 'model')}/, metrics.json, history.jsonl, report.html in ${r.out}`);
  lines.push(`${r.seconds.toFixed(0)} s on ${r.device}`);
  if (r.out) lines.push(nextPredictLine(path.join(r.out, 'model')));
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
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON result object at the end and nothing else on stdout' })
      .example('$0 train', 'Train on the built-in synthetic demo corpus')
      .example('$0 train --ravdess data/ravdess --savee data/savee --out runs/ser', 'The default speaker-independent recipe') as unknown as Argv<Args>,
  flagNames: (a) => ({
    ...dataFlagNames,
    ...(a.config ? { 'config.*': `$ in --config ${a.config}` } : {}),
    ...(a.epochs !== undefined ? { 'config.epochs': '--epochs' } : {}),
    ...(a.seed !== undefined ? { 'config.seed': '--seed' } : {}),
    'options.out': '--out',
  }),
  handler: async (a) => {
    checkDevice(a.device);
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
    const p = progressSink(!a.json);
    let noted = 0; // the demo notice, once, when training starts (not before a flag error)
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      p.line('stopping after this batch (Ctrl-C again to quit at once); the best checkpoint so far is kept');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const r = await train({
        ...dataOptionsFrom(a),
        config,
        epochs,
        seed: a.seed,
        device: a.device as never,
        out: a.out,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase === 'data' && demo && !noted++) p.line(`no data options: training on the ${DEMO_NOTE} (give --ravdess, --savee or --data for real recordings)`);
          if (e.phase === 'data' || e.phase === 'features') p.line(e.message);
          else if (e.phase === 'audio') p.status(`reading audio ${bar(e.done / e.total)} ${e.done}/${e.total}`);
          else if (e.phase === 'batch') p.status(`epoch ${e.epoch}/${e.epochs} ${bar(e.batch / e.batches)} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(3)}`);
          else if (e.phase === 'epoch') {
            const r = e.record;
            p.line(`epoch ${r.epoch}: loss ${r.trainLoss.toFixed(3)} acc ${pct(r.trainAccuracy)} | val loss ${r.valLoss?.toFixed(3)} acc ${pct(r.valAccuracy)} UAR ${pct(r.valUar)} | lr ${r.lr.toExponential(1)} ${r.seconds.toFixed(1)} s${e.best ? ' *' : ''}`);
          }
        },
      });
      p.done();
      if (a.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else process.stdout.write(summarize(r) + '\n');
      if (r.cancelled) process.exitCode = 130;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
