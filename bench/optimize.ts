// Benchmark of the hyper-parameter optimizers.
//
// Synthetic functions (default):
//   npx tsc -p tsconfig.json && nice node dist/bench/optimize.js [--evals 15000] [--seeds 10]
//       [--dimension 30] [--population 20] [--walks <population>] [--variants sfs-woa,tpe,random]
// Every algorithm gets the same evaluation budget per run, through minimize() (the code path users run), with
// seeds 0 .. seeds-1. Prints markdown tables: the best value found (mean ± sample std over seeds) per function
// and algorithm, and each algorithm's mean divided by random search's mean (< 1 is better than random).
// "sfs-woa (paper σ)" is SFS-WOA with the published, non-adaptive diffusion sigma (adaptiveDiffusion: false).
// TPE's cost grows with the square of the evaluations (every candidate scores against every told point): it is
// left out above 3,000 evaluations unless --variants names it.
//
// The SER objective: node dist/bench/optimize.js --ser [...], see bench/optimize-ser.ts.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type Algorithm, type BenchmarkFunction, benchmarkFunctions, benchmarkSpace, minimize } from '../lib/hpo';
import { serBenchmark } from './optimize-ser';
import { meanStd } from '../lib/metrics/summary';

interface Options {
  evals: number;
  seeds: number;
  dimension: number;
  population: number;
  walks: number | undefined;
}

interface Variant {
  readonly label: string;
  readonly algorithm: Algorithm;
  readonly adaptiveDiffusion?: boolean;
}

const ALL_VARIANTS: readonly Variant[] = [
  { label: 'sfs-woa', algorithm: 'sfs-woa' },
  { label: 'sfs-woa (paper σ)', algorithm: 'sfs-woa', adaptiveDiffusion: false },
  { label: 'woa', algorithm: 'woa' },
  { label: 'sfs', algorithm: 'sfs' },
  { label: 'tpe', algorithm: 'tpe' },
  { label: 'random', algorithm: 'random' },
];
let VARIANTS: readonly Variant[] = ALL_VARIANTS;

function parseArgs(argv: readonly string[]): Options {
  const labels = ALL_VARIANTS.map((v) => v.label);
  const a = yargs([...argv])
    .usage('$0 [--evals 15000] [--seeds 10] [--dimension 30] [--population 20] [--walks N] [--variants sfs-woa,tpe,random]\n\nThe optimizers on synthetic functions at the same evaluation budget (`$0 --ser --help`: on the SER objective).')
    .option('evals', { type: 'number', default: 15000, describe: 'evaluations per run' })
    .option('seeds', { type: 'number', default: 10, describe: 'runs per function and algorithm (seeds 0 .. seeds-1)' })
    .option('dimension', { type: 'number', default: 30, describe: 'dimensions of every function' })
    .option('population', { type: 'number', default: 20, describe: 'population size' })
    .option('walks', { type: 'number', describe: 'SFS-WOA diffusion walks (default: the population)' })
    .option('variants', { type: 'string', describe: `comma-separated, some of: ${labels.join(', ')}; must include random (default: all, tpe only up to 3,000 evaluations)` })
    .strict()
    .help()
    .parseSync();
  const whole = (flag: string, v: number | undefined, min: number): number => {
    if (!Number.isSafeInteger(v) || v! < min) throw new RangeError(`Expected ${min === 0 ? 'non-negative' : 'positive'} integer for --${flag} but received ${v}`);
    return v!;
  };
  const options: Options = {
    evals: whole('evals', a.evals, 1),
    seeds: whole('seeds', a.seeds, 1),
    dimension: whole('dimension', a.dimension, 1),
    population: whole('population', a.population, 1),
    walks: a.walks === undefined ? undefined : whole('walks', a.walks, 0),
  };
  const variants = a.variants === undefined ? null : a.variants.split(',');
  const unknown = (variants ?? []).filter((v) => !labels.includes(v));
  if (unknown.length) throw new TypeError(`Unknown variant ${unknown.join(', ')} for --variants; expected some of ${labels.join(', ')}`);
  VARIANTS = ALL_VARIANTS.filter((v) => (variants ? variants.includes(v.label) : v.label !== 'tpe' || options.evals <= 3000));
  if (!VARIANTS.some((v) => v.label === 'random')) throw new TypeError('--variants must include random (the tables are relative to it)');
  return options;
}

const fmt = (v: number) => (v === 0 ? '0' : v.toExponential(2));

async function bestValues(fn: BenchmarkFunction, variant: Variant, o: Options): Promise<number[]> {
  const space = benchmarkSpace(fn, o.dimension);
  const values: number[] = [];
  for (let seed = 0; seed < o.seeds; seed++) {
    const isSfsWoa = variant.algorithm === 'sfs-woa';
    const result = await minimize((c) => fn.evaluate(Object.values(c)), space, {
      algorithm: variant.algorithm,
      population: o.population,
      maxEvaluations: o.evals,
      seed,
      ...(isSfsWoa ? { walks: o.walks, adaptiveDiffusion: variant.adaptiveDiffusion } : {}),
    });
    if (result.evaluations !== o.evals) {
      throw new Error(`${variant.label} spent ${result.evaluations} of ${o.evals} evaluations`);
    }
    values.push(result.best!.value);
  }
  return values;
}

async function main(): Promise<void> {
  const o = parseArgs(hideBin(process.argv));
  const started = Date.now();
  const stats = new Map<string, { mean: number; std: number }>();
  for (const fn of benchmarkFunctions) {
    for (const variant of VARIANTS) {
      stats.set(`${fn.name}/${variant.label}`, meanStd(await bestValues(fn, variant, o)));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const walks = o.walks ?? o.population;
  console.log(
    `Best value found, mean ± std over ${o.seeds} seeds; D = ${o.dimension}, ${o.evals} evaluations per run, ` +
      `population ${o.population}, SFS-WOA walks ${walks} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  const header = `| function | ${VARIANTS.map((v) => v.label).join(' | ')} |`;
  const rule = `|---|${VARIANTS.map(() => '---').join('|')}|`;
  console.log([header, rule, ...benchmarkFunctions.map((fn) => {
    const cells = VARIANTS.map((v) => {
      const s = stats.get(`${fn.name}/${v.label}`)!;
      return `${fmt(s.mean)} ± ${fmt(s.std)}`;
    });
    return `| ${fn.name} | ${cells.join(' | ')} |`;
  })].join('\n'));
  console.log('\nMean relative to random search (smaller is better)\n');
  console.log([header, rule, ...benchmarkFunctions.map((fn) => {
    const random = stats.get(`${fn.name}/random`)!.mean;
    const cells = VARIANTS.map((v) => fmt(stats.get(`${fn.name}/${v.label}`)!.mean / random));
    return `| ${fn.name} | ${cells.join(' | ')} |`;
  })].join('\n'));
}

const args = hideBin(process.argv);
const run = args.includes('--ser') ? serBenchmark(args.filter((x) => x !== '--ser')) : main();
run.catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
