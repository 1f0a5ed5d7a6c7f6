// `npm run bench:train-precision`: is training under bf16 autocast (`precision: "bfloat16"`, native/trainer.cc)
// faster on this CPU than float32? (issue 25 item 4: kept only if measured faster at equal accuracy). The same
// default recipe, seed and split on ../shared/data, each precision in a child process of its own with the same
// LibTorch thread count, measured in one invocation. Prints the median epoch time after the first (which pays
// warm-up), the training part of it (forward + backward + step), the ratio, and each epoch's validation UAR.
//   node dist/bench/train-precision.js [--epochs 3] [--threads 1] [--data ../shared/data] [--json]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { EpochProfile } from '../lib/train/profile';

const args = yargs(hideBin(process.argv))
  .usage('$0 [--epochs 3] [--threads 1] [--data ../shared/data] [--json]\n\nTraining epochs of the default recipe in float32 and under bf16 autocast, same seed and threads.')
  .option('epochs', { type: 'number', default: 3, describe: 'epochs per run (the first is not counted in the median)' })
  .option('threads', { type: 'number', default: 1, describe: 'LibTorch threads of each run' })
  .option('data', { type: 'string', default: path.join('..', 'shared', 'data'), describe: 'the data folder with ravdess/ and savee/, relative to the repository' })
  .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
  .option('child', { type: 'string', hidden: true, describe: 'internal: the run a child process does (JSON)' })
  .check((x) => {
    if (!Number.isInteger(x.epochs) || x.epochs < 2) throw new Error(`--epochs must be an integer >= 2 (the first is warm-up), got ${x.epochs}`);
    if (!Number.isInteger(x.threads) || x.threads < 1) throw new Error(`--threads must be a positive integer, got ${x.threads}`);
    return true;
  })
  .strict()
  .help()
  .parseSync();
const root = path.join(__dirname, '..', '..');
const data = path.resolve(root, args.data);

type Precision = 'float32' | 'bfloat16';
interface RunResult {
  precision: Precision;
  epochSeconds: number[];
  trainSeconds: number[];
  uar: number[];
}

async function child(spec: { precision: Precision; epochs: number; data: string }): Promise<void> {
  const { train } = await import('../lib/train/train');
  const r = await train({ ravdess: path.join(spec.data, 'ravdess'), savee: path.join(spec.data, 'savee'), config: { precision: spec.precision }, epochs: spec.epochs, seed: 1 });
  const trainPart = (p: EpochProfile) => p.forward + p.backward + p.step;
  process.stdout.write(JSON.stringify({ epochSeconds: r.history.map((h) => h.seconds), trainSeconds: r.history.map((h) => trainPart(h.profile)), uar: r.history.map((h) => h.valUar ?? 0) }) + '\n');
}

function run(precision: Precision): RunResult {
  const env = { ...process.env, SER_NATIVE_THREADS: String(args.threads) };
  const p = spawnSync(process.execPath, [__filename, '--child', JSON.stringify({ precision, epochs: args.epochs, data })], { encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
  if (p.status !== 0) throw new Error(`${precision} failed: ${(p.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  return { precision, ...JSON.parse(p.stdout.trim().split('\n').pop()!) };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main(): Promise<void> {
  if (args.child !== undefined) return child(JSON.parse(args.child));
  if (!fs.existsSync(path.join(data, 'ravdess'))) {
    process.stdout.write(`train-precision skipped: no ${path.join(data, 'ravdess')} (give --data DIR)\n`);
    return;
  }
  const loadAverage = os.loadavg()[0];
  const runs = [run('float32'), run('bfloat16')].map((r) => ({ ...r, medianEpoch: median(r.epochSeconds.slice(1)), medianTrain: median(r.trainSeconds.slice(1)) }));
  const result = { epochs: args.epochs, threads: args.threads, loadAverage, runs, epochRatio: runs[0].medianEpoch / runs[1].medianEpoch, trainRatio: runs[0].medianTrain / runs[1].medianTrain };
  if (args.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  process.stdout.write(`default recipe, ${args.epochs} epochs, seed 1, ${args.threads} LibTorch thread(s) (1-min load average before: ${loadAverage.toFixed(2)})\n`);
  for (const r of runs) {
    process.stdout.write(`  ${r.precision.padEnd(9)} epoch ${r.medianEpoch.toFixed(1)} s (training part ${r.medianTrain.toFixed(1)} s)   val UAR ${r.uar.map((u) => (100 * u).toFixed(1)).join(', ')}\n`);
  }
  process.stdout.write(`  float32 / bfloat16: ${result.epochRatio.toFixed(2)}× per epoch, ${result.trainRatio.toFixed(2)}× for the training part (> 1: bf16 is faster)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
