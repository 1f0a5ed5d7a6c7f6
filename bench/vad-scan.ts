// How often speech detection finds speech in labelled corpora (every clip should be speech):
//   npm run build:ts && node dist/bench/vad-scan.js ../shared/data/ravdess ../shared/data/savee
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { indexDataset } from '../lib/dataset';
import { decodeAudio } from '../lib/audio/decode';
import { detectSpeech } from '../lib/audio/vad';

async function main(): Promise<void> {
  const a = yargs(hideBin(process.argv))
    .usage('$0 DIR...\n\nHow often speech detection finds speech in labelled corpus folders (every clip should be speech).')
    .demandCommand(1, 'give one or more corpus folders, e.g. ../shared/data/ravdess ../shared/data/savee')
    .strict()
    .help()
    .parseSync();
  const dirs = a._.map(String);
  const r = await indexDataset(dirs);
  const fractions: number[] = [];
  const missed: string[] = [];
  for (const it of r.items) {
    const d = detectSpeech(decodeAudio(it.path, 16000), 16000);
    if (!d.speech) missed.push(`${it.path} (${d.speechSeconds.toFixed(2)} s)`);
    fractions.push(d.speechSeconds / d.durationSeconds);
  }
  fractions.sort((a, b) => a - b);
  const q = (p: number) => fractions[Math.min(fractions.length - 1, Math.floor(p * fractions.length))].toFixed(2);
  process.stdout.write(`${r.items.length} clips; no speech found in ${missed.length}${missed.length ? `: ${missed.join(', ')}` : ''}\n`);
  process.stdout.write(`speech fraction of each clip: p5 ${q(0.05)}, median ${q(0.5)}, p95 ${q(0.95)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
