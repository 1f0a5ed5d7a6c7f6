// The ask/tell bookkeeping every optimizer shares: round counting, the pending batch, bounds, the best point,
// and (de)serialisation of those fields. Subclasses only say how to propose a batch and how to absorb its
// fitnesses.
import { SerNativeError } from '../errors';
import * as is from '../is';
import {
  type Algorithm,
  type BaseState,
  type Optimizer,
  type Point,
  betterOf,
  checkFitnesses,
  fromJsonNumber,
  reflectVector,
  toJsonPoint,
} from './optimizer';
import { Rng } from '../random';

/** What the caller chooses when creating an optimizer. */
export interface OptimizerSettings {
  /** Dimension D of the unit cube. */
  readonly dimension: number;
  /** Candidates per iteration (the swarm / population size). */
  readonly population?: number;
  /** Planned number of ask/tell rounds; the first round evaluates the initial population. */
  readonly iterations: number;
  /** Non-negative safe integer; the same seed gives the same candidates. Default 0. */
  readonly seed?: number;
}

/** The validated common part of a settings object or of a restored state. */
export interface Core {
  readonly dimension: number;
  readonly population: number;
  readonly iterations: number;
  readonly iteration: number;
  readonly rng: Rng;
  readonly pending: number[][] | null;
  readonly best: Point | null;
  readonly queued: number[][];
}

export const DEFAULT_POPULATION = 20;

export function coreFromSettings(settings: OptimizerSettings, minPopulation: number): Core {
  const s = is.plainObject('settings', settings);
  const dimension = is.positiveInteger('dimension', s.dimension);
  const population = s.population === undefined ? DEFAULT_POPULATION : s.population;
  is.integer('population', population, minPopulation);
  const iterations = is.positiveInteger('iterations', s.iterations);
  const seed = s.seed === undefined ? 0 : s.seed;
  return {
    dimension,
    population: population as number,
    iterations,
    iteration: 0,
    rng: new Rng(seed as number),
    pending: null,
    best: null,
    queued: [],
  };
}

export function coreFromState(state: unknown, algorithm: Algorithm, minPopulation: number): Core {
  const s = is.plainObject('state', state);
  if (s.algorithm !== algorithm) {
    throw is.invalidArgument(`Expected "${algorithm}" for state.algorithm but received ${is.describe(s.algorithm)}`);
  }
  if (s.version !== 1) throw is.invalidArgument(`Expected 1 for state.version but received ${is.describe(s.version)}`);
  const dimension = is.positiveInteger('state.dimension', s.dimension);
  const population = is.integer('state.population', s.population, minPopulation);
  const iterations = is.positiveInteger('state.iterations', s.iterations);
  const iteration = is.integer('state.iteration', s.iteration, 0, iterations);
  const pending = s.pending === null ? null : is.unitMatrix('state.pending', s.pending, null, dimension);
  let best: Point | null = null;
  if (s.best !== null) {
    const b = is.plainObject('state.best', s.best);
    best = { x: is.unitVector('state.best.x', b.x, dimension).slice(), value: fromJsonNumber('state.best.value', b.value) };
  }
  // States written before enqueue() existed have no queue.
  const queued = s.queued === undefined ? [] : is.unitMatrix('state.queued', s.queued, null, dimension).map((x) => x.slice());
  return { dimension, population, iterations, iteration, rng: Rng.fromState(s.rng), pending, best, queued };
}

/** Reads a JSON fitness array (finite numbers or "Infinity" strings) of a given length. */
export function fitnessFromState(name: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw is.invalidArgument(`Expected array of ${length} fitness values for ${name} but received ${is.describe(value)}`);
  }
  return value.map((v: unknown, i) => fromJsonNumber(`${name}[${i}]`, v));
}

/** A validated state, handed to a constructor to restore instead of create (see each fromState). */
export class Restored<Extra> {
  constructor(
    readonly core: Core,
    readonly extra: Extra,
  ) {}
}

export abstract class BaseOptimizer implements Optimizer {
  abstract readonly algorithm: Algorithm;
  readonly dimension: number;
  readonly population: number;
  readonly iterations: number;
  protected readonly rng: Rng;
  private round: number;
  private pending: number[][] | null;
  private bestPoint: Point | null;
  private readonly queued: number[][];

  protected constructor(core: Core) {
    this.dimension = core.dimension;
    this.population = core.population;
    this.iterations = core.iterations;
    this.rng = core.rng;
    this.round = core.iteration;
    this.pending = core.pending;
    this.bestPoint = core.best;
    this.queued = core.queued;
  }

  get iteration(): number {
    return this.round;
  }

  get done(): boolean {
    return this.round >= this.iterations;
  }

  ask(): number[][] {
    if (this.pending === null) {
      if (this.done) throw new SerNativeError('ERR_STATE', `ask() called after the last of ${this.iterations} iterations`);
      const batch = this.propose();
      // Enqueued points take the first places of the batch, so the algorithm absorbs them like its own.
      for (let i = 0; i < batch.length && this.queued.length > 0; i++) batch[i] = this.queued.shift() as number[];
      this.pending = batch.map(reflectVector);
    }
    return this.pending.map((x) => x.slice());
  }

  enqueue(points: readonly (readonly number[])[]): void {
    if (!Array.isArray(points)) throw is.invalidArgument(`Expected array of points for enqueue but received ${is.describe(points)}`);
    this.queued.push(...is.unitMatrix('points', points, null, this.dimension).map((x) => x.slice()));
  }

  tell(fitnesses: readonly number[]): void {
    const f = checkFitnesses(fitnesses, this.pending);
    const batch = this.pending as number[][];
    for (let i = 0; i < f.length; i++) this.bestPoint = betterOf(this.bestPoint, batch[i], f[i]);
    this.absorb(batch, f);
    this.pending = null;
    this.round++;
  }

  best(): Point | null {
    return this.bestPoint === null ? null : { x: this.bestPoint.x.slice(), value: this.bestPoint.value };
  }

  state(): BaseState {
    return {
      algorithm: this.algorithm,
      version: 1,
      dimension: this.dimension,
      population: this.population,
      iterations: this.iterations,
      iteration: this.round,
      rng: this.rng.state(),
      pending: this.pending === null ? null : this.pending.map((x) => x.slice()),
      best: toJsonPoint(this.bestPoint),
      queued: this.queued.map((x) => x.slice()),
      ...this.extraState(),
    };
  }

  /** Fraction of the planned schedule done before the current round's moves, in [0, 1). */
  protected progress(): number {
    return this.iterations <= 1 ? 0 : (this.round - 1) / (this.iterations - 1);
  }

  /** The batch of the current round, with coordinates possibly outside [0, 1] (ask() reflects them). */
  protected abstract propose(): number[][];
  /** Consumes the fitnesses of the first `fitness.length` candidates of `batch` (the rest were never evaluated). */
  protected abstract absorb(batch: number[][], fitness: number[]): void;
  /** Algorithm-specific, JSON-safe state fields. */
  protected abstract extraState(): Record<string, unknown>;
}
