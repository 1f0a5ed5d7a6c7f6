// Tree-structured Parzen Estimator (TPE): J. Bergstra, R. Bardenet, Y. Bengio, B. Kégl, "Algorithms for
// hyper-parameter optimization", NeurIPS 24 (2011), with the defaults and the bandwidth rule of Optuna's
// TPESampler (T. Akiba et al., KDD 2019; optuna/samplers/_tpe/sampler.py and parzen_estimator.py, v3-v4),
// in its default *univariate* mode (multivariate=False: every coordinate has its own pair of estimators):
//
//  * The first n_startup_trials = 10 told points come from uniform sampling.
//  * Then the n told points are ranked by fitness; the best n_below = gamma(n) = min(ceil(0.1 n), 25) form l(x),
//    the others g(x). Each is a mixture of truncated normals on [0, 1]: one kernel per point (its coordinate as
//    mean) plus a prior kernel N(0.5, 1) of weight prior_weight = 1.0 (consider_prior). Point weights are
//    Optuna's default_weights: all 1 below 25 points, else a linear ramp from 1/n up to 1 over all but the 25
//    most recent points (older points count less).
//  * Bandwidth of a kernel: the larger distance to its neighbours among the sorted means (the prior mean 0.5
//    included, the bounds 0 and 1 as outer neighbours; consider_endpoints=False, so the first and last kernels
//    use their inner neighbour only), clipped to [1 / min(100, n_kernels + 1), 1] (consider_magic_clip, n_kernels
//    = points + prior). The prior's sigma is 1 (the range).
//  * Each candidate coordinate: n_ei_candidates = 24 draws from l(x), keep the one maximising
//    log l(x) - log g(x) (the expected-improvement criterion of the paper, Eq. 6).
//
//  * A categorical coordinate (`categories[j]` = K values, an unordered choice of the space: categoricalSizes in
//    space.ts) has Optuna's categorical kernels instead: one per point, prior_weight / n_kernels on every value
//    plus 1 on the point's value, normalised, and a uniform prior kernel, mixed with the same weights. The
//    candidate is the centre of the chosen value's bin.
//
// Differences from Optuna, for this package's optimizers: everything else is continuous in [0, 1] (the unit cube;
// int and ordered choice dimensions are bins of it, see space.ts, so they are modelled as intervals); a batch of `population` candidates is asked per round, all sampled from the
// same estimators (Optuna's behaviour with parallel workers and constant_liar=False); failed evaluations
// (+Infinity) are kept as the worst points (they fall into g(x)) instead of being dropped, so a region that
// crashes is avoided. Truncated normals are sampled by rejection (exact; acceptance >= 0.34 since sigma <= 1
// and the mean is in [0, 1]) where Optuna inverts the CDF: the same distribution, another stream.
import * as is from '../is';
import { BaseOptimizer, type OptimizerSettings, Restored, coreFromSettings, coreFromState, fitnessFromState } from './base';
import { type BaseState, type JsonNumber, rankOrder, toJsonNumber, uniformPoint } from './optimizer';
import type { Rng } from '../random';

export interface TpeOptions {
  /** Uniformly sampled points before the estimators are used (Optuna n_startup_trials). Default 10. */
  readonly startupTrials?: number;
  /** Draws from l(x) per coordinate, the best of which is kept (Optuna n_ei_candidates). Default 24. */
  readonly eiCandidates?: number;
  /** Weight of the prior kernel relative to a point's (Optuna prior_weight). Default 1. */
  readonly priorWeight?: number;
  /** Per coordinate, the number of values of a categorical one, else null (minimize() derives it from the space). Default: none. */
  readonly categories?: readonly (number | null)[];
}

export interface TpeSettings extends OptimizerSettings, TpeOptions {}

export interface TpeState extends BaseState {
  readonly algorithm: 'tpe';
  readonly startupTrials: number;
  readonly eiCandidates: number;
  readonly priorWeight: number;
  /** Categorical coordinates (absent in states written before they existed: none). */
  readonly categories?: (number | null)[];
  /** Every told point, in the order told. */
  readonly observed: number[][];
  readonly observedFitness: JsonNumber[];
}

interface Extra {
  readonly startupTrials: number;
  readonly eiCandidates: number;
  readonly priorWeight: number;
  readonly categories: (number | null)[] | null;
  readonly observed: number[][];
  readonly observedFitness: number[];
}

export const TPE_DEFAULTS = { startupTrials: 10, eiCandidates: 24, priorWeight: 1 } as const;

/** Optuna's default_gamma: the size of the "good" group l(x). */
export function tpeGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default_weights: flat up to 25 points, else older points ramp up from 1/n. */
export function tpeWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const w: number[] = [];
  // numpy.linspace(1 / n, 1, ramp)
  for (let i = 0; i < ramp; i++) w.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) w.push(1);
  return w;
}

