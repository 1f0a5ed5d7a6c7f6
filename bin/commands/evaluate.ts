// `ser-native evaluate --model DIR <data options>`: scores of a saved model, with their protocol.
import type { Argv, CommandModule } from 'yargs';
import { evaluate } from '../../lib/train/evaluate';
import { evaluateRobustness, robustnessTable } from '../../lib/train/robustness';
import { defaultModelDir } from '../../lib/model/default-model';
import { dataOptionsFrom, DataArgs, withDataOptions } from '../data-options';

interface Args extends DataArgs {
  model?: string;
  robustness: boolean;
  'all-clips': boolean;
  seed: number;
  device: string;
  json: boolean;
}

export const evaluateCommand: CommandModule<object, Args> = {
  command: 'evaluate',
  describe: 'Evaluate a model bundle on labelled recordings: accuracy, UAR, macro-F1, per class, confusion matrix',
  builder: (y: Argv<object>) =>
    withDataOptions(y, { split: false })
      .option('model', { type: 'string', describe: 'Model bundle folder (the model/ folder that train writes); default: the shipped default model' })
      .option('robustness', { type: 'boolean', default: false, describe: 'Score the validation clips of --split under telephone band, 44.1/22.05 kHz resampling, ±12 dB gain, white and babble noise at 20/10/5 dB: UAR and flip rate per condition' })
      .option('split', { type: 'string', default: 'default', describe: 'With --robustness: the split whose validation clips are scored (default: RAVDESS 17-20 + SAVEE JE)' })
      .option('all-clips', { type: 'boolean', default: false, describe: 'With --robustness: score every clip given instead of the validation clips' })
      .option('seed', { type: 'number', default: 1, describe: 'With --robustness: seed of the noise and babble talkers' })
      .option('device', { type: 'string', default: 'cpu', describe: 'auto | cpu | cuda | cuda:N' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { protocol, n, accuracy, uar, macroF1, perClass, confusion, labels } as JSON' })
      .example('$0 evaluate --model ser-model/model --ravdess data/ravdess', 'Score a trained model')
      .example('$0 evaluate --robustness --model runs/ens/model --ravdess data/ravdess --savee data/savee', 'Robustness table on actors 17-20 + JE') as unknown as Argv<Args>,
  handler: async (a) => {
    if (a.robustness) {
      const r = await evaluateRobustness({ ...dataOptionsFrom(a), model: a.model, device: a.device as never, clips: a['all-clips'] ? 'all' : 'validation', seed: a.seed, onProgress: (c, done, total) => process.stderr.write(`ser-native: robustness ${done + 1}/${total}: ${c}\n`) });
      if (a.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else process.stdout.write(`model ${r.model}\nprotocol: ${r.protocol.name} (${r.protocol.description})\n\n${robustnessTable(r)}\n\nflip rate: share of clips whose predicted emotion differs from the clean clip's.\n`);
      return;
    }
    const r = await evaluate({ ...dataOptionsFrom(a), model: a.model ?? defaultModelDir({ mustExist: true }), device: a.device as never });
    if (a.json) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      return;
    }
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    const out = [
      `protocol: ${r.protocol.name} (${r.protocol.description})`,
      `${r.n} clips: accuracy ${pct(r.accuracy)}, UAR ${pct(r.uar)}, macro-F1 ${pct(r.macroF1)}`,
      '',
      `${'class'.padEnd(10)} precision  recall     f1  support`,
      ...r.labels.map((l) => {
        const c = r.perClass[l];
        return `${l.padEnd(10)} ${c.precision.toFixed(3).padStart(9)} ${c.recall.toFixed(3).padStart(7)} ${c.f1.toFixed(3).padStart(6)} ${String(c.support).padStart(8)}`;
      }),
      '',
      'confusion (rows true, columns predicted):',
      `${''.padEnd(10)} ${r.labels.map((l) => l.slice(0, 5).padStart(5)).join(' ')}`,
      ...r.confusion.map((row, i) => `${r.labels[i].padEnd(10)} ${row.map((v) => String(v).padStart(5)).join(' ')}`),
    ];
    if (r.skipped.length) out.push('', `${r.skipped.length} files skipped, e.g. ${r.skipped[0].path}: ${r.skipped[0].reason}`);
    if (r.excluded.length) out.push(`${r.excluded.length} recordings excluded: ${r.excluded[0].reason}`);
    process.stdout.write(out.join('\n') + '\n');
  },
};
