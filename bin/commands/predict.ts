// `ser-native predict --model DIR file.wav ...`: the emotion of each file, or a timeline.
import type { Argv, CommandModule } from 'yargs';
import { loadModel, Prediction } from '../../lib/model/model';

/** One line: the emotion and confidence, 'uncertain', or 'no speech'. */
export function describePrediction(p: Prediction): string {
  if (p.reason === 'no-speech') return `no speech (${p.speechSeconds.toFixed(2)} s of speech detected)`;
  const ranked = Object.entries(p.probabilities ?? {}).sort((x, y) => y[1] - x[1]);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  if (p.reason === 'low-confidence') return `uncertain (best ${ranked[0][0]} ${pct(ranked[0][1])}, below --min-confidence)`;
  const then = ranked.slice(1, 3).map(([l, v]) => `${l} ${(100 * v).toFixed(0)}%`).join(', ');
  return `${p.emotion} (${pct(p.confidence!)}; then ${then})`;
}

interface Args {
  model: string;
  files: string[];
  timeline: boolean;
  'min-confidence': number;
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
      .option('min-confidence', { type: 'number', default: 0, describe: 'Print "uncertain" (emotion null in --json) when the top probability is below this (0-1)' })
      .option('device', { type: 'string', default: 'cpu', describe: 'auto | cpu | cuda | cuda:N' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON: [{ file, emotion, confidence, probabilities, speech, speechSeconds, reason }] (or segments with --timeline)' })
      .example('$0 predict --model ser-model/model clip.wav', 'One line per file') as unknown as Argv<Args>,
  handler: (a) => {
    const model = loadModel(a.model, { device: a.device as never });
    const results: unknown[] = [];
    let failed = 0;
    for (const file of a.files) {
      try {
        if (a.timeline) {
          const segments = model.timeline(file, { hop: a.hop, minConfidence: a['min-confidence'] });
          results.push({ file, segments });
          if (!a.json) {
            process.stdout.write(`${file}\n`);
            for (const s of segments) process.stdout.write(`  ${s.start.toFixed(2)}-${s.end.toFixed(2)} s  ${describePrediction(s)}\n`);
          }
        } else {
          const p = model.predict(file, { minConfidence: a['min-confidence'] });
          results.push({ file, ...p });
          if (!a.json) process.stdout.write(`${file}: ${describePrediction(p)}\n`);
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
