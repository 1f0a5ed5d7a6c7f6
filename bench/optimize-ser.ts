// The optimizers on the SER objective itself, at an equal budget in training epochs.
//
//   npx tsc -p tsconfig.json && nice node dist/bench/optimize.js --ser [--seeds 3] [--algorithms sfs-woa,tpe,random]
//       [--population 6] [--epochs 4] [--rungs 2] [--eta 2] [--epoch-budget 96] [--folds 0]
//       [--ravdess DIR] [--savee DIR] [--config recipe.json] [--train-seed 1]
//
// Each algorithm runs minimize() with `seeds` different search seeds (0 .. seeds-1) over SER_SPACE (less the
// levers --config sets: runSpace), with the objective of `ser-native optimize` run in this process
// (lib/optimize/objective.ts: train, fitness = 1 − mean validation UAR, over --folds speaker-grouped folds when
// given), successive halving over --rungs rungs ending at --epochs, the default recipe (or --config) as the first candidate, and the same --epoch-budget, never exceeded.
// The training seed is the same for every run, so the algorithms differ only in which configurations they try.
// Without data folders it runs on a small generated demo corpus (a CI-size check of the machinery, whose numbers
// say little about real speech). Prints a markdown table: the best UAR at the top rung (mean ± sample std over
// seeds), its gain over the starting recipe's UAR at the same epochs, evaluations and epochs spent, wall time.
// The best UAR is the search's own (selected) score, so it is optimistic for every algorithm alike.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import yargs from 'yargs';
import { ensureDemoCorpus } from '../lib/demo/corpus';
import { geometricBudgets } from '../lib/hpo/fidelity';
import { minimize } from '../lib/hpo/minimize';
import { ALGORITHMS, type Algorithm } from '../lib/hpo/optimizer';
import type { DeepPartial, TrainConfig } from '../lib/model/config';
import { tuningFolds } from '../lib/optimize/folds';
import { runEvaluation } from '../lib/optimize/objective';
import { recipePoint, runSpace, type SerHyperParameters, type SerSpace } from '../lib/optimize/space';
import type { ConfigOf } from '../lib/hpo/space';
import { resolveData, type AudioCache, type DataOptions } from '../lib/train/data';
import { meanStd } from '../lib/metrics/summary';

interface SerOptions {
  seeds: number;
  algorithms: Algorithm[];
  population: number;
  epochs: number;
  rungs: number;
  eta: number;
  epochBudget: number;
  folds: number;
  ravdess?: string;
  savee?: string;
  config?: string;
  trainSeed: number;
}

/** The demo corpus and a small, fast recipe, when no data folder is given. */
const DEMO = { actors: 8, emotions: ['neutral' as const, 'happy' as const, 'sad' as const, 'angry' as const], seconds: 1.5 };
const DEMO_FIXED: DeepPartial<TrainConfig> = {
  features: { clipSeconds: 1, windowHopSeconds: 0.5 },
  architecture: { channels: [8, 16, 16, 16], lstmLayers: 1 },
  warmupEpochs: 0,
  specAugment: { freqMasks: 0, timeMasks: 0 },
  warp: { time: 0, freq: 0 },
} as DeepPartial<TrainConfig>;

function parse(argv: readonly string[]): SerOptions {
  const a = yargs([...argv])
    .scriptName('optimize.js --ser')
    .usage('$0 [--seeds 3] [--algorithms sfs-woa,tpe,random] [--population 6] [--epochs 4] [--rungs 2] [--eta 2] [--epoch-budget 96] [--folds 0] [--ravdess DIR] [--savee DIR] [--config recipe.json] [--train-seed 1]\n\nThe optimizers on the SER objective at the same budget in training epochs (without data folders: a small demo corpus).')
    .option('seeds', { type: 'number', default: 3, describe: 'search seeds per algorithm (0 .. seeds-1)' })
    .option('algorithms', { type: 'string', default: 'sfs-woa,tpe,random', describe: `comma-separated, some of: ${ALGORITHMS.join(', ')}` })
    .option('population', { type: 'number', default: 6, describe: 'population size' })
    .option('epochs', { type: 'number', default: 4, describe: 'training epochs at the top rung' })
    .option('rungs', { type: 'number', default: 2, describe: 'successive-halving rungs' })
    .option('eta', { type: 'number', default: 2, describe: 'successive halving keeps the best 1/eta of a rung' })
    .option('epoch-budget', { type: 'number', default: 96, describe: 'training epochs per search, never exceeded' })
    .option('folds', { type: 'number', default: 0, describe: "speaker-grouped folds per evaluation (0: the split's validation speakers)" })
    .option('ravdess', { type: 'string', describe: 'RAVDESS folder' })
    .option('savee', { type: 'string', describe: 'SAVEE folder' })
    .option('config', { type: 'string', describe: 'starting recipe (JSON, a partial TrainConfig)' })
    .option('train-seed', { type: 'number', default: 1, describe: 'training seed of every evaluation' })
    .strict()
    .help()
    .parseSync();
  const whole = (flag: string, v: number, min: number): number => {
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`Expected a whole number for --${flag} but received ${v}`);
    return v;
  };
  const algorithms = a.algorithms.split(',') as Algorithm[];
  const bad = algorithms.filter((x) => !ALGORITHMS.includes(x));
  if (bad.length) throw new TypeError(`Unknown algorithm ${bad.join(', ')} for --algorithms; expected some of ${ALGORITHMS.join(', ')}`);
  const o: SerOptions = {
    seeds: whole('seeds', a.seeds, 1),
    algorithms,
    population: whole('population', a.population, 1),
    epochs: whole('epochs', a.epochs, 1),
    rungs: whole('rungs', a.rungs, 1),
    eta: a.eta,
    epochBudget: whole('epoch-budget', a['epoch-budget'], 1),
    folds: whole('folds', a.folds, 0),
    ravdess: a.ravdess,
    savee: a.savee,
    config: a.config,
    trainSeed: whole('train-seed', a['train-seed'], 0),
  };
  if (o.folds === 1) throw new RangeError('--folds must be 0 (the split\'s validation speakers) or at least 2');
  return o;
}

