// Does model.stream() hold memory per stream? Streams one real clip (1 s, 100 ms chunks) N times at
// one rate or rotating through eight rates, and prints RSS after a full GC and releaseMemory()
// every 500 streams (garbage and the allocators' caches excluded).
//
//   node dist/bench/stream-rss.js [--rates] [--n 3000] [--model DIR]     needs ../shared/data
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readWav } from '../lib/audio/wav';
import { releaseMemory } from '../lib/info';
import { loadModel } from '../lib/model/model';
import { EmotionStream } from '../lib/stream';
import { collectGarbage } from './fuzz';

const SHARED_DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

const RATES = [8000, 11025, 22050, 44100, 32000, 24000, 12000, 7919];

async function main(): Promise<void> {
  const a = yargs(hideBin(process.argv))
    .usage('$0 [--rates] [--n 3000] [--model DIR]\n\nStreams one real clip N times through model.stream() and prints RSS after GC + releaseMemory() every 500 streams (needs ../shared/data).')
    .option('rates', { type: 'boolean', default: false, describe: 'rotate through eight input rates (default: the clip\'s own)' })
    .option('n', { type: 'number', default: 3000, describe: 'streams' })
    .option('model', { type: 'string', describe: 'model bundle folder (default: the default model)' })
    .check((x) => {
      if (!Number.isInteger(x.n) || x.n < 1) throw new Error(`--n must be a positive integer, got ${x.n}`);
      return true;
    })
    .strict()
    .help()
    .parseSync();
  const rotate = a.rates;
  const n = a.n;
  const modelDir = a.model;
  const clip = path.join(SHARED_DATA, 'ravdess', 'Actor_01', '03-01-05-02-01-01-01.wav');
  if (!fs.existsSync(clip)) throw new Error(`${clip} is missing: this bench needs ../shared/data`);
  const model = loadModel(modelDir);
  const w = readWav(fs.readFileSync(clip));
  const samples = w.samples.subarray(0, w.sampleRate);
  for (let i = 1; i <= n; i++) {
    const rate = rotate ? RATES[i % RATES.length] : w.sampleRate; // the samples are labelled with that rate
    const s = new EmotionStream(model, {});
    const chunk = Math.round(rate / 10);
    for (let k = 0; k < samples.length; k += chunk) s.push(samples.subarray(k, k + chunk), rate);
    await s.end();
    if (i % 500 === 0) {
      collectGarbage();
      releaseMemory();
      process.stdout.write(`${i} streams: rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB after GC + releaseMemory()\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`stream-rss: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
