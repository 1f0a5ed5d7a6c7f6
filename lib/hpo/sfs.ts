// Stochastic Fractal Search: H. Salimi, "Stochastic Fractal Search: A powerful metaheuristic algorithm",
// Knowledge-Based Systems 75 (2015) 1-18, and the author's reference MATLAB code (MathWorks File Exchange 47565),
// which settles details the paper leaves open (noted "code" below).
//
// Round 0 evaluates N uniform points. Each generation g (g = 2, 3, ...: the initial population counts as
// generation 1, which also keeps sigma below from being 0 on the first diffusion) then takes three rounds:
//  1. Diffusion: each point P_i makes `maxDiffusion` Gaussian walks; with probability `walk`
//       GW1 = Gaussian(BP, sigma) + (eps BP - eps' P_i),   eps, eps' ~ U(0,1)
//     otherwise
//       GW2 = Gaussian(P_i, sigma),
//     sigma = |log(g)/g (P_i - BP)| per coordinate, and P_i becomes the best of itself and its walks
//     (code; its known fitness is reused rather than re-evaluated).
//  2. First updating process: rank the points, Pa_i = rank_i / N with the best ranked N (Pa = 1, never
//     updated) and the worst ranked 1; every coordinate j of P_i with Pa_i < eps (eps ~ U(0,1) per coordinate)
//     becomes
//       P'_i(j) = P_r(j) - eps (P_t(j) - P_i(j)),   r, t uniform point indices, eps ~ U(0,1)
//     and P'_i replaces P_i when it is not worse (code). Points with no changed coordinate cost nothing.
//  3. Second updating process: re-rank; each P'_i with Pa_i < eps proposes, with r != t, eps', eps^ ~ U(0,1),
//       P''_i = P'_i - eps^ (P'_t - BP)      if eps' <= 0.5
//       P''_i = P'_i + eps^ (P'_t - P'_r)    otherwise
//     and P''_i replaces P'_i when it is better.
// BP is the best point evaluated so far. The updates read a snapshot of the population (so the result does not
// depend on the loop order), and coordinates leaving [0, 1] are reflected back. Defaults: maxDiffusion 1,
// walk 0.5 (the paper suggests trying both walks; in the unit cube this mix did best, see bench/optimize.ts).
import * as is from '../is';
import { BaseOptimizer, type OptimizerSettings, Restored, coreFromSettings, coreFromState } from './base';
import { type BaseState, rankOrder } from './optimizer';
import type { Rng } from '../random';
import { Swarm, type SwarmState } from './swarm';

/** The diffusion standard deviation, per coordinate: |log(g)/g (P - BP)|. */
export function diffusionSigma(generation: number, point: readonly number[], best: readonly number[]): number[] {
  const scale = Math.log(generation) / generation;
  return point.map((pj, j) => Math.abs(scale * (pj - best[j])));
}

/** A Gaussian walk: centre + N(0, sigma_j^2) in each coordinate. */
export function gaussianWalk(rng: Rng, centre: readonly number[], sigma: readonly number[]): number[] {
  return centre.map((c, j) => rng.normal(c, sigma[j]));
}

/** Pa_i = rank_i / N, the best point ranked N (Pa = 1, never updated), the worst ranked 1. */
export function rankProbabilities(fitness: readonly number[]): number[] {
  const n = fitness.length;
  const pa = new Array<number>(n);
  rankOrder(fitness).forEach((i, k) => {
    pa[i] = (n - k) / n;
  });
  return pa;
}

export type SfsPhase = 'diffusion' | 'update1' | 'update2';

export interface SfsOptions {
  /** Gaussian walks per point and generation (Maximum Diffusion Number, MDN). Default 1. */
  readonly maxDiffusion?: number;
  /** Probability of the walk around the best point (GW1) rather than around the point (GW2). Default 0.5. */
  readonly walk?: number;
}

export interface SfsSettings extends OptimizerSettings, SfsOptions {}

export interface SfsState extends BaseState {
  readonly algorithm: 'sfs';
  readonly maxDiffusion: number;
  readonly walk: number;
  readonly generation: number;
  readonly phase: SfsPhase;
  /** For each pending candidate, the index of the point it belongs to. */
  readonly owners: number[];
  readonly swarm: SwarmState;
}

interface SfsExtra {
  readonly maxDiffusion: number;
  readonly walk: number;
  readonly generation: number;
  readonly phase: SfsPhase;
  readonly owners: number[];
  readonly swarm: Swarm;
}

const PHASES: readonly SfsPhase[] = ['diffusion', 'update1', 'update2'];

export class Sfs extends BaseOptimizer {
  readonly algorithm = 'sfs' as const;
  readonly maxDiffusion: number;
  readonly walk: number;
  private generation: number;
  private phase: SfsPhase;
  private owners: number[];
  private readonly swarm: Swarm;

