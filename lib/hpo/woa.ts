// Whale Optimization Algorithm: S. Mirjalili & A. Lewis, "The Whale Optimization Algorithm",
// Advances in Engineering Software 95 (2016) 51-67. Equation numbers refer to that paper.
//
// Round 0 evaluates N uniform whales. In every later round each whale i draws r1, r2, p ~ U(0,1), l ~ U(-1,1):
//   a = 2 - 2 t/T (linear 2 -> 0 over the T move rounds)                      (Eq. 2.3 text)
//   A = 2 a r1 - a,  C = 2 r2                                                 (Eq. 2.3, 2.4)
//   p < 0.5, |A| < 1:  X <- X* - A |C X* - X|     encircle the best whale X*  (Eq. 2.1, 2.2)
//   p < 0.5, |A| >= 1: X <- Xr - A |C Xr - X|     search around a random whale (Eq. 2.7, 2.8)
//   p >= 0.5:          X <- |X* - X| e^{b l} cos(2 pi l) + X*,  b = 1         (Eq. 2.5)
// As in the authors' reference code, A, C, p and l are scalars per whale per round, and whales always move
// (no greedy selection); X* is the best point evaluated so far. Coordinates leaving [0, 1] are reflected back.
// The horizon T is `iterations - 1` (the move rounds), so a runs from 2 down to 2/T on the last round.
// The encircling step is not translation invariant (the C X* term): in the unit cube it pulls whales towards
// the corner 0 rather than towards the origin of the problem's units, so the very fast convergence published
// for benchmarks whose optimum is the origin is not reproduced here (see bench/optimize.ts).
import { BaseOptimizer, type OptimizerSettings, Restored, coreFromSettings, coreFromState } from './base';
import type { BaseState } from './optimizer';
import type { Rng } from '../random';
import { Swarm, type SwarmState } from './swarm';

/** Eq. 2.1-2.2 (also 2.7-2.8 with a random whale as target): X' = target - A |C target - X|. */
export function encircle(target: readonly number[], x: readonly number[], A: number, C: number): number[] {
  return x.map((xj, j) => target[j] - A * Math.abs(C * target[j] - xj));
}

/** Eq. 2.5: X' = |X* - X| e^{b l} cos(2 pi l) + X*. */
export function spiral(leader: readonly number[], x: readonly number[], l: number, b = 1): number[] {
  const factor = Math.exp(b * l) * Math.cos(2 * Math.PI * l);
  return x.map((xj, j) => Math.abs(leader[j] - xj) * factor + leader[j]);
}

/** The per-whale random numbers of one WOA move, drawn in a fixed order so runs are reproducible. */
export interface WhaleDraw {
  readonly A: number;
  readonly C: number;
  readonly p: number;
  readonly l: number;
}

export function drawWhale(rng: Rng, a: number): WhaleDraw {
  const r1 = rng.uniform();
  const r2 = rng.uniform();
  const p = rng.uniform();
  const l = rng.uniform(-1, 1);
  return { A: 2 * a * r1 - a, C: 2 * r2, p, l };
}

export interface WoaState extends BaseState {
  readonly algorithm: 'woa';
  readonly swarm: SwarmState;
}

export class Woa extends BaseOptimizer {
  readonly algorithm = 'woa' as const;
  private readonly swarm: Swarm;

  constructor(settings: OptimizerSettings | Restored<Swarm>) {
    super(settings instanceof Restored ? settings.core : coreFromSettings(settings, 2));
    this.swarm = settings instanceof Restored ? settings.extra : Swarm.empty();
  }

  static fromState(state: unknown): Woa {
    const core = coreFromState(state, 'woa', 2);
    const swarm = Swarm.fromState((state as WoaState).swarm, core.population, core.dimension);
    return new Woa(new Restored(core, swarm));
  }

  override state(): WoaState {
    return super.state() as WoaState;
  }

  protected propose(): number[][] {
    const leader = this.best();
    if (!this.swarm.initialised || leader === null) return Swarm.initialBatch(this.rng, this.population, this.dimension);
    const a = 2 * (1 - this.progress());
    return this.swarm.positions.map((x) => {
      const d = drawWhale(this.rng, a);
      if (d.p >= 0.5) return spiral(leader.x, x, d.l);
      if (Math.abs(d.A) < 1) return encircle(leader.x, x, d.A, d.C);
      const random = this.swarm.positions[this.rng.int(this.population)];
      return encircle(random, x, d.A, d.C);
    });
  }

  protected absorb(batch: number[][], fitness: number[]): void {
    if (!this.swarm.initialised) this.swarm.absorbInitial(batch, fitness);
    else for (let i = 0; i < fitness.length; i++) this.swarm.replace(i, batch[i], fitness[i]);
  }

  protected extraState(): Record<string, unknown> {
    return { swarm: this.swarm.toState() };
  }
}
