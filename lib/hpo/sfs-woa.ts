// SFS-guided WOA: the guided whale optimization algorithm with a stochastic-fractal-search diffusion around
// the leader. E.-S. M. El-Kenawy, A. Ibrahim, S. Mirjalili, M. M. Eid, S. E. Hussein, "Novel Feature Selection
// and Voting Classifier Algorithms for COVID-19 Classification in CT Images", IEEE Access 8 (2020), and the
// guided WOA of the same group; WOA: Mirjalili & Lewis 2016 (see woa.ts); SFS diffusion: Salimi 2015 (sfs.ts).
//
// Round 0 evaluates N uniform whales. Every later round t = 1 .. T (T = iterations - 1, progress
// tau = (t-1)/T) asks one batch of N + K candidates:
//  * N whale moves, as WOA (a = 2(1 - tau), A = 2 a r1 - a, C = 2 r2, p, l ~ U(-1,1), b = 1) except that the
//    exploration step (p < 0.5, |A| >= 1) follows the guided WOA with three distinct random whales:
//      X <- w1 X_r1 + z w2 (X_r2 - X_r3) + (1 - z) w3 (X - X_r1),  w1, w2, w3 ~ U(0,1),  z = 1 - tau^2
//    encircling (|A| < 1) and the spiral (p >= 0.5) are WOA's Eq. 2.1-2.2 and 2.5.
//  * K diffusion walks around the leader BP (Salimi's Gaussian walk GW2 centred on the best point):
//      walk = Gaussian(BP, sigma),  sigma = s * |log(g)/g (P_r - BP)|,  g = t + 1, P_r a random whale.
//    A walk better than BP becomes the new leader (improvements are kept, nothing else changes).
// Every candidate, whale or walk, is one evaluation; coordinates leaving [0, 1] are reflected back.
//
// Deviation from the papers (option `adaptiveDiffusion`, default true). The published equations are not
// translation invariant (C X*, w1 X_r1): on the usual benchmarks, whose optimum sits at the origin, they pull
// the swarm onto the optimum, but this optimizer works in [0, 1]^D where the origin is a corner and nothing is
// special about it. There, nothing in the published sigma tracks the leader's distance to the optimum, and
// the search stalls (sphere D = 30 after 15,000 evaluations: about 1e-3 instead of the papers' ~0). With
// adaptiveDiffusion the walks use the coordinate-average (RMS) of the SFS sigma, times a factor s adapted by
// a success rule in the manner of Rechenberg's 1/5 rule (I. Rechenberg, "Evolutionsstrategie", 1973), in the
// smooth batch form s <- s exp((p_s - p*) / (1 - p*)), p_s = fraction of this round's walks that beat the
// leader, p* = 0.3; this makes the leader refinement converge linearly like a (1+K) evolution strategy.
// With adaptiveDiffusion: false the walks use the published per-coordinate sigma and s is not used.
import * as is from '../is';
import {
  BaseOptimizer,
  DEFAULT_POPULATION,
  type OptimizerSettings,
  Restored,
  coreFromSettings,
  coreFromState,
} from './base';
import { type BaseState, type JsonNumber, fromJsonNumber, toJsonNumber } from './optimizer';
import { diffusionSigma, gaussianWalk } from './sfs';
import { Swarm, type SwarmState } from './swarm';
import { drawWhale, encircle, spiral } from './woa';

/** Guided WOA exploration: X' = w1 X_r1 + z w2 (X_r2 - X_r3) + (1 - z) w3 (X - X_r1). */
export function guidedExploration(
  x: readonly number[],
  r1: readonly number[],
  r2: readonly number[],
  r3: readonly number[],
  z: number,
  w: readonly [number, number, number],
): number[] {
  const [w1, w2, w3] = w;
  return x.map((xj, j) => w1 * r1[j] + z * w2 * (r2[j] - r3[j]) + (1 - z) * w3 * (xj - r1[j]));
}

export interface SfsWoaOptions {
  /** Diffusion walks around the leader per round (K). Default: the population size. */
  readonly walks?: number;
  /** Success-adapted, coordinate-averaged diffusion sigma (see the file comment). Default true. */
  readonly adaptiveDiffusion?: boolean;
}

export interface SfsWoaSettings extends OptimizerSettings, SfsWoaOptions {}

export interface SfsWoaState extends BaseState {
  readonly algorithm: 'sfs-woa';
  readonly walks: number;
  readonly adaptiveDiffusion: boolean;
  /** The 1/5-rule factor s on the diffusion sigma. */
  readonly diffusionScale: number;
  /** The leader's fitness when the pending batch was asked (walks that beat it count as successes). */
  readonly askedLeaderValue: JsonNumber;
  readonly swarm: SwarmState;
}

interface Extra {
  readonly walks: number;
  readonly adaptiveDiffusion: boolean;
  readonly diffusionScale: number;
  readonly askedLeaderValue: number;
  readonly swarm: Swarm;
}

/**
 * Success rate the diffusion scale is steered to. Rechenberg's 1/5 is derived for one walk per step; for a
 * batch of K walks around the same leader, 0.3 converged faster on the sphere at no cost elsewhere (bench).
 */
