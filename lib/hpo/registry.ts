// Creates an optimizer by algorithm name, restores one from its JSON state, and plans how many ask/tell
// rounds an evaluation budget buys (WOA-type schedules need the horizon up front).
import * as is from '../is';
import { DEFAULT_POPULATION, type OptimizerSettings } from './base';
import { ALGORITHMS, type Algorithm, type Optimizer } from './optimizer';
import { RandomSearch } from './random-search';
import { Sfs, type SfsOptions } from './sfs';
import { SfsWoa, type SfsWoaOptions } from './sfs-woa';
import { Tpe, type TpeOptions } from './tpe';
import { Woa } from './woa';

/** Settings of any algorithm; the algorithm-specific fields are rejected for the other algorithms. */
export interface AnyOptimizerSettings extends OptimizerSettings, SfsOptions, SfsWoaOptions, TpeOptions {}

const SPECIFIC: Record<string, Algorithm> = {
  walks: 'sfs-woa',
  adaptiveDiffusion: 'sfs-woa',
  maxDiffusion: 'sfs',
  walk: 'sfs',
  startupTrials: 'tpe',
  eiCandidates: 'tpe',
  priorWeight: 'tpe',
  categories: 'tpe',
};

export function expectAlgorithm(name: string, value: unknown): Algorithm {
  if (!ALGORITHMS.includes(value as Algorithm)) {
    const names = ALGORITHMS.map((a) => `"${a}"`).join(', ');
    throw is.invalidArgument(`Expected one of ${names} for ${name} but received ${is.describe(value)}`);
  }
  return value as Algorithm;
}

/** Throws when an option of one algorithm is passed to another (it would be silently ignored otherwise). */
export function checkSpecificOptions(algorithm: Algorithm, options: Record<string, unknown>): void {
  for (const [key, owner] of Object.entries(SPECIFIC)) {
    if (options[key] !== undefined && owner !== algorithm) {
      throw is.invalidArgument(`Option ${key} applies to algorithm "${owner}" only, not "${algorithm}"`);
    }
  }
}

export function createOptimizer(algorithm: Algorithm, settings: AnyOptimizerSettings): Optimizer {
  expectAlgorithm('algorithm', algorithm);
  checkSpecificOptions(algorithm, is.plainObject('settings', settings));
  switch (algorithm) {
    case 'sfs-woa':
      return new SfsWoa(settings);
    case 'woa':
      return new Woa(settings);
    case 'sfs':
      return new Sfs(settings);
    case 'tpe':
      return new Tpe(settings);
    case 'random':
      return new RandomSearch(settings);
  }
}

/** Rebuilds any optimizer from `optimizer.state()` (also after a JSON round trip). */
export function restoreOptimizer(state: unknown): Optimizer {
  const algorithm = expectAlgorithm('state.algorithm', is.plainObject('state', state).algorithm);
  switch (algorithm) {
    case 'sfs-woa':
      return SfsWoa.fromState(state);
    case 'woa':
      return Woa.fromState(state);
    case 'sfs':
      return Sfs.fromState(state);
    case 'tpe':
      return Tpe.fromState(state);
    case 'random':
      return RandomSearch.fromState(state);
  }
}

/**
 * Ask/tell rounds that spend `maxEvaluations` (the last round may be cut short). SFS, TPE and random search
 * have no schedule, so they get an unbounded horizon and stop on the budget alone (which a resume may raise).
 */
export function plannedIterations(algorithm: Algorithm, settings: Pick<AnyOptimizerSettings, 'population' | 'walks'>, maxEvaluations: number): number {
  is.positiveInteger('maxEvaluations', maxEvaluations);
  const population = is.integer('population', settings.population ?? DEFAULT_POPULATION, 1);
  switch (algorithm) {
    case 'sfs':
    case 'tpe':
    case 'random':
      return Number.MAX_SAFE_INTEGER;
    case 'woa':
    case 'sfs-woa': {
      const walks = algorithm === 'sfs-woa' ? is.integer('walks', settings.walks ?? population, 0) : 0;
      return 1 + Math.max(0, Math.ceil((maxEvaluations - population) / (population + walks)));
    }
  }
}
