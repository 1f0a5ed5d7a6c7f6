// `ser-native evaluate --model DIR <data options>`: scores of a saved model, with their protocol.
import type { Argv, CommandModule } from 'yargs';
import { evaluate } from '../../lib/train/evaluate';
import { dataOptionsFrom, DataArgs, withDataOptions } from '../data-options';

interface Args extends DataArgs {
  model: string;
  device: string;
  json: boolean;
}

export const evaluateCommand: CommandModule<object, Args> = {
  command: 'evaluate',
  describe: 'Evaluate a model bundle on labelled recordings: accuracy, UAR, macro-F1, per class, confusion matrix',
  builder: (y: Argv<object>) =>
    withDataOptions(y, { split: false })
      .option('model', { type: 'string', demandOption: true, describe: 'Model bundle folder (the model/ folder that train writes)' })
      .option('device', { type: 'string', default: 'cpu', describe: 'auto | cpu | cuda | cuda:N' })
      .option('json', { type: 'boolean', default: false, describe: 'Print { protocol, n, accuracy, uar, macroF1, perClass, confusion, labels } as JSON' })
      .example('$0 evaluate --model ser-model/model --ravdess data/ravdess', 'Score a trained model') as unknown as Argv<Args>,
  handler: async (a) => {
    const r = await evaluate({ ...dataOptionsFrom(a), model: a.model, device: a.device as never });
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