const TARGET_SUCCESS = 0.3;

/** Keeps s where a walk is neither frozen nor always reflected off the whole cube. */
const SCALE_MIN = 1e-12;
const SCALE_MAX = 1e6;

export class SfsWoa extends BaseOptimizer {
  readonly algorithm = 'sfs-woa' as const;
  readonly walks: number;
  readonly adaptiveDiffusion: boolean;
  private diffusionScale: number;
  private askedLeaderValue: number;
  private readonly swarm: Swarm;

  constructor(settings: SfsWoaSettings | Restored<Extra>) {
    super(settings instanceof Restored ? settings.core : coreFromSettings(settings, 4));
    const extra: Extra =
      settings instanceof Restored
        ? settings.extra
        : {
            walks: is.integer('walks', settings.walks ?? settings.population ?? DEFAULT_POPULATION, 0),
            adaptiveDiffusion: is.boolean('adaptiveDiffusion', settings.adaptiveDiffusion ?? true),
            diffusionScale: 1,
            askedLeaderValue: Infinity,
            swarm: Swarm.empty(),
          };
    this.walks = extra.walks;
    this.adaptiveDiffusion = extra.adaptiveDiffusion;
    this.diffusionScale = extra.diffusionScale;
    this.askedLeaderValue = extra.askedLeaderValue;
    this.swarm = extra.swarm;
  }

  static fromState(state: unknown): SfsWoa {
    const core = coreFromState(state, 'sfs-woa', 4);
    const s = is.plainObject('state', state);
    const scale = s.diffusionScale;
    if (typeof scale !== 'number' || !(scale >= SCALE_MIN && scale <= SCALE_MAX)) {
      const expected = `number in [${SCALE_MIN}, ${SCALE_MAX}]`;
      throw is.invalidArgument(`Expected ${expected} for state.diffusionScale but received ${is.describe(scale)}`);
    }
    return new SfsWoa(
      new Restored(core, {
        walks: is.integer('state.walks', s.walks, 0),
        adaptiveDiffusion: is.boolean('state.adaptiveDiffusion', s.adaptiveDiffusion),
        diffusionScale: scale,
        askedLeaderValue: fromJsonNumber('state.askedLeaderValue', s.askedLeaderValue),
        swarm: Swarm.fromState(s.swarm, core.population, core.dimension),
      }),
    );
  }

  override state(): SfsWoaState {
    return super.state() as SfsWoaState;
  }

  protected propose(): number[][] {
    const leaderPoint = this.best();
    if (!this.swarm.initialised || leaderPoint === null) {
      return Swarm.initialBatch(this.rng, this.population, this.dimension);
    }
    const leader = leaderPoint.x;
    const n = this.population;
    const tau = this.progress();
    const a = 2 * (1 - tau);
    const z = 1 - tau * tau;
    const P = this.swarm.positions;
    const batch = P.map((x, i) => {
      const d = drawWhale(this.rng, a);
      if (d.p >= 0.5) return spiral(leader, x, d.l);
      if (Math.abs(d.A) < 1) return encircle(leader, x, d.A, d.C);
      const [r1, r2, r3] = this.rng.distinct(n, 3, i);
      const w: [number, number, number] = [this.rng.uniform(), this.rng.uniform(), this.rng.uniform()];
      return guidedExploration(x, P[r1], P[r2], P[r3], z, w);
    });
    const g = this.iteration + 1;
    for (let k = 0; k < this.walks; k++) {
      let sigma = diffusionSigma(g, P[this.rng.int(n)], leader);
      if (this.adaptiveDiffusion) {
        const rms = Math.sqrt(sigma.reduce((sum, v) => sum + v * v, 0) / sigma.length);
        sigma = sigma.map(() => this.diffusionScale * rms);
      }
      batch.push(gaussianWalk(this.rng, leader, sigma));
    }
    this.askedLeaderValue = leaderPoint.value;
    return batch;
  }

  protected absorb(batch: number[][], fitness: number[]): void {
    if (!this.swarm.initialised) {
      this.swarm.absorbInitial(batch, fitness);
      return;
    }
    const n = this.population;
    // WOA has no selection: every evaluated whale moves to its new position.
    for (let i = 0; i < Math.min(n, fitness.length); i++) this.swarm.replace(i, batch[i], fitness[i]);
    const evaluatedWalks = fitness.length - n;
    if (this.adaptiveDiffusion && evaluatedWalks > 0) {
      let successes = 0;
      for (let k = n; k < fitness.length; k++) if (fitness[k] < this.askedLeaderValue) successes++;
      const rate = successes / evaluatedWalks;
      const next = this.diffusionScale * Math.exp((rate - TARGET_SUCCESS) / (1 - TARGET_SUCCESS));
      this.diffusionScale = Math.min(SCALE_MAX, Math.max(SCALE_MIN, next));
    }
  }

  protected extraState(): Record<string, unknown> {
    return {
      walks: this.walks,
      adaptiveDiffusion: this.adaptiveDiffusion,
      diffusionScale: this.diffusionScale,
      askedLeaderValue: toJsonNumber(this.askedLeaderValue),
      swarm: this.swarm.toState(),
    };
  }
}