/** erfc with fractional error < 1.2e-7 everywhere (Chebyshev fit, Press et al., Numerical Recipes, 2nd ed., 6.2). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
function phi(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A mixture of normals truncated to [0, 1] over one coordinate. */
export class TruncatedMixture {
  private readonly cumulative: number[];
  private readonly logWeights: number[];
  /** log(sigma) + log(Z) + log(sqrt(2 pi)) per kernel, Z the mass of the normal inside [0, 1]. */
  private readonly logNorm: number[];

  constructor(
    readonly mus: readonly number[],
    readonly sigmas: readonly number[],
    weights: readonly number[],
  ) {
    const total = weights.reduce((a, b) => a + b, 0);
    let c = 0;
    this.cumulative = weights.map((w) => (c += w / total));
    this.logWeights = weights.map((w) => Math.log(w / total));
    this.logNorm = mus.map((mu, k) => {
      const s = sigmas[k];
      return Math.log(s) + Math.log(phi((1 - mu) / s) - phi(-mu / s)) + LOG_SQRT_2PI;
    });
  }

  /** Optuna's univariate estimator of the coordinates `values` (weights before the prior's). */
  static fit(values: readonly number[], weights: readonly number[], priorWeight: number): TruncatedMixture {
    const n = values.length;
    if (n === 0) return new TruncatedMixture([0.5], [1], [1]);
    const withPrior = [...values, 0.5];
    const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a] - withPrior[b] || a - b);
    const e = [0, ...order.map((i) => withPrior[i]), 1]; // sorted means between the bounds
    const sorted = order.map((_, k) => Math.max(e[k + 1] - e[k], e[k + 2] - e[k + 1]));
    if (e.length >= 4) {
      sorted[0] = e[2] - e[1];
      sorted[sorted.length - 1] = e[e.length - 2] - e[e.length - 3];
    }
    const sigma = new Array<number>(n + 1);
    order.forEach((i, k) => (sigma[i] = sorted[k]));
    const minSigma = 1 / Math.min(100, 1 + n + 1);
    const sigmas = sigma.slice(0, n).map((s) => Math.min(1, Math.max(minSigma, s)));
    return new TruncatedMixture([...values, 0.5], [...sigmas, 1], [...weights, priorWeight]);
  }

  sample(rng: Rng): number {
    const u = rng.uniform();
    let k = this.cumulative.findIndex((c) => u < c);
    if (k < 0) k = this.cumulative.length - 1;
    for (;;) {
      const x = rng.normal(this.mus[k], this.sigmas[k]);
      if (x >= 0 && x <= 1) return x;
    }
  }

  logPdf(x: number): number {
    let max = -Infinity;
    const terms = this.mus.map((mu, k) => {
      const z = (x - mu) / this.sigmas[k];
      const v = this.logWeights[k] - 0.5 * z * z - this.logNorm[k];
      if (v > max) max = v;
      return v;
    });
    if (max === -Infinity) return -Infinity;
    return max + Math.log(terms.reduce((s, v) => s + Math.exp(v - max), 0));
  }
}

/** Optuna's categorical estimator over K values: its kernels' mixture, which is itself a distribution over the values. */
export class CategoricalMixture {
  constructor(readonly probabilities: readonly number[]) {}

  /** `indices`: the points' values (0..K-1); `weights`: theirs, before the prior's. */
  static fit(indices: readonly number[], weights: readonly number[], priorWeight: number, size: number): CategoricalMixture {
    const n = indices.length;
    if (n === 0) return new CategoricalMixture(new Array<number>(size).fill(1 / size));
    const total = weights.reduce((a, b) => a + b, 0) + priorWeight;
    const fill = priorWeight / (n + 1); // every kernel's floor on each value (n_kernels = points + prior)
    const row = size * fill + 1;
    const p = new Array<number>(size).fill(priorWeight / total / size); // the prior kernel is uniform
    indices.forEach((c, i) => {
      const w = weights[i] / total;
      for (let k = 0; k < size; k++) p[k] += (w * fill) / row;
      p[c] += w / row;
    });
    return new CategoricalMixture(p);
  }

  sample(rng: Rng): number {
    const u = rng.uniform();
    let c = 0;
    for (let k = 0; k < this.probabilities.length; k++) {
      c += this.probabilities[k];
      if (u < c) return k;
    }
    return this.probabilities.length - 1;
  }

  logPmf(k: number): number {
    return Math.log(this.probabilities[k]);
  }
}

/** The value (bin) of coordinate x of a choice with `size` values, as space.ts decodes it. */
const binOf = (x: number, size: number): number => Math.min(size - 1, Math.floor(x * size));

function categoriesOf(name: string, v: unknown, dimension: number): (number | null)[] | null {
  if (v === undefined) return null;
  if (!Array.isArray(v) || v.length !== dimension) throw is.invalidParameterError(name, `array of ${dimension} category counts or nulls (one per coordinate)`, v);
  return v.map((k: unknown, j) => (k === null ? null : is.integer(`${name}[${j}]`, k, 1)));
}

export class Tpe extends BaseOptimizer {
  readonly algorithm = 'tpe' as const;
  readonly startupTrials: number;
  readonly eiCandidates: number;
  readonly priorWeight: number;
  readonly categories: (number | null)[] | null;
  private readonly observed: number[][];
  private readonly observedFitness: number[];

