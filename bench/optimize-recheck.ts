// Does the recipe an optimize run found really beat the recipe it started from? An optimize run's best is
// selected on its own fitness (one training seed), so its margin is optimistic. This retrains both, the run's
// best configuration and its starting recipe (evaluation #0), on the run's own folds (or split) with other
// training seeds, and optionally for more epochs, and prints the paired difference.
//
//   npx tsc -p tsconfig.json && node dist/bench/optimize-recheck.js OUT [--seeds 2,3] [--epochs N] [--index I] [--json]
//
// OUT is the --out folder of `ser-native optimize` (state.json and evaluations.jsonl; the run need not be
// finished). --epochs defaults to the run's --epochs-per-eval; --index picks another evaluation than the best
// at the top rung. Prints, per training seed, the mean validation UAR of each over the folds, then the mean ±
// sample std of best − recipe over all (seed, fold) pairs, in points. Runs in this process with LibTorch's
// threads as set by SER_NATIVE_THREADS.
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { readRecords, type EvaluationRecord } from '../lib/optimize/journal';
import { runEvaluation } from '../lib/optimize/objective';
import { recipeRecord } from '../lib/optimize/outputs';
import { readRunState } from '../lib/optimize/run-state';
import { bestRecord } from '../lib/optimize/search';
import type { AudioCache } from '../lib/train/data';
import { meanStd } from '../lib/metrics/summary';

interface RecheckOptions {
  out: string;
  seeds: number[];
  epochs?: number;
  index?: number;
  json: boolean;
}

function parse(argv: readonly string[]): RecheckOptions {
  const a = yargs([...argv])
    .usage('$0 OUT [--seeds 2,3] [--epochs N] [--index I] [--json]\n\nRetrains an optimize run\'s best configuration and its starting recipe with other training seeds; prints the paired difference. OUT: the --out folder of `ser-native optimize`.')
    .demandCommand(1, 1, 'give OUT, the --out folder of an optimize run', 'one OUT folder only')
    .option('seeds', { type: 'string', default: '2,3', describe: 'training seeds, comma-separated' })
    .option('epochs', { type: 'number', describe: "training epochs (default: the run's --epochs-per-eval)" })
    .option('index', { type: 'number', describe: 'the evaluation to recheck (default: the best at the top rung)' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
    .strict()
    .help()
    .parseSync();
  const whole = (flag: string, v: string | number, min: number) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`Expected a whole number >= ${min} for --${flag} but received ${v}`);
    return n;
  };
  return {
    out: String(a._[0]),
    seeds: a.seeds.split(',').map((v) => whole('seeds', v, 0)),
    epochs: a.epochs === undefined ? undefined : whole('epochs', a.epochs, 1),
    index: a.index === undefined ? undefined : whole('index', a.index, 0),
    json: a.json,
  };
}

/** The evaluation to recheck: --index, or the best among those trained for the top rung's epochs. */
function pick(records: readonly EvaluationRecord[], epochsPerEval: number, index: number | undefined, file: string): EvaluationRecord {
  if (index !== undefined) {
    const r = records.find((x) => x.index === index && x.status === 'ok');
    if (!r) throw new RangeError(`--index ${index}: ${file} has no successful evaluation with that index`);
    return r;
  }
  const best = bestRecord(records, epochsPerEval);
  if (!best) throw new Error(`${file} has no successful evaluation at the top rung (${epochsPerEval} epochs) yet`);
  return best;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const stateFile = path.join(o.out, 'state.json');
  const journal = path.join(o.out, 'evaluations.jsonl');
  if (!fs.existsSync(stateFile)) throw new Error(`${stateFile} not found: OUT must be the --out folder of a ser-native optimize run`);
  const state = readRunState(o.out); // paths in state.json are relative to OUT
  const s = state.settings;
  const records = readRecords(journal);
  // The starting recipe at the highest rung it reached (halving always promotes it).
  const recipe = recipeRecord(records);
  if (!recipe || recipe.status !== 'ok') throw new Error(`${journal} has no successful evaluation #0 (the starting recipe) yet`);
  const best = pick(records, s.epochsPerEval, o.index, journal);
  const epochs = o.epochs ?? s.epochsPerEval;
  const splits = state.folds ?? [s.data.split as string];
  const audioCache: AudioCache = new Map();
  const log = (m: string) => process.stderr.write(m + '\n');
  log(`rechecking evaluation #${best.index} (search UAR ${(1 - (best.fitness as number)).toFixed(3)}) against the starting recipe (search UAR ${(1 - (recipe.fitness as number)).toFixed(3)} at ${recipe.epochs ?? s.epochsPerEval} epochs, #${recipe.index}): ${epochs} epochs, ${splits.length} fold(s), training seeds ${o.seeds.join(', ')}`);

  const started = Date.now();
  const rows: { seed: number; recipe: number[]; best: number[] }[] = [];
  let index = 0;
  const score = async (config: EvaluationRecord['config'], seed: number): Promise<number[]> => {
    const r = await runEvaluation({ index: index++, iteration: 0, config, data: s.data, fixed: s.fixed, seed, epochsPerEval: epochs, device: 'cpu', splits: splits.length > 1 ? splits : undefined }, { audioCache });
    return r.metrics.foldUars ?? [r.metrics.uar];
  };
  for (const seed of o.seeds) {
    const row = { seed, recipe: await score(recipe.config, seed), best: await score(best.config, seed) };
    rows.push(row);
    log(`seed ${seed}: recipe ${meanStd(row.recipe).mean.toFixed(3)} (${row.recipe.map((u) => u.toFixed(3)).join(', ')}), best ${meanStd(row.best).mean.toFixed(3)} (${row.best.map((u) => u.toFixed(3)).join(', ')})`);
  }
  const diffs = rows.flatMap((r) => r.best.map((b, f) => b - r.recipe[f]));
  const d = meanStd(diffs);
  const all = (k: 'recipe' | 'best') => meanStd(rows.flatMap((r) => r[k]));
  const summary = {
    out: o.out,
    bestIndex: best.index,
    bestConfig: best.config,
    epochs,
    folds: splits.length,
    seeds: o.seeds,
    rows,
    recipeUar: all('recipe'),
    bestUar: all('best'),
    differencePoints: { mean: 100 * d.mean, std: 100 * d.std, pairs: diffs.length },
    seconds: (Date.now() - started) / 1000,
  };
  if (o.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(`${o.out}: evaluation #${best.index} vs the starting recipe, ${epochs} epochs, ${splits.length} fold(s), training seeds ${o.seeds.join(', ')} (${summary.seconds.toFixed(0)} s)\n`);
  console.log('| training seed | recipe UAR (mean over folds) | best UAR | best − recipe (points) |');
  console.log('|---|---|---|---|');
  for (const r of rows) {
    const a = meanStd(r.recipe).mean;
    const b = meanStd(r.best).mean;
    console.log(`| ${r.seed} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${b - a >= 0 ? '+' : ''}${(100 * (b - a)).toFixed(1)} |`);
  }
  const f = (m: { mean: number; std: number }) => `${m.mean.toFixed(3)} ± ${m.std.toFixed(3)}`;
  console.log(`| all (${diffs.length} seed × fold pairs) | ${f(summary.recipeUar)} | ${f(summary.bestUar)} | ${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(1)} ± ${(100 * d.std).toFixed(1)} |`);
}

main().catch((e) => {
  console.error(`optimize-recheck: ${(e as Error).message}`);
  process.exitCode = 1;
});
