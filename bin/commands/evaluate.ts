// `ser-native evaluate --model DIR <data options>`: scores of a saved model, with their protocol.
import type { Argv } from 'yargs';
import { DEMO_NOTE } from '../../lib/demo/note';
import { meta, type Command } from '../commands';
import { checkDevice, dataFlagNames, dataOptionsFrom, DataArgs, deviceOption, noDataOptions, withDataOptions } from '../data-options';
import { UsageError } from '../errors';

interface Args extends DataArgs {
  model: string;
  device: string;
  demo: boolean;
  json: boolean;
}

export const evaluateCommand: Command<Args> = {
  ...meta('evaluate'),
  builder: (y: Argv<object>) =>
    withDataOptions(y, { split: false })
      .option('model', { type: 'string', demandOption: true, describe: 'Model bundle folder (the model/ folder that train writes)' })
      .option('device', deviceOption)
      .option('demo', { type: 'boolean', default: false, describe: `Score the ${DEMO_NOTE} (what \`train\` uses with no data options); only without data options` })
      .option('json', { type: 'boolean', default: false, describe: 'Print { protocol, n, accuracy, uar, macroF1, perClass, confusion, labels } as JSON' })
      .example('$0 evaluate --model ser-model/model --ravdess data/ravdess', 'Score a trained model')
      .example('$0 evaluate --model ser-model/model --demo', 'Score a model trained on the demo corpus on that corpus') as unknown as Argv<Args>,
  flagNames: () => ({ ...dataFlagNames, 'options.model': '--model' }),
  handler: async (a) => {
    const device = checkDevice(a.device);
    // Scoring the demo corpus silently would pass synthetic numbers off as a result: it has to be asked for.
    if (noDataOptions(a) && !a.demo) throw new UsageError('no recordings to score: give --ravdess DIR, --savee DIR or --data DIR|MANIFEST (or --demo for the synthetic demo corpus)');
    if (!noDataOptions(a) && a.demo) throw new UsageError('--demo scores the synthetic demo corpus: give it without --ravdess, --savee or --data');
    const { evaluate } = await import('../../lib/train/evaluate');
    const r = await evaluate({ ...dataOptionsFrom(a), model: a.model, device });
    if (a.json) {
      process.stdout.write(JSON.stringify(a.demo ? { data: DEMO_NOTE, ...r } : r, null, 2) + '\n');
      return;
    }
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    const out = [
      ...(a.demo ? [`data: ${DEMO_NOTE}`] : []),
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