  constructor(settings: TpeSettings | Restored<Extra>) {
    super(settings instanceof Restored ? settings.core : coreFromSettings(settings, 1));
    const extra: Extra =
      settings instanceof Restored
        ? settings.extra
        : {
            startupTrials: is.integer('startupTrials', settings.startupTrials ?? TPE_DEFAULTS.startupTrials, 0),
            eiCandidates: is.integer('eiCandidates', settings.eiCandidates ?? TPE_DEFAULTS.eiCandidates, 1),
            priorWeight: positive('priorWeight', settings.priorWeight ?? TPE_DEFAULTS.priorWeight),
            categories: categoriesOf('categories', settings.categories, settings.dimension),
            observed: [],
            observedFitness: [],
          };
    this.startupTrials = extra.startupTrials;
    this.eiCandidates = extra.eiCandidates;
    this.priorWeight = extra.priorWeight;
    this.categories = extra.categories;
    this.observed = extra.observed;
    this.observedFitness = extra.observedFitness;
  }

  static fromState(state: unknown): Tpe {
    const core = coreFromState(state, 'tpe', 1);
    const s = is.plainObject('state', state);
    const observed = is.unitMatrix('state.observed', s.observed, null, core.dimension).map((x) => x.slice());
    return new Tpe(
      new Restored(core, {
        startupTrials: is.integer('state.startupTrials', s.startupTrials, 0),
        eiCandidates: is.integer('state.eiCandidates', s.eiCandidates, 1),
        priorWeight: positive('state.priorWeight', s.priorWeight),
        categories: categoriesOf('state.categories', s.categories, core.dimension),
        observed,
        observedFitness: fitnessFromState('state.observedFitness', s.observedFitness, observed.length),
      }),
    );
  }

  override state(): TpeState {
    return super.state() as TpeState;
  }

  protected propose(): number[][] {
    const n = this.observed.length;
    if (n < this.startupTrials || n === 0) {
      return Array.from({ length: this.population }, () => uniformPoint(this.rng, this.dimension));
    }
    // Split by rank; each group keeps the order told, which the weight ramp relies on.
    const ranked = rankOrder(this.observedFitness);
    const nBelow = tpeGamma(n);
    const below = ranked.slice(0, nBelow).sort((a, b) => a - b);
    const above = ranked.slice(nBelow).sort((a, b) => a - b);
    const wBelow = tpeWeights(below.length);
    const wAbove = tpeWeights(above.length);
    // Per coordinate: a sampler of l(x) and the score log l(x) - log g(x) of a sample.
    const l: { sample: (rng: Rng) => number; score: (v: number) => number; at: (v: number) => number }[] = [];
    for (let j = 0; j < this.dimension; j++) {
      const size = this.categories?.[j] ?? null;
      if (size === null) {
        const lj = TruncatedMixture.fit(below.map((i) => this.observed[i][j]), wBelow, this.priorWeight);
        const gj = TruncatedMixture.fit(above.map((i) => this.observed[i][j]), wAbove, this.priorWeight);
        l.push({ sample: (rng) => lj.sample(rng), score: (v) => lj.logPdf(v) - gj.logPdf(v), at: (v) => v });
      } else {
        const lj = CategoricalMixture.fit(below.map((i) => binOf(this.observed[i][j], size)), wBelow, this.priorWeight, size);
        const gj = CategoricalMixture.fit(above.map((i) => binOf(this.observed[i][j], size)), wAbove, this.priorWeight, size);
        l.push({ sample: (rng) => lj.sample(rng), score: (k) => lj.logPmf(k) - gj.logPmf(k), at: (k) => (k + 0.5) / size });
      }
    }
    const batch: number[][] = [];
    for (let c = 0; c < this.population; c++) {
      const x = new Array<number>(this.dimension);
      for (let j = 0; j < this.dimension; j++) {
        let bestScore = -Infinity;
        let best = 0.5;
        for (let k = 0; k < this.eiCandidates; k++) {
          const v = l[j].sample(this.rng);
          const score = l[j].score(v);
          if (k === 0 || score > bestScore) {
            bestScore = score;
            best = v;
          }
        }
        x[j] = l[j].at(best);
      }
      batch.push(x);
    }
    return batch;
  }

  protected absorb(batch: number[][], fitness: number[]): void {
    for (let i = 0; i < fitness.length; i++) {
      this.observed.push(batch[i].slice());
      this.observedFitness.push(fitness[i]);
    }
  }

  protected extraState(): Record<string, unknown> {
    return {
      startupTrials: this.startupTrials,
      eiCandidates: this.eiCandidates,
      priorWeight: this.priorWeight,
      ...(this.categories ? { categories: this.categories.slice() } : {}),
      observed: this.observed.map((x) => x.slice()),
      observedFitness: this.observedFitness.map(toJsonNumber),
    };
  }
}

function positive(name: string, value: unknown): number {
  const v = is.number(name, value);
  if (v <= 0) throw is.invalidArgument(`Expected positive number for ${name} but received ${is.describe(value)}`, 'range');
  return v;
}
