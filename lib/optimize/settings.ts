// What defines an optimize run (algorithm, budget, seed, data, fixed recipe), its defaults, and the check that a
// resume continues the same run: settings that shape the sequence of candidates or their fitness may not change.
import * as path from 'path';
import { ALGORITHMS, type Algorithm } from '../hpo/optimizer';
import * as is from '../is';
import { defaultTrainConfig, type DeepPartial, type TrainConfig } from '../model/config';
import { checkDataOptions, type DataOptions } from '../train/data';
import { createOptimizer } from '../hpo/registry';
import { geometricBudgets, type FidelityPlan } from '../hpo/fidelity';
import { runSpace, validateFixed, type SerHyperParameters } from './space';
import { warmStartConfigs } from './warm-start';

export interface RunSettings {
  algorithm: Algorithm;
  population: number;
  /** Planned iterations; null when derived from maxEvals. */
  iterations: number | null;
  maxEvals: number | null;
  seed: number;
  epochsPerEval: number;
  finalEpochs: number;
  /** Data options with folders made absolute (a resume may start from another directory). */
  data: DataOptions;
  fixed: DeepPartial<TrainConfig>;
  baseline: boolean;
  /** Successive-halving rungs ending at epochsPerEval (1 = every candidate trains epochsPerEval epochs). */
  rungs: number;
  /** Reduction factor between rungs: 1/eta of a rung's candidates go on. */
  eta: number;
  /** Budget of the search in training epochs (all evaluations, all folds), or null. */
  epochBudget: number | null;
  /** Fitness = mean UAR over this many speaker-grouped folds of the tuning speakers; null = the split's validation. */
  folds: number | null;
  /** Configurations of an earlier study evaluated first (after the starting recipe). */
  warmStart: { file: string; configs: SerHyperParameters[] } | null;
  /**
   * Noise-aware search (lib/hpo/race.ts): paired fitness against the incumbent on shared seeds × folds, racing,
   * an evaluation cache. seeds: cumulative seeds of each rung; z: standard errors to drop out. null = off.
   */
  race: { seeds: number[]; z: number } | null;
  /** Seeds of the final recheck of best against the starting recipe (each over every fold); 0 = no recheck. */
  recheckSeeds: number;
}

export interface SettingsInput extends DataOptions {
  algorithm?: Algorithm;
  population?: number;
  iterations?: number;
  maxEvals?: number;
  seed?: number;
  epochsPerEval?: number;
  finalEpochs?: number;
  fixed?: DeepPartial<TrainConfig>;
  baseline?: boolean;
  rungs?: number;
  eta?: number;
  epochBudget?: number;
  folds?: number;
  /** evaluations.jsonl of an earlier study. */
  warmStart?: string;
  /** Noise-aware search (CRN + racing); see RunSettings.race. */
  race?: boolean;
  /** With race: seeds measured by the end of each rung, cumulative (default [1, 2, 4]). */
  raceSeeds?: number[];
  /** Seeds of the final recheck (default 2; 0 = none). */
  recheckSeeds?: number;
}

/** Settings added after version 1 state files were first written, as such a file means them. */
export const LATER_DEFAULTS = { rungs: 1, eta: 3, epochBudget: null, folds: null, warmStart: null, race: null, recheckSeeds: 0 } as const;

/** Default seeds of the race's rungs, and of the final recheck. */
export const RACE_SEEDS = [1, 2, 4];
export const RECHECK_SEEDS = 2;

/** The rungs' epochs: geometric, ending at epochsPerEval (see lib/hpo/fidelity.ts). */
export function fidelityOf(s: Pick<RunSettings, 'epochsPerEval' | 'rungs' | 'eta'> & { race?: RunSettings['race'] }): FidelityPlan {
  // A race with one epoch rung: every race rung trains epochsPerEval epochs, later rungs only add seeds.
  if (s.race && s.rungs === 1) return { budgets: s.race.seeds.map(() => s.epochsPerEval), eta: s.eta };
  return { budgets: geometricBudgets(s.epochsPerEval, s.rungs, s.eta), eta: s.eta };
}

