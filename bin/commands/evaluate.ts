// `ser-native evaluate [--model DIR] <data options> [--robustness]`: scores of a saved model (the default
// model without --model), with their protocol; --robustness scores it under degraded recording conditions.
import type { Argv } from 'yargs';
import { DEMO_NOTE } from '../../lib/demo/note';
import { percent } from '../../lib/metrics/percent';
import { meta, type Command } from '../command-meta';
import { checkDevice, checkPrecision, precisionOption, dataFlagNames, dataOptionsFrom, DataArgs, deviceOption, noDataOptions, withDataOptions } from '../data-options';
import { UsageError } from '../errors';

interface Args extends DataArgs {
  model?: string;
  robustness: boolean;
  'all-clips': boolean;
  seed: number;
  device: string;
  precision: string;
  demo: boolean;
  json: boolean;
  adapt: 'none' | 'speaker';
}

export const evaluateCommand: Command<Args> = {
  ...meta('evaluate'),
  builder: (y: Argv<object>) =>
    withDataOptions(y, { split: false })
      .option('model', { type: 'string', describe: 'Model bundle folder (the model/ folder that train writes); default: the shipped default model' })
      .option('robustness', { type: 'boolean', default: false, describe: 'Score the validation clips of --split under telephone band, 44.1/22.05 kHz resampling, ±12 dB gain, white and babble noise at 20/10/5 dB SNR: UAR and flip rate per condition' })
      .option('split', { type: 'string', default: 'default', describe: 'With --robustness: the split whose validation clips are scored (default: RAVDESS 17-20 + SAVEE JE)' })
      .option('all-clips', { type: 'boolean', default: false, describe: 'With --robustness: score every clip given instead of the validation clips' })
      .option('seed', { type: 'number', default: 1, describe: 'With --robustness: seed of the noise and of the babble talkers' })
      .option('adapt', { choices: ['none', 'speaker'] as const, default: 'none' as const, describe: "speaker: also score each speaker's clips normalised with that speaker's statistics (speaker ids of the corpus), lone-clip and adapted figures side by side; a speaker with one clip is scored alone" })
      .option('device', deviceOption)
      .option('precision', precisionOption)
      .option('demo', { type: 'boolean', default: false, describe: `Score the ${DEMO_NOTE} (what \`train\` uses with no data options); only without data options` })
      .option('json', { type: 'boolean', default: false, describe: 'Print { protocol, n, accuracy, uar, macroF1, perClass, confusion, labels } as JSON' })
      .example('$0 evaluate --model ser-model/model --ravdess data/ravdess', 'Score a trained model')
      .example('$0 evaluate --model ser-model/model --demo', 'Score a model trained on the demo corpus on that corpus')
      .example('$0 evaluate --robustness --model runs/ens/model --ravdess data/ravdess --savee data/savee', 'Robustness table on actors 17-20 + SAVEE JE') as unknown as Argv<Args>,
  flagNames: () => ({ ...dataFlagNames, 'options.model': '--model' }),
  handler: async (a) => {
    const device = checkDevice(a.device);
    const precision = checkPrecision(a.precision);
    if (a.robustness && a.adapt !== 'none') throw new UsageError('--adapt applies to plain evaluation, not to --robustness: drop one of them');
    // Scoring the demo corpus silently would pass synthetic numbers off as a result: it has to be asked for.
    if (noDataOptions(a) && !a.demo) throw new UsageError('no recordings to score: give --ravdess DIR, --savee DIR or --data DIR|MANIFEST (or --demo for the synthetic demo corpus)');
    if (!noDataOptions(a) && a.demo) throw new UsageError('--demo scores the synthetic demo corpus: give it without --ravdess, --savee or --data');
    const { defaultModelDir } = await import('../../lib/model/default-model');
    const model = a.model ?? defaultModelDir({ mustExist: true });
    if (a.robustness) {
      const { evaluateRobustness, robustnessTable } = await import('../../lib/train/robustness');
      const r = await evaluateRobustness({ ...dataOptionsFrom(a), model, device, precision, clips: a['all-clips'] ? 'all' : 'validation', seed: a.seed, onProgress: (c, done, total) => process.stderr.write(`robustness ${done + 1}/${total}: ${c}\n`) });
      if (a.json) process.stdout.write(JSON.stringify(a.demo ? { data: DEMO_NOTE, ...r } : r, null, 2) + '\n');
      else process.stdout.write(`${a.demo ? `data: ${DEMO_NOTE}\n` : ''}model ${r.model}\nprotocol: ${r.protocol.name} (${r.protocol.description})\n\n${robustnessTable(r)}\n\nflip rate: share of clips whose predicted emotion differs from the clean clip's.\n`);
      return;
    }
    const { evaluate } = await import('../../lib/train/evaluate');
    const r = await evaluate({ ...dataOptionsFrom(a), model, device, precision, adapt: a.adapt });
    if (a.json) {
      process.stdout.write(JSON.stringify(a.demo ? { data: DEMO_NOTE, ...r } : r, null, 2) + '\n');
      return;
    }
    const out = [
      ...(a.demo ? [`data: ${DEMO_NOTE}`] : []),
      `protocol: ${r.protocol.name} (${r.protocol.description})`,
      `${r.n} clips: accuracy ${percent(r.accuracy)}, UAR ${percent(r.uar)}, macro-F1 ${percent(r.macroF1)}`,
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
    if (r.adapted) {
      const d = r.adapted;
      out.push('', `adapted (${d.speakers} speakers, each normalised with their own clips' statistics${d.loneClips ? `; ${d.loneClips} clips alone` : ''}): accuracy ${percent(d.accuracy)}, UAR ${percent(d.uar)}, macro-F1 ${percent(d.macroF1)}  (lone clips: UAR ${percent(r.uar)})`);
      if (d.note) out.push(`note: ${d.note}`);
    }
    if (r.skipped.length) out.push('', `${r.skipped.length} files skipped, e.g. ${r.skipped[0].path}: ${r.skipped[0].reason}`);
    if (r.excluded.length) out.push(`${r.excluded.length} recordings excluded: ${r.excluded[0].reason}`);
    process.stdout.write(out.join('\n') + '\n');
  },
};