  constructor(settings: SfsSettings | Restored<SfsExtra>) {
    super(settings instanceof Restored ? settings.core : coreFromSettings(settings, 3));
    const extra: SfsExtra =
      settings instanceof Restored
        ? settings.extra
        : {
            maxDiffusion: is.integer('maxDiffusion', settings.maxDiffusion ?? 1, 1),
            walk: is.probability('walk', settings.walk ?? 0.5),
            generation: 1,
            phase: 'diffusion',
            owners: [],
            swarm: Swarm.empty(),
          };
    this.maxDiffusion = extra.maxDiffusion;
    this.walk = extra.walk;
    this.generation = extra.generation;
    this.phase = extra.phase;
    this.owners = extra.owners;
    this.swarm = extra.swarm;
  }

  static fromState(state: unknown): Sfs {
    const core = coreFromState(state, 'sfs', 3);
    const s = is.plainObject('state', state);
    if (!PHASES.includes(s.phase as SfsPhase)) {
      throw is.invalidArgument(`Expected one of ${PHASES.join(', ')} for state.phase but received ${String(s.phase)}`);
    }
    const owners = Array.isArray(s.owners) ? s.owners : [];
    if (!Array.isArray(s.owners) || owners.length !== (core.pending?.length ?? 0)) {
      throw is.invalidArgument('Expected state.owners to have one entry per pending candidate');
    }
    return new Sfs(
      new Restored(core, {
        maxDiffusion: is.integer('state.maxDiffusion', s.maxDiffusion, 1),
        walk: is.probability('state.walk', s.walk),
        generation: is.integer('state.generation', s.generation, 1),
        phase: s.phase as SfsPhase,
        owners: owners.map((o: unknown, k) => is.integer(`state.owners[${k}]`, o, 0, core.population - 1)),
        swarm: Swarm.fromState(s.swarm, core.population, core.dimension),
      }),
    );
  }

  override state(): SfsState {
    return super.state() as SfsState;
  }

  protected propose(): number[][] {
    const bestPoint = this.best();
    if (!this.swarm.initialised || bestPoint === null) {
      const initial = Swarm.initialBatch(this.rng, this.population, this.dimension);
      this.owners = initial.map((_, i) => i);
      return initial;
    }
    const best = bestPoint.x;
    const batch: number[][] = [];
    const owners: number[] = [];
    const add = (i: number, x: number[]) => {
      batch.push(x);
      owners.push(i);
    };
    const P = this.swarm.positions.map((x) => x.slice()); // snapshot
    const n = this.population;
    if (this.phase === 'diffusion') {
      P.forEach((p, i) => {
        const sigma = diffusionSigma(this.generation, p, best);
        for (let w = 0; w < this.maxDiffusion; w++) {
          if (this.rng.uniform() < this.walk) {
            const eps1 = this.rng.uniform();
            const eps2 = this.rng.uniform();
            const g = gaussianWalk(this.rng, best, sigma);
            add(i, g.map((gj, j) => gj + eps1 * best[j] - eps2 * p[j]));
          } else {
            add(i, gaussianWalk(this.rng, p, sigma));
          }
        }
      });
    } else if (this.phase === 'update1') {
      const pa = rankProbabilities(this.swarm.fitness);
      P.forEach((p, i) => {
        const r = this.rng.int(n);
        const t = this.rng.int(n);
        let changed = false;
        const y = p.slice();
        for (let j = 0; j < this.dimension; j++) {
          if (pa[i] < this.rng.uniform()) {
            y[j] = P[r][j] - this.rng.uniform() * (P[t][j] - p[j]);
            changed = true;
          }
        }
        if (changed) add(i, y);
      });
    } else {
      const pa = rankProbabilities(this.swarm.fitness);
      P.forEach((p, i) => {
        if (pa[i] >= this.rng.uniform()) return;
        const [r, t] = this.rng.distinct(n, 2);
        const choose = this.rng.uniform();
        const step = this.rng.uniform();
        if (choose <= 0.5) add(i, p.map((pj, j) => pj - step * (P[t][j] - best[j])));
        else add(i, p.map((pj, j) => pj + step * (P[t][j] - P[r][j])));
      });
    }
    this.owners = owners;
    return batch;
  }

  protected absorb(batch: number[][], fitness: number[]): void {
    if (!this.swarm.initialised) {
      this.swarm.absorbInitial(batch, fitness);
      if (this.swarm.initialised) this.generation = 2;
      this.owners = [];
      return;
    }
    for (let k = 0; k < fitness.length; k++) {
      const i = this.owners[k];
      // Every process is greedy; the first update also accepts ties, as the reference code does.
      const accept = this.phase === 'update1' ? fitness[k] <= this.swarm.fitness[i] : fitness[k] < this.swarm.fitness[i];
      if (accept) this.swarm.replace(i, batch[k], fitness[k]);
    }
    this.owners = [];
    if (this.phase === 'diffusion') this.phase = 'update1';
    else if (this.phase === 'update1') this.phase = 'update2';
    else {
      this.phase = 'diffusion';
      this.generation++;
    }
  }

  protected extraState(): Record<string, unknown> {
    return {
      maxDiffusion: this.maxDiffusion,
      walk: this.walk,
      generation: this.generation,
      phase: this.phase,
      owners: this.owners.slice(),
      swarm: this.swarm.toState(),
    };
  }
}