/** --race-seeds: positive integers, non-decreasing, one per rung (as many as --rungs when that is above 1). */
function raceOf(o: SettingsInput, rungs: number): RunSettings['race'] {
  if (o.race !== undefined) is.boolean('race', o.race);
  if (o.raceSeeds !== undefined && o.race !== true) throw is.invalidArgument('raceSeeds (--race-seeds) applies with race: true (--race) only');
  if (o.race !== true) return null;
  const seeds = o.raceSeeds ?? (rungs > 1 ? Array.from({ length: rungs }, (_, r) => Math.min(RACE_SEEDS[RACE_SEEDS.length - 1], 2 ** r)) : RACE_SEEDS);
  if (!Array.isArray(seeds) || seeds.length === 0) throw is.invalidArgument(`Expected non-empty array of seed counts for raceSeeds but received ${is.describe(seeds)}`);
  seeds.forEach((v, i) => {
    is.number(`raceSeeds[${i}]`, v, { min: 1, integer: true });
    if (i > 0 && v < seeds[i - 1]) throw is.invalidArgument(`Expected non-decreasing seed counts for raceSeeds but received ${JSON.stringify(seeds)}`, 'range');
  });
  if (rungs > 1 && seeds.length !== rungs) throw is.invalidArgument(`raceSeeds ${JSON.stringify(seeds)} (--race-seeds) needs one entry per rung: --rungs is ${rungs}`, 'range');
  if (rungs === 1 && seeds.some((v, i) => i > 0 && v === seeds[i - 1])) throw is.invalidArgument(`raceSeeds ${JSON.stringify(seeds)} (--race-seeds): without --rungs every rung must add seeds`, 'range');
  return { seeds: seeds.slice(), z: 2 };
}

/** Budgets when no data option is given: a demonstration of a few minutes on the demo corpus. */
export const DEMO_DEFAULTS = { population: 4, iterations: 2, epochsPerEval: 2, finalEpochs: 8 };
export const DEFAULTS = { population: 8, iterations: 6, epochsPerEval: 8, finalEpochs: defaultTrainConfig().epochs };

/** Settings that a resume must not change (they decide the candidates and their fitness). */
const IDENTITY = ['algorithm', 'population', 'iterations', 'seed', 'epochsPerEval', 'data', 'fixed', 'rungs', 'eta', 'folds', 'race'] as const;

const DATA_KEYS = ['ravdess', 'savee', 'data', 'labelMap', 'split', 'demo', 'demoDir'] as const;

const absolute = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((p) => path.resolve(p));

export function dataOf(o: DataOptions): DataOptions {
  const d: DataOptions = {
    ravdess: absolute(o.ravdess),
    savee: absolute(o.savee),
    data: absolute(o.data),
    labelMap: o.labelMap,
    split: o.split ?? 'default',
    demo: o.demo,
    demoDir: o.demoDir === undefined ? undefined : path.resolve(o.demoDir),
  };
  // Undefined keys dropped, so the saved JSON and a fresh value compare equal.
  return JSON.parse(JSON.stringify(d)) as DataOptions;
}

export const isDemo = (d: DataOptions): boolean => !d.ravdess?.length && !d.savee?.length && !d.data?.length;

function optionalPositive(name: string, v: unknown): number | undefined {
  return v === undefined ? undefined : is.positiveInteger(name, v);
}

