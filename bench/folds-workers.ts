// `npm run bench:folds-workers`: is an ensemble faster trained as 2 worker processes × 1 LibTorch thread, or in one
// process with 2 threads? (issue 25 item 2). Both runs train the same K speaker folds (+ M full-data members) of
// trainFolds on ../shared/data at the same seed, each run in a child process of its own, measured in one invocation:
//   (a) workers = cores: a process pool, each worker an equal share of the cores (1 thread on 2 cores);
//   (b) workers = 0: one after another in the child process, with all the cores as LibTorch threads.
// Prints wall seconds of each, the ratio, and each fold's validation UAR. The fold models are not equal across the
// two runs (a different thread count changes the float summation order); equality at the same thread count is
// tested in test/native/folds.test.ts.
//   node dist/bench/folds-workers.js [--folds 2] [--members 0] [--epochs 2] [--data ../shared/data] [--json]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

const args = yargs(hideBin(process.argv))
  .usage('$0 [--folds 2] [--members 0] [--epochs 2] [--data ../shared/data] [--json]\n\nAn ensemble trained as worker processes × 1 thread against one process with all the threads, on the same folds and seed.')
  .option('folds', { type: 'number', default: 2, describe: 'speaker folds' })
  .option('members', { type: 'number', default: 0, describe: 'full-data members after the folds' })
  .option('epochs', { type: 'number', default: 2, describe: 'epochs per fold (members: the folds\' median best epoch)' })
  .option('data', { type: 'string', default: path.join('..', 'shared', 'data'), describe: 'the data folder with ravdess/ and savee/, relative to the repository' })
  .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
  .option('child', { type: 'string', hidden: true, describe: 'internal: the run a child process does (JSON)' })
  .check((x) => {
    for (const k of ['folds', 'epochs'] as const) if (!Number.isInteger(x[k]) || x[k] < 1) throw new Error(`--${k} must be a positive integer, got ${x[k]}`);
    if (!Number.isInteger(x.members) || x.members < 0) throw new Error(`--members must be a non-negative integer, got ${x.members}`);
    if (x.folds < 2) throw new Error(`--folds must be at least 2, got ${x.folds}`);
    return true;
  })
  .strict()
  .help()
  .parseSync();
const root = path.join(__dirname, '..', '..');
const data = path.resolve(root, args.data);
const cores = os.cpus().length;

interface Spec {
  workers: number;
  folds: number;
  members: number;
  epochs: number;
  data: string;
}
interface RunResult {
  label: string;
  threadsPerProcess: number;
  processes: number;
  seconds: number;
  foldUar: number[];
}

/** Runs in the child: one trainFolds call (its LibTorch thread count is set by SER_NATIVE_THREADS). */
async function child(spec: Spec): Promise<void> {
  const { trainFolds } = await import('../lib/train/folds');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-folds-'));
  try {
    const t0 = Date.now();
    const r = await trainFolds({
      ravdess: path.join(spec.data, 'ravdess'),
      savee: path.join(spec.data, 'savee'),
      split: 'all',
      folds: spec.folds,
      members: spec.members,
      epochs: spec.epochs,
      seed: 1,
      workers: spec.workers,
      out,
    });
    process.stdout.write(JSON.stringify({ seconds: (Date.now() - t0) / 1000, foldUar: r.folds.map((f) => f.uar) }) + '\n');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function run(label: string, spec: Spec, threads: number): RunResult {
  const env = { ...process.env, SER_NATIVE_THREADS: String(threads) };
  const p = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(spec)], { encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
  if (p.status !== 0) throw new Error(`${label} failed: ${(p.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  const r = JSON.parse(p.stdout.trim().split('\n').pop()!) as { seconds: number; foldUar: number[] };
  return { label, threadsPerProcess: spec.workers ? Math.max(1, Math.floor(cores / spec.workers)) : threads, processes: Math.max(1, spec.workers), ...r };
}

async function main(): Promise<void> {
  if (args.child !== undefined) return child(JSON.parse(args.child));
  if (!fs.existsSync(path.join(data, 'ravdess'))) {
    process.stdout.write(`folds-workers skipped: no ${path.join(data, 'ravdess')} (give --data DIR)\n`);
    return;
  }
  const base = { folds: args.folds, members: args.members, epochs: args.epochs, data };
  const loadAverage = os.loadavg()[0];
  const pooled = run(`${cores} workers × 1 thread`, { ...base, workers: cores }, cores);
  const single = run(`1 process × ${cores} threads`, { ...base, workers: 0 }, cores);
  const result = { cores, loadAverage, ...base, runs: [pooled, single], ratio: single.seconds / pooled.seconds };
  if (args.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  process.stdout.write(`trainFolds, ${args.folds} folds + ${args.members} members × ${args.epochs} epochs, seed 1, ${cores} cores (1-min load average before: ${loadAverage.toFixed(2)})\n`);
  for (const r of result.runs) process.stdout.write(`  ${r.label.padEnd(24)} ${r.seconds.toFixed(1).padStart(7)} s   fold UAR ${r.foldUar.map((u) => (100 * u).toFixed(1)).join(', ')}\n`);
  process.stdout.write(`  one process with ${cores} threads takes ${result.ratio.toFixed(2)}× the wall time of ${cores} single-thread workers\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
