// `npm run bench:train` part 2: whole training epochs on ../shared/data, end to end, each run in a
// child process of its own (peak RSS per run), measured in the same invocation:
//   (a) the seed recipe (../shared/bench/seed-recipe.json) with the native pipeline, and the same
//       epochs in Python PyTorch (../shared/bench/ser_reference.py) when python3 has torch + librosa;
//   (b) the default recipe with the native pipeline and with the previous TypeScript pipeline ('js').
// Prints per-recipe epoch seconds (median of epochs after the first), the per-phase breakdown, peak
// RSS, and the ratios; the model step alone (bench/train.ts part 1) gives the "epoch / model step" ratio.
//   node dist/bench/train-epochs.js [--epochs 3] [--data ../shared/data] [--json] [--skip-python] [--skip-js]
// Python is `python3` (or $PYTHON) with the environment passed through: point PYTHONPATH at folders
// holding torch and librosa when they are not installed, e.g.
//   PYTHONPATH=~/.cache/ser-native/torch-2.13.0-cpu:/path/to/librosa-site npm run bench:train
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { EpochProfile } from '../lib/train/profile';

interface RunResult {
  label: string;
  epochSeconds: number[];
  profile: Partial<Record<keyof EpochProfile, number>>;
  maxRssMB: number;
  setupSeconds: number;
  trainSamples: number;
  uar: number[];
}

const args = yargs(hideBin(process.argv))
  .usage('$0 [--epochs 3] [--data ../shared/data] [--json] [--skip-python] [--skip-js]\n\nWhole training epochs end to end, each run in a child process: the seed recipe (native, and Python PyTorch), the default recipe (native and the previous JS pipeline).')
  .option('epochs', { type: 'number', default: 3, describe: 'epochs per run' })
  .option('shared', { type: 'string', default: path.join('..', 'shared'), describe: 'the shared folder (bench/seed-recipe.json, bench/ser_reference.py, data/), relative to the repository' })
  .option('data', { type: 'string', describe: 'the data folder with ravdess/ and savee/ (default: <shared>/data)' })
  .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
  .option('skip-python', { type: 'boolean', default: false, describe: 'do not run the Python PyTorch reference' })
  .option('skip-js', { type: 'boolean', default: false, describe: 'do not run the previous JS pipeline' })
  .option('child', { type: 'string', hidden: true, describe: 'internal: the run a child process does (JSON)' })
  .check((x) => {
    if (!Number.isInteger(x.epochs) || x.epochs < 1) throw new Error(`--epochs must be a positive integer, got ${x.epochs}`);
    return true;
  })
  .strict()
  .help()
  .parseSync();
const root = path.join(__dirname, '..', '..');
const shared = path.resolve(root, args.shared);
const data = path.resolve(root, args.data ?? path.join(shared, 'data'));

/** What a child process trains (the data folder travels with it: the child has no other arguments). */
interface Spec {
  config?: unknown;
  epochs: number;
  pipeline: 'native' | 'js';
  data: string;
}

