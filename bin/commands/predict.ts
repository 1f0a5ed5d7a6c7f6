// `ser-native predict [--model DIR] file.wav ...`: the emotion of each file, or a timeline (default model without --model).
import type { Argv } from 'yargs';
import type { Prediction } from '../../lib/model/model';
import { percent } from '../../lib/metrics/percent';
import { meta, type Command } from '../command-meta';
import { checkDevice, checkPrecision, precisionOption, deviceOption } from '../data-options';
import { codeOf, errorLine, hintLine, UsageError } from '../errors';

/** One line: the emotion and confidence, 'uncertain', or 'no speech'. */
export function describePrediction(p: Prediction): string {
  if (p.reason === 'no-speech') return `no speech (${p.speechSeconds.toFixed(2)} s of speech detected)`;
  const ranked = Object.entries(p.probabilities ?? {}).sort((x, y) => y[1] - x[1]);
  if (p.reason === 'low-confidence') return `uncertain (best ${ranked[0][0]} ${percent(ranked[0][1])}, below --min-confidence)`;
  const then = ranked.slice(1, 3).map(([l, v]) => `${l} ${percent(v, { digits: 0 })}`).join(', ');
  return `${p.emotion} (${percent(p.confidence)}; then ${then})`;
}

interface Args {
  model?: string;
  files: string[];
  timeline: boolean;
  'min-confidence': number;
  hop?: number;
  smoothing?: number;
  median?: number;
  device: string;
  precision: string;
  json: boolean;
}

export const predictCommand: Command<Args> = {
  ...meta('predict'),
  builder: (y: Argv<object>) =>
    y
      // No default: an array positional would otherwise show "[default: []]" next to "[required]".
      .positional('files', { type: 'string', array: true, default: undefined, describe: 'WAV files (any rate, mono or multi-channel)' })
      .option('model', { type: 'string', describe: 'Model bundle folder (the model/ folder that train writes); default: the shipped default model (see `ser-native info`)' })
      .option('timeline', { type: 'boolean', default: false, describe: 'Emotion per window over time (for long audio)' })
      .option('hop', { type: 'number', describe: 'With --timeline: seconds between windows, 0.01 to 600 (default: the model\'s, 1 s)' })
      .option('smoothing', { type: 'number', describe: 'With --timeline: exponential smoothing of probabilities over time, 0 (none, default) to 0.99; causal, reset by speech-less windows' })
      .option('median', { type: 'number', describe: 'With --timeline: median over the last N speech windows, odd, 1 (none, default) to 99' })
      .option('min-confidence', { type: 'number', default: 0, describe: 'Print "uncertain" (emotion null in --json) when the top probability is below this (0-1)' })
      .option('device', deviceOption)
      .option('precision', precisionOption)
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON: [{ file, emotion, confidence, probabilities, speech, speechSeconds, reason }] (or segments with --timeline)' })
      .example('$0 predict clip.wav', 'The shipped default model, one line per file')
      .example('$0 predict --model ser-model/model clip.wav', 'A model you trained')
      .example('$0 predict --model ser-model/model --timeline --hop 0.5 talk.wav', 'Emotion every 0.5 s of a long recording')
      .example('$0 predict --timeline --hop 0.5 --smoothing 0.6 talk.wav', 'The same, smoothed over time (as the live stream does)') as unknown as Argv<Args>,
  flagNames: () => ({ 'options.hop': '--hop', 'options.minConfidence': '--min-confidence', 'options.smoothing': '--smoothing', 'options.median': '--median' }),
  handler: async (a) => {
    const device = checkDevice(a.device);
    const precision = checkPrecision(a.precision);
    for (const flag of ['hop', 'smoothing', 'median'] as const) {
      if (a[flag] !== undefined && !a.timeline) throw new UsageError(`--${flag} only applies with --timeline (add --timeline, or drop --${flag})`);
    }
    // The scoring flags get predict()'s and timeline()'s own checks before the model loads.
    const { checkHop, checkScoringOptions } = await import('../../lib/model/predict-options');
    const { checkSmoothing } = await import('../../lib/model/smoothing');
    checkScoringOptions({ minConfidence: a['min-confidence'] });
    if (a.hop !== undefined) checkHop(a.hop, {} as never); // the model's hop is only the default
    checkSmoothing({ smoothing: a.smoothing, median: a.median });
    const { loadModel } = await import('../../lib/model/model');
    const model = loadModel(a.model, { device, precision });
    const results: unknown[] = [];
    let failed: unknown = null;
    let failures = 0;
    for (const file of a.files) {
      try {
        if (a.timeline) {
          const segments = model.timeline(file, { hop: a.hop, minConfidence: a['min-confidence'], smoothing: a.smoothing, median: a.median });
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
        // A bad flag (--hop 0) is wrong for every file: stop and report it as a command-line error.
        if (codeOf(e) === 'ERR_ARGUMENT') throw e;
        // A bad file is reported and skipped; the others are still predicted.
        failures++;
        failed = e;
        const msg = (e as Error).message;
        results.push({ file, error: msg });
        if (!msg.includes(file)) (e as Error).message = `${file}: ${msg}`;
        process.stderr.write(errorLine('predict', e) + '\n');
      }
    }
    if (a.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    if (failed) {
      process.stderr.write(`${failures} of ${a.files.length} file(s) could not be predicted\n${hintLine('predict', failed)}\n`);
      process.exitCode = 1;
    }
  },
};
