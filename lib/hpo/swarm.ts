// The population (whales, diffusion points) of the population-based optimizers: positions in [0, 1]^D and
// their fitnesses, with a JSON form. A member that was never evaluated (its batch was cut short by the
// budget) has fitness +Infinity, so it ranks last and is replaced first.
import * as is from '../is';
import { fitnessFromState } from './base';
import { type JsonNumber, toJsonNumber, uniformPoint } from './optimizer';
import type { Rng } from '../random';

export interface SwarmState {
  readonly positions: number[][];
  readonly fitness: JsonNumber[];
}

export class Swarm {
  private constructor(
    readonly positions: number[][],
    readonly fitness: number[],
  ) {}

  /** An empty swarm; `initialBatch` proposes its uniform positions and `absorbInitial` fills it. */
  static empty(): Swarm {
    return new Swarm([], []);
  }

  static fromState(value: unknown, population: number, dimension: number): Swarm {
    const s = (value ?? {}) as Partial<SwarmState>;
    const positions = is.unitMatrix('state.swarm.positions', s.positions, null, dimension);
    if (positions.length !== 0 && positions.length !== population) {
      throw is.invalidArgument(
        `Expected 0 or ${population} rows for state.swarm.positions but received ${positions.length}`,
        'range',
      );
    }
    return new Swarm(
      positions.map((x) => x.slice()),
      fitnessFromState('state.swarm.fitness', s.fitness, positions.length),
    );
  }

  get size(): number {
    return this.positions.length;
  }

  /** True once the initial population has been told (at least partly). */
  get initialised(): boolean {
    return this.positions.length > 0;
  }

  static initialBatch(rng: Rng, population: number, dimension: number): number[][] {
    const batch: number[][] = [];
    for (let i = 0; i < population; i++) batch.push(uniformPoint(rng, dimension));
    return batch;
  }

  /** Takes the initial batch as the population; members the budget left unevaluated get +Infinity. */
  absorbInitial(batch: readonly number[][], fitness: readonly number[]): void {
    if (fitness.length === 0) return; // nothing evaluated: the next round proposes an initial batch again
    batch.forEach((x, i) => {
      this.positions.push(x.slice());
      this.fitness.push(i < fitness.length ? fitness[i] : Infinity);
    });
  }

  replace(i: number, x: readonly number[], value: number): void {
    this.positions[i] = x.slice();
    this.fitness[i] = value;
  }

  toState(): SwarmState {
    return { positions: this.positions.map((x) => x.slice()), fitness: this.fitness.map(toJsonNumber) };
  }
}