/** Runs in the child: one training run, its history and peak RSS as one JSON line on stdout. */
async function child(spec: Spec): Promise<void> {
  const { train } = await import('../lib/train/train');
  const t0 = Date.now();
  let firstBatch = 0;
  const r = await train({
    ravdess: path.join(spec.data, 'ravdess'),
    savee: path.join(spec.data, 'savee'),
    config: spec.config as never,
    epochs: spec.epochs,
    pipeline: spec.pipeline,
    onProgress: (p) => {
      if (p.phase === 'batch' && p.batch === 1 && !firstBatch) firstBatch = (Date.now() - t0) / 1000;
    },
  });
  const skipFirst = r.history.length > 1 ? r.history.slice(1) : r.history;
  const profile: Record<string, number> = {};
  for (const h of skipFirst) for (const [k, v] of Object.entries(h.profile)) if (typeof v === 'number') profile[k] = (profile[k] ?? 0) + v / skipFirst.length;
  const out = {
    epochSeconds: r.history.map((h) => h.seconds),
    profile,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    setupSeconds: firstBatch,
    trainSamples: r.split.train.n,
    uar: r.history.map((h) => h.valUar ?? 0),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runNode(label: string, spec: Spec): RunResult {
  const p = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (p.status !== 0) throw new Error(`${label} failed: ${(p.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  return { label, ...JSON.parse(p.stdout.trim().split('\n').pop()!) };
}

const python = process.env.PYTHON || 'python3';

function runPython(epochs: number): { epochSeconds: number[]; maxRssMB: number; ravdessUar: number[] } | string {
  const script = path.join(shared, 'bench', 'ser_reference.py');
  if (!fs.existsSync(script)) return `${script} not found`;
  const check = spawnSync(python, ['-c', 'import torch, librosa'], { encoding: 'utf8' });
  if (check.status !== 0) return `${python} cannot import torch and librosa (${(check.stderr || '').trim().split('\n').pop()}); set PYTHONPATH (or PYTHON) to where they are, see ${path.join(shared, 'bench', 'README.md')}`;
  // GNU time's %M is the child's peak RSS in KB; without it the RSS is not reported.
  const time = fs.existsSync('/usr/bin/time');
  const cmd = time ? '/usr/bin/time' : python;
  const args = [...(time ? ['-f', 'MAXRSS %M', python] : []), script, '--shared', data, '--epochs', String(epochs)];
  const p = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (p.status !== 0) return `ser_reference.py failed: ${(p.stderr || '').trim().split('\n').slice(-2).join(' ')}`;
  const lines = p.stderr.split('\n').filter((l) => l.startsWith('{') && l.includes('"s"')).map((l) => JSON.parse(l) as { s: number; val: { ravdess: { uar: number } } });
  const rss = /MAXRSS (\d+)/.exec(p.stderr);
  return { epochSeconds: lines.map((l) => l.s), maxRssMB: rss ? Math.round(Number(rss[1]) / 1024) : NaN, ravdessUar: lines.map((l) => l.val.ravdess.uar) };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
/** Median over the epochs after the first (the first pays warm-up), or the only one. */
const typical = (v: number[]) => median(v.length > 1 ? v.slice(1) : v);

function phases(p: RunResult['profile']): string {
  const keys = ['noise', 'noisyLogMel', 'crops', 'batch', 'specAugment', 'forward', 'backward', 'step', 'validation', 'checkpoint', 'progress'] as const;
  return keys.filter((k) => (p[k] ?? 0) >= 0.01).map((k) => `${k} ${(p[k] ?? 0).toFixed(2)}`).join(', ');
}

async function main(): Promise<void> {
  if (args.child !== undefined) return child(JSON.parse(args.child));
  if (!fs.existsSync(path.join(data, 'ravdess'))) {
    process.stdout.write(`end-to-end epochs skipped: no ${path.join(data, 'ravdess')} (give --data DIR)\n`);
    return;
  }
  const epochs = args.epochs;
  const seedRecipe = JSON.parse(fs.readFileSync(path.join(shared, 'bench', 'seed-recipe.json'), 'utf8'));
  const runs: RunResult[] = [];
  runs.push(runNode('seed recipe, native pipeline', { config: seedRecipe, epochs, pipeline: 'native', data }));
  const py = args['skip-python'] ? 'skipped (--skip-python)' : runPython(epochs);
  runs.push(runNode('default recipe, native pipeline', { epochs, pipeline: 'native', data }));
  if (!args['skip-js']) runs.push(runNode('default recipe, previous JS pipeline', { epochs, pipeline: 'js', data }));
  const result = {
    epochs,
    runs: runs.map((r) => ({ ...r, typicalEpochSeconds: typical(r.epochSeconds) })),
    python: typeof py === 'string' ? { note: py } : { ...py, typicalEpochSeconds: typical(py.epochSeconds) },
    seedRecipeSpeedupVsPython: typeof py === 'string' ? null : typical(py.epochSeconds) / typical(runs[0].epochSeconds),
  };
  if (args.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  process.stdout.write(`whole epochs on ${data} (median of epochs 2..${epochs}; each run in its own process):\n`);
  for (const r of result.runs) {
    process.stdout.write(`  ${r.label.padEnd(38)} ${r.typicalEpochSeconds.toFixed(1)} s/epoch (${r.epochSeconds.map((s) => s.toFixed(1)).join(', ')}), first batch after ${r.setupSeconds.toFixed(1)} s, peak RSS ${r.maxRssMB} MB, validation UAR by epoch ${r.uar.map((u) => u.toFixed(3)).join(', ')}\n`);
    process.stdout.write(`    per epoch: ${phases(r.profile)} s\n`);
  }
  if (typeof py === 'string') process.stdout.write(`  Python PyTorch (ser_reference.py): ${py}\n`);
  else process.stdout.write(`  Python PyTorch (ser_reference.py)      ${typical(py.epochSeconds).toFixed(1)} s/epoch (${py.epochSeconds.map((s) => s.toFixed(1)).join(', ')}), peak RSS ${py.maxRssMB} MB, RAVDESS validation UAR by epoch ${py.ravdessUar.map((u) => u.toFixed(3)).join(', ')}; seed recipe ratio ${result.seedRecipeSpeedupVsPython!.toFixed(2)}x (target >= 2)\n`);
  const js = result.runs.find((r) => r.label.includes('JS'));
  const nat = result.runs.find((r) => r.label.startsWith('default'))!;
  if (js) process.stdout.write(`  default recipe: native pipeline ${(js.typicalEpochSeconds / nat.typicalEpochSeconds).toFixed(2)}x faster per epoch than the JS pipeline\n`);
  const model = (nat.profile.forward ?? 0) + (nat.profile.backward ?? 0) + (nat.profile.step ?? 0);
  process.stdout.write(`  default recipe: epoch / model step (forward+backward+step) = ${(nat.typicalEpochSeconds / model).toFixed(2)} (target <= 1.2)\n`);
}

main().catch((e) => {
  process.stderr.write(`bench:train (epochs) failed: ${(e as Error).message}\n`);
  process.exit(1);
});
