// Public surface of the hyper-parameter optimizers (pure TypeScript, no native code).
export { Rng, type RngState } from '../random';
export {
  type Space,
  type Dimension,
  type FloatDimension,
  type IntDimension,
  type ChoiceDimension,
  type ConfigOf,
  validateSpace,
  categoricalSizes,
  dimensionOf,
  decode,
  decoder,
  encode,
} from './space';
export {
  type Algorithm,
  ALGORITHMS,
  type Optimizer,
  type Point,
  type BaseState,
  type JsonNumber,
  type JsonPoint,
  reflect,
} from './optimizer';
export { type OptimizerSettings, DEFAULT_POPULATION } from './base';
export { RandomSearch, type RandomSearchState } from './random-search';
export { Woa, type WoaState, encircle, spiral } from './woa';
export { Sfs, type SfsState, type SfsOptions, type SfsSettings, type SfsPhase, diffusionSigma } from './sfs';
export { SfsWoa, type SfsWoaState, type SfsWoaOptions, type SfsWoaSettings, guidedExploration } from './sfs-woa';
export { Tpe, type TpeState, type TpeOptions, type TpeSettings, TPE_DEFAULTS, CategoricalMixture } from './tpe';
export { type AnyOptimizerSettings, createOptimizer, restoreOptimizer, plannedIterations } from './registry';
export {
  minimize,
  resumeMinimize,
  type Objective,
  type EvaluationContext,
  type EvaluationRecord,
  type BestResult,
  type MinimizeCheckpoint,
  type IterationProgress,
  type RunOptions,
  type MinimizeOptions,
  type MinimizeResult,
} from './minimize';
export {
  type BenchmarkFunction,
  sphere,
  rosenbrock,
  rastrigin,
  ackley,
  griewank,
  benchmarkFunctions,
  benchmarkSpace,
  scaleToBounds,
} from './functions';
export {
  type FidelityPlan,
  geometricBudgets,
  halvingCost,
  promote,
  toldValues,
} from './fidelity';
export { type PairedSummary, type PairedInterval, pairedSummary, pairedInterval90, tQuantile95 } from './paired';
export { type RacePlan, type Replicate, checkRacePlan, racePromote, raceCost, rungReplicates } from './race';
export { EvaluationCache, evaluationKey, configKey } from './evaluation-cache';
export {
  raceMinimize,
  resumeRaceMinimize,
  type RaceObjective,
  type RaceEvaluationContext,
  type RaceEvaluationRecord,
  type RaceDecision,
  type RaceCheckpoint,
  type RaceIterationProgress,
  type RaceMinimizeOptions,
  type RaceResult,
  type Incumbent,
} from './race-minimize';
export { recheck, freshReplicates, type RecheckResult, type RecheckPair } from './recheck';