export async function serBenchmark(argv: readonly string[]): Promise<void> {
  const o = parse(argv);
  const budgets = geometricBudgets(o.epochs, o.rungs, o.eta);
  let data: DataOptions;
  let fixed: DeepPartial<TrainConfig>;
  if (o.ravdess || o.savee) {
    data = { ravdess: o.ravdess, savee: o.savee, split: 'default' };
    fixed = o.config ? JSON.parse(fs.readFileSync(o.config, 'utf8')) : {};
  } else {
    const dir = path.join(os.tmpdir(), 'ser-native-bench-demo');
    ensureDemoCorpus(dir, DEMO);
    data = { ravdess: dir, split: 'speakers:/ravdess:07,ravdess:08' };
    fixed = o.config ? JSON.parse(fs.readFileSync(o.config, 'utf8')) : DEMO_FIXED;
  }
  const resolved = await resolveData(data);
  const splits = o.folds >= 2 ? tuningFolds(resolved, data.split as string, o.folds, o.trainSeed) : [data.split as string];
  const audioCache: AudioCache = new Map();
  let index = 0;
  // Fitness = 1 − mean validation UAR over the splits (one, or the K folds), training for `epochs` epochs.
  const fitness = async (config: SerHyperParameters, epochs: number): Promise<number> => {
    let uar = 0;
    for (const split of splits) {
      const r = await runEvaluation({ index: index++, iteration: 0, config, data: { ...data, split }, fixed, seed: o.trainSeed, epochsPerEval: epochs, device: 'cpu' }, { audioCache });
      uar += r.metrics.uar;
    }
    return 1 - uar / splits.length;
  };
  const started = Date.now();
  const recipe = recipePoint(fixed).config;
  const recipeUar = 1 - (await fitness(recipe, o.epochs));
  process.stderr.write(`recipe: UAR ${recipeUar.toFixed(3)} at ${o.epochs} epochs (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);

  // Seed-major order, so that a run cut short has every algorithm at the same number of seeds.
  const runs = new Map(o.algorithms.map((a) => [a, { best: [] as number[], evals: [] as number[], epochs: [] as number[], seconds: 0 }]));
  for (let seed = 0; seed < o.seeds; seed++) {
    for (const algorithm of o.algorithms) {
      const t0 = Date.now();
      // The --config's levers are not searched (runSpace); typed as SER_SPACE for the configurations' types.
      const r = await minimize((c, ctx) => fitness(c, ctx.budget as number), runSpace(fixed) as SerSpace, {
        algorithm,
        population: o.population,
        seed,
        fidelity: { budgets, eta: o.eta },
        maxBudget: o.epochBudget * splits.length,
        initial: [recipe as ConfigOf<SerSpace>],
      });
      const run = runs.get(algorithm)!;
      run.best.push(1 - (r.best?.value ?? 1));
      run.evals.push(r.evaluations);
      run.epochs.push(r.budget);
      run.seconds += (Date.now() - t0) / 1000;
      process.stderr.write(`${algorithm} seed ${seed}: best UAR ${run.best[run.best.length - 1].toFixed(3)}, ${r.evaluations} evaluations, ${r.budget} epochs, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  }
  const rows = o.algorithms.map((algorithm) => {
    const { best, evals, epochs, seconds } = runs.get(algorithm)!;
    const s = meanStd(best);
    const gain = meanStd(best.map((b) => b - recipeUar));
    return `| ${algorithm} | ${s.mean.toFixed(3)} ± ${s.std.toFixed(3)} | ${gain.mean >= 0 ? '+' : ''}${(100 * gain.mean).toFixed(1)} ± ${(100 * gain.std).toFixed(1)} | ${meanStd(evals).mean.toFixed(1)} | ${meanStd(epochs).mean.toFixed(0)} | ${(seconds / o.seeds).toFixed(0)} s |`;
  });
  const where = o.ravdess || o.savee ? [o.ravdess, o.savee].filter(Boolean).join(' + ') : `demo corpus (${DEMO.actors} actors, ${DEMO.emotions.length} classes)`;
  console.log(
    `SER objective on ${where}, ${splits.length === 1 ? `split ${splits[0]}` : `${splits.length} speaker-grouped folds`}; ` +
      `${o.seeds} search seeds; population ${o.population}; rungs ${budgets.join('/')} epochs (eta ${o.eta}); budget ${o.epochBudget} epochs${splits.length > 1 ? ' per fold' : ''}; ` +
      `training seed ${o.trainSeed}; starting recipe UAR ${recipeUar.toFixed(3)} at ${o.epochs} epochs (${((Date.now() - started) / 1000).toFixed(0)} s in all)\n`,
  );
  console.log('| algorithm | best UAR (mean ± std) | vs recipe (points) | evaluations | epochs | time per search |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