/** Settings of a new run: the given options over the defaults (the demo defaults without data options). */
export function resolveSettings(o: SettingsInput): RunSettings {
  const algorithm = o.algorithm === undefined ? 'sfs-woa' : is.oneOf('algorithm', o.algorithm, ALGORITHMS);
  const data = dataOf(o);
  checkDataOptions(data); // a --split or --label-map that does not parse fails before anything is indexed
  const d = isDemo(data) ? DEMO_DEFAULTS : DEFAULTS;
  const maxEvals = optionalPositive('maxEvals', o.maxEvals) ?? null;
  const epochBudget = optionalPositive('epochBudget', o.epochBudget) ?? null;
  const iterations = optionalPositive('iterations', o.iterations) ?? (maxEvals === null && epochBudget === null ? d.iterations : null);
  const seed = o.seed === undefined ? defaultTrainConfig().seed : is.number('seed', o.seed, { min: 0, integer: true });
  if (o.baseline !== undefined) is.boolean('baseline', o.baseline);
  const population = optionalPositive('population', o.population) ?? d.population;
  const epochsPerEval = optionalPositive('epochsPerEval', o.epochsPerEval) ?? d.epochsPerEval;
  const rungs = optionalPositive('rungs', o.rungs) ?? LATER_DEFAULTS.rungs;
  const eta = o.eta === undefined ? LATER_DEFAULTS.eta : is.number('eta', o.eta, { min: 2 });
  try {
    fidelityOf({ epochsPerEval, rungs, eta }); // the rungs must fit below epochsPerEval
  } catch (e) {
    throw is.invalidArgument(`rungs ${rungs}, eta ${eta}, epochsPerEval ${epochsPerEval} (--rungs, --eta, --epochs-per-eval): ${(e as Error).message}`, 'range');
  }
  const folds = o.folds === undefined ? null : is.number('folds', o.folds, { min: 2, integer: true });
  const race = raceOf(o, rungs);
  // A raced study is rechecked by default (its answer is what the README may quote); a plain search only when asked.
  const recheckSeeds = o.recheckSeeds === undefined ? (race ? RECHECK_SEEDS : 0) : is.number('recheckSeeds', o.recheckSeeds, { min: 0, integer: true });
  // The warm-start file is read now, so a resume does not need it and a bad file fails before anything runs.
  const fixed = validateFixed(o.fixed, 'fixed');
  const warmStart = o.warmStart === undefined ? null : { file: path.resolve(o.warmStart), configs: warmStartConfigs(o.warmStart, Math.max(1, population - 1), fixed) };
  // The algorithm's own checks (e.g. sfs-woa needs a population of at least 4), before anything is written.
  createOptimizer(algorithm, { dimension: Object.keys(runSpace(fixed)).length, population, iterations: 1, seed });
  return {
    algorithm,
    population,
    iterations,
    maxEvals,
    seed,
    epochsPerEval,
    finalEpochs: optionalPositive('finalEpochs', o.finalEpochs) ?? d.finalEpochs,
    data,
    fixed,
    baseline: o.baseline ?? false,
    rungs,
    eta,
    epochBudget,
    folds,
    warmStart,
    race,
    recheckSeeds,
  };
}

/**
 * The saved run's settings with the options a resume may change applied (maxEvals, finalEpochs, baseline).
 * Any other option that is given must equal the saved one: changing it would not continue the same run.
 */
export function resumeSettings(savedSettings: RunSettings, o: SettingsInput, out: string): RunSettings {
  const saved: RunSettings = { ...LATER_DEFAULTS, ...savedSettings };
  const given: [string, unknown, unknown][] = IDENTITY.filter((k) => k !== 'data' && k !== 'race').map((k) => [k, o[k], saved[k]]);
  if (o.race !== undefined && o.race !== (saved.race !== null)) given.push(['race', o.race, saved.race !== null]);
  if (o.raceSeeds !== undefined) given.push(['raceSeeds', o.raceSeeds, saved.race?.seeds]);
  const data = dataOf(o) as Record<string, unknown>;
  const savedData = saved.data as Record<string, unknown>;
  for (const k of DATA_KEYS) if (o[k] !== undefined) given.push([k, data[k], savedData[k]]);
  for (const [key, v, was] of given) {
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify(was)) {
      throw is.invalidArgument(
        `${key} ${JSON.stringify(v)} differs from the run being resumed in ${out} (${was === undefined ? 'not set' : JSON.stringify(was)}): ` +
          'omit it to continue that run, or start a new run in another out folder',
      );
    }
  }
  if (o.warmStart !== undefined && path.resolve(o.warmStart) !== saved.warmStart?.file) {
    throw is.invalidArgument(`warmStart ${JSON.stringify(o.warmStart)} differs from the run being resumed in ${out} (${saved.warmStart ? JSON.stringify(saved.warmStart.file) : 'not set'}): omit it to continue that run, or start a new run in another out folder`);
  }
  return {
    ...saved,
    maxEvals: optionalPositive('maxEvals', o.maxEvals) ?? saved.maxEvals,
    epochBudget: optionalPositive('epochBudget', o.epochBudget) ?? saved.epochBudget,
    finalEpochs: optionalPositive('finalEpochs', o.finalEpochs) ?? saved.finalEpochs,
    baseline: o.baseline ?? saved.baseline,
    recheckSeeds: o.recheckSeeds === undefined ? saved.recheckSeeds : is.number('recheckSeeds', o.recheckSeeds, { min: 0, integer: true }),
  };
}
