// `ser-native predict --model DIR file.wav ...`: the emotion of each file, or a timeline.
import type { Argv, CommandModule } from 'yargs';
import { loadModel } from '../../lib/model/model';

interface Args {
  model: string;
  files: string[];
  timeline: boolean;
  hop?: number;
  device: string;
  json: boolean;
}

export const predictCommand: CommandModule<object, Args> = {
  command: 'predict <files...>',
  describe: 'Predict the emotion of WAV files with a trained model bundle',
  builder: (y: Argv<object>) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'WAV files (any rate, mono or multi-channel)' })
      .option('model', { type: 'string', demandOption: true, describe: 'Model bundle folder (the model/ folder that train writes)' })
      .option('timeline', { type: 'boolean', default: false, describe: 'Emotion per window over time (for long audio)' })
      .option('hop', { type: 'number', describe: 'Seconds between timeline windows (default: the model\'s, 1 s)' })
      .option('device', { type: 'string', default: 'cpu', describe: 'auto | cpu | cuda | cuda:N' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON: [{ file, emotion, confidence, probabilities }] (or segments with --timeline)' })
      .example('$0 predict --model ser-model/model clip.wav', 'One line per file') as unknown as Argv<Args>,
  handler: (a) => {
    const model = loadModel(a.model, { device: a.device as never });
    const results: unknown[] = [];
    let failed = 0;
    for (const file of a.files) {
      try {
        if (a.timeline) {
          const segments = model.timeline(file, { hop: a.hop });
          results.push({ file, segments });
          if (!a.json) {
            process.stdout.write(`${file}\n`);
            for (const s of segments) process.stdout.write(`  ${s.start.toFixed(2)}-${s.end.toFixed(2)} s  ${s.emotion.padEnd(10)} ${(100 * s.confidence).toFixed(1)}%\n`);
          }
        } else {
          const p = model.predict(file);
          results.push({ file, ...p });
          if (!a.json) {
            const top = Object.entries(p.probabilities).sort((x, y) => y[1] - x[1]).slice(1, 3).map(([l, v]) => `${l} ${(100 * v).toFixed(0)}%`).join(', ');
            process.stdout.write(`${file}: ${p.emotion} (${(100 * p.confidence).toFixed(1)}%; then ${top})\n`);
          }
        }
      } catch (e) {
        failed++;
        results.push({ file, error: (e as Error).message });
        const msg = (e as Error).message;
        process.stderr.write(`ser-native: ${msg.includes(file) ? msg : `${file}: ${msg}`}\n`);
      }
    }
    if (a.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    if (failed) process.exitCode = 1;
  },
};
