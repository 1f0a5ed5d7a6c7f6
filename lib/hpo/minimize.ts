// minimize(): drives an ask/tell optimizer against a (sync or async, possibly failing) objective over a search
// space, with an evaluation budget, a concurrency limit, per-iteration checkpoints and resume.
//
// One iteration = one ask/tell round of the optimizer. Its candidates are evaluated concurrently (at most
// `concurrency` in flight), recorded in ask order (not completion order, so runs are reproducible), then told.
// After each iteration onIteration receives a JSON-safe checkpoint; resumeMinimize(objective, space,
// checkpoint) continues the run exactly as if it had never stopped (same candidates, same history).
//
// Multi-fidelity (option `fidelity`, see fidelity.ts): each iteration's candidates are evaluated by successive
// halving over the plan's budgets (the objective gets context.budget), the optimizer is told the values of
// fidelity.ts's toldValues, and the best result is the best evaluation at the top budget. Evaluations are
// numbered rung by rung (all rung-0 evaluations of an iteration, then the promoted ones at rung 1, ...), so a
// seeded run numbers them the same way every time, which lets a caller replay finished evaluations after a
// crash (lib/optimize/search.ts does). Budget spent = the sum of the budgets evaluated; `maxBudget` caps it.
import { SerNativeError } from '../errors';
import * as is from '../is';
import { type Algorithm, type BaseState, type JsonNumber, type JsonPoint, fromJsonNumber, toJsonNumber } from './optimizer';
import { DEFAULT_POPULATION } from './base';
import { type FidelityPlan, affordableCandidates, checkFidelityPlan, halvingCost, promote, toldValues } from './fidelity';
import { runPool } from './pool';
import { type AnyOptimizerSettings, createOptimizer, expectAlgorithm, plannedIterations, restoreOptimizer } from './registry';
import { type ConfigOf, type Space, categoricalSizes, decoder, encode, validateSpace } from './space';

export interface EvaluationContext {
  /** Global 0-based index of this evaluation in the run. */
  readonly evaluation: number;
  /** 0-based iteration (ask/tell round); iteration 0 evaluates the initial population. */
  readonly iteration: number;
  /** The candidate in the unit cube. */
  readonly x: readonly number[];
  /** Rung of successive halving (0 without a fidelity plan). */
  readonly rung: number;
  /** The fidelity to evaluate at (e.g. training epochs); undefined without a fidelity plan. */
  readonly budget?: number;
  /** The run's abort signal, so long evaluations (training jobs) can stop early. */
  readonly signal?: AbortSignal;
}

export type Objective<S extends Space> = (config: ConfigOf<S>, context: EvaluationContext) => number | Promise<number>;

export interface EvaluationRecord<C> {
  readonly evaluation: number;
  readonly iteration: number;
  readonly config: C;
  /** Rung of successive halving (0 without a fidelity plan). */
  readonly rung: number;
  /** Budget of the evaluation; undefined without a fidelity plan. */
  readonly budget?: number;
  /** The objective value, or the penalty when the evaluation failed. */
  readonly value: number;
  /** Present when the evaluation threw, rejected or returned a non-number: the error message. */
  readonly error?: string;
  readonly timeMs: number;
}

export interface BestResult<C> {
  readonly config: C;
  readonly x: number[];
  readonly value: number;
}

/** Everything needed to continue a run; plain JSON (non-finite numbers are stored as strings). */
export interface MinimizeCheckpoint {
  readonly kind: 'ser-native/hpo-checkpoint';
  readonly version: 1;
  /** Dimension names of the space, in cube order (checked on resume). */
  readonly names: string[];
  readonly evaluations: number;
  readonly maxEvaluations: number | null;
  readonly penalty: JsonNumber;
  /** Multi-fidelity plan, or null (absent in checkpoints written before multi-fidelity: null). */
  readonly fidelity?: FidelityPlan | null;
  /** Budget spent so far (sum of evaluated budgets; evaluations without a plan). */
  readonly budgetSpent?: number;
  readonly maxBudget?: number | null;
  /** Best successful evaluation so far (at the top budget). */
  readonly best: JsonPoint | null;
  readonly optimizer: BaseState;
}

export interface IterationProgress<C> {
  /** The iteration just completed (0-based). */
  readonly iteration: number;
  /** Evaluations spent so far, including before a resume. */
  readonly evaluations: number;
  /** Budget spent so far (see MinimizeCheckpoint.budgetSpent). */
  readonly budget: number;
  readonly best: BestResult<C> | null;
  /** Save this (JSON.stringify) to resume after a crash. */
  readonly state: MinimizeCheckpoint;
  /** This iteration's evaluations (append them to a log if you need the full history after a resume). */
  readonly records: EvaluationRecord<C>[];
}

export interface RunOptions<C> {
  /** Evaluation budget, never exceeded (the last iteration is cut short). */
  readonly maxEvaluations?: number;
  /**
   * Budget in fidelity units (e.g. epochs; evaluations without a fidelity plan), never exceeded: an iteration
   * evaluates only as many candidates as its full successive halving can afford.
   */
  readonly maxBudget?: number;
  /** Evaluations in flight at once. Default 1. */
  readonly concurrency?: number;
  /** Called after every iteration; a rejection stops the run and rejects minimize. */
  readonly onIteration?: (progress: IterationProgress<C>) => void | Promise<void>;
  /**
   * Aborting starts no new evaluation; running ones are awaited, the unfinished iteration is discarded
   * (the last checkpoint stays valid) and minimize rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
}

export interface MinimizeOptions<C> extends RunOptions<C> {
  /** Default 'sfs-woa'. */
  readonly algorithm?: Algorithm;
  /** Candidates per iteration (swarm size). Default 20. */
  readonly population?: number;
  /**
   * Planned iterations, the initial population's included. It is the schedule horizon of WOA and SFS-WOA;
   * when omitted it is derived from maxEvaluations (one of the two is required).
   */
  readonly iterations?: number;
  /** Non-negative safe integer. Default 0. */
  readonly seed?: number;
  /** Fitness told to the optimizer for a failed evaluation. Default +Infinity. */
  readonly penalty?: number;
  /** sfs-woa: diffusion walks around the leader per iteration. Default: the population. */
  readonly walks?: number;
  /** sfs-woa: success-adapted diffusion scale (see sfs-woa.ts). Default true. */
  readonly adaptiveDiffusion?: boolean;
  /** sfs: Gaussian walks per point (maximum diffusion number). Default 1. */
  readonly maxDiffusion?: number;
  /** sfs: probability of the walk around the best point. Default 0.5. */
  readonly walk?: number;
  /** tpe: uniformly sampled points before the Parzen estimators are used. Default 10. */
  readonly startupTrials?: number;
  /** tpe: draws from l(x) per coordinate. Default 24. */
  readonly eiCandidates?: number;
  /** tpe: weight of the prior kernel. Default 1. */
  readonly priorWeight?: number;
  /** Successive halving inside every iteration (see fidelity.ts). Default: none, one evaluation per candidate. */
  readonly fidelity?: FidelityPlan;
  /**
   * Configurations to evaluate first (e.g. the current default): the first candidates of the first batches.
   * With `fidelity`, successive halving always promotes `initial[0]` to the top rung (in place of the last
   * promoted), so the best result is never worse than it.
   */
  readonly initial?: readonly C[];
}

export interface MinimizeResult<C> {
  /** Best successful evaluation, or null if none succeeded. */
  readonly best: BestResult<C> | null;
  /** Evaluations of this call, in order (after a resume: only the resumed part). */
  readonly history: EvaluationRecord<C>[];
  /** Evaluations spent in total (including before a resume). */
  readonly evaluations: number;
  /** Budget spent in total (see MinimizeCheckpoint.budgetSpent). */
  readonly budget: number;
  /** Iterations completed in total. */
  readonly iterations: number;
  /** Checkpoint of the final state. */
  readonly state: MinimizeCheckpoint;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : is.describe(error);
}

function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new SerNativeError('ERR_CANCELLED', 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

function expectPenalty(value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw is.invalidArgument(`Expected number (not NaN) for penalty but received ${is.describe(value)}`);
  }
  return value;
}

interface Run<S extends Space> {
  readonly objective: Objective<S>;
  readonly decode: (x: readonly number[]) => ConfigOf<S>;
  readonly names: string[];
  readonly optimizer: ReturnType<typeof restoreOptimizer>;
  readonly penalty: number;
  readonly maxEvaluations: number | null;
  readonly fidelity: FidelityPlan | null;
  readonly maxBudget: number | null;
  readonly concurrency: number;
  readonly onIteration?: RunOptions<ConfigOf<S>>['onIteration'];
  readonly signal?: AbortSignal;
  /** The first candidate of the first batch is `initial[0]`, the starting point: halving always promotes it. */
  readonly pinFirst: boolean;
  evaluations: number;
  budgetSpent: number;
  best: { x: number[]; value: number } | null;
}

function checkRunOptions<C>(options: RunOptions<C>): void {
  if (options.maxEvaluations !== undefined) is.positiveInteger('maxEvaluations', options.maxEvaluations);
  if (options.maxBudget !== undefined && !(typeof options.maxBudget === 'number' && options.maxBudget > 0 && Number.isFinite(options.maxBudget))) {
    throw is.invalidArgument(`Expected positive number for maxBudget but received ${is.describe(options.maxBudget)}`, 'range');
  }
  if (options.concurrency !== undefined) is.positiveInteger('concurrency', options.concurrency);
  if (options.onIteration !== undefined) is.fn('onIteration', options.onIteration);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw is.invalidArgument(`Expected AbortSignal for signal but received ${is.describe(options.signal)}`);
  }
}

function checkpoint<S extends Space>(run: Run<S>): MinimizeCheckpoint {
  return {
    kind: 'ser-native/hpo-checkpoint',
    version: 1,
    names: run.names.slice(),
    evaluations: run.evaluations,
    maxEvaluations: run.maxEvaluations,
    penalty: toJsonNumber(run.penalty),
    fidelity: run.fidelity === null ? null : { budgets: run.fidelity.budgets.slice(), eta: run.fidelity.eta },
    budgetSpent: run.budgetSpent,
    maxBudget: run.maxBudget,
    best: run.best === null ? null : { x: run.best.x.slice(), value: toJsonNumber(run.best.value) },
    optimizer: run.optimizer.state(),
  };
}

function bestResult<S extends Space>(run: Run<S>): BestResult<ConfigOf<S>> | null {
  if (run.best === null) return null;
  return { config: run.decode(run.best.x), x: run.best.x.slice(), value: run.best.value };
}

async function evaluate<S extends Space>(
  run: Run<S>,
  x: number[],
  evaluation: number,
  iteration: number,
  rung: number,
): Promise<EvaluationRecord<ConfigOf<S>>> {
  const budget = run.fidelity === null ? undefined : run.fidelity.budgets[rung];
  const where = budget === undefined ? { rung } : { rung, budget };
  const config = run.decode(x);
  const started = performance.now();
  let value: number;
  let error: string | undefined;
  try {
    // A fresh copy per call: the objective may mutate its argument without touching the record.
    const result: unknown = await run.objective(run.decode(x), { evaluation, iteration, x: x.slice(), ...where, signal: run.signal });
    if (typeof result !== 'number' || Number.isNaN(result)) {
      throw is.invalidArgument(`Expected number for objective value but received ${is.describe(result)}`);
    }
    value = result;
  } catch (e) {
    value = run.penalty;
    error = errorMessage(e);
  }
  const timeMs = performance.now() - started;
  const record = { evaluation, iteration, config, ...where, value };
  return error === undefined ? { ...record, timeMs } : { ...record, error, timeMs };
}

async function drive<S extends Space>(run: Run<S>): Promise<MinimizeResult<ConfigOf<S>>> {
  const history: EvaluationRecord<ConfigOf<S>>[] = [];
  const { optimizer, signal } = run;
  const plan: FidelityPlan = run.fidelity ?? { budgets: [1], eta: 2 };
  const rungs = plan.budgets.length;
  while (!optimizer.done) {
    if (signal?.aborted) throw abortReason(signal);
    const iteration = optimizer.iteration;
    const evaluationsLeft = run.maxEvaluations === null ? null : run.maxEvaluations - run.evaluations;
    const budgetLeft = run.maxBudget === null ? null : run.maxBudget - run.budgetSpent;
    if (affordableCandidates(1, plan, evaluationsLeft, budgetLeft) === 0) break; // not even one candidate: done
    const asked = optimizer.ask();
    const n = affordableCandidates(asked.length, plan, evaluationsLeft, budgetLeft);
    const batch = asked.slice(0, n);
    const reached = new Array<number>(n).fill(0);
    const value = new Array<number>(n).fill(Infinity);
    const ok = new Array<boolean>(n).fill(false);
    const done: EvaluationRecord<ConfigOf<S>>[] = [];
    const spentBefore = { evaluations: run.evaluations, budget: run.budgetSpent };
    // The starting point reaches the top rung, so the best result is never worse than it at the top budget.
    const pinned = run.pinFirst && spentBefore.evaluations === 0 ? [0] : [];
    let alive = batch.map((_, i) => i);
    for (let r = 0; r < rungs && alive.length > 0; r++) {
      const first = spentBefore.evaluations + done.length;
      const ids = alive;
      const records = await runPool(ids.length, run.concurrency, (k) => evaluate(run, batch[ids[k]], first + k, iteration, r), signal);
      if (signal?.aborted) throw abortReason(signal); // the partial iteration is dropped, not told
      (records as EvaluationRecord<ConfigOf<S>>[]).forEach((rec, k) => {
        const i = ids[k];
        reached[i] = r;
        value[i] = rec.value;
        ok[i] = rec.error === undefined;
        done.push(rec);
      });
      if (r < rungs - 1) alive = promote(ids, value, ok, plan.eta, pinned);
    }
    optimizer.tell(rungs === 1 ? value : toldValues(reached, value, rungs));
    run.evaluations += done.length;
    run.budgetSpent += done.reduce((a, rec) => a + plan.budgets[rec.rung], 0);
    batch.forEach((x, i) => {
      const better = ok[i] && reached[i] === rungs - 1 && (run.best === null || value[i] < run.best.value);
      if (better) run.best = { x: x.slice(), value: value[i] };
    });
    history.push(...done);
    if (run.onIteration) {
      const best = bestResult(run);
      await run.onIteration({ iteration, evaluations: run.evaluations, budget: run.budgetSpent, best, state: checkpoint(run), records: done });
    }
  }
  const best = bestResult(run);
  return { best, history, evaluations: run.evaluations, budget: run.budgetSpent, iterations: optimizer.iteration, state: checkpoint(run) };
}

/** Rounds whose full successive halving fits `maxBudget` (unbounded for algorithms without a schedule). */
export function plannedIterationsByBudget(algorithm: Algorithm, settings: Pick<AnyOptimizerSettings, 'population' | 'walks'>, plan: FidelityPlan, maxBudget: number): number {
  if (plannedIterations(algorithm, settings, 1) === Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  const population = settings.population ?? DEFAULT_POPULATION;
  const later = population + (algorithm === 'sfs-woa' ? (settings.walks ?? population) : 0);
  const first = halvingCost(population, plan).budget;
  return 1 + Math.max(0, Math.ceil((maxBudget - first) / halvingCost(later, plan).budget));
}

/** Minimises `objective` over `space`. Needs `iterations` or `maxEvaluations` (or both) to know when to stop. */
export async function minimize<S extends Space>(
  objective: Objective<S>,
  space: S,
  options: MinimizeOptions<ConfigOf<S>>,
): Promise<MinimizeResult<ConfigOf<S>>> {
  is.fn('objective', objective);
  const names = validateSpace(space);
  const o = is.plainObject('options', options) as MinimizeOptions<ConfigOf<S>>;
  checkRunOptions(o);
  const algorithm = expectAlgorithm('algorithm', o.algorithm ?? 'sfs-woa');
  if (o.iterations === undefined && o.maxEvaluations === undefined && o.maxBudget === undefined) {
    throw is.invalidArgument('Expected iterations, maxEvaluations or maxBudget in options but received neither');
  }
  const fidelity = o.fidelity === undefined ? null : checkFidelityPlan('fidelity', o.fidelity);
  const settings: AnyOptimizerSettings = {
    dimension: names.length,
    population: o.population,
    seed: o.seed,
    walks: o.walks,
    adaptiveDiffusion: o.adaptiveDiffusion,
    maxDiffusion: o.maxDiffusion,
    walk: o.walk,
    startupTrials: o.startupTrials,
    eiCandidates: o.eiCandidates,
    priorWeight: o.priorWeight,
    // TPE models the space's unordered choices as categories; the other algorithms see positions only.
    categories: algorithm === 'tpe' ? categoricalSizes(space) : undefined,
    iterations: 1, // replaced below once the settings are known to be valid
  };
  let iterations: number;
  if (o.iterations !== undefined) iterations = is.positiveInteger('iterations', o.iterations);
  else {
    // The horizon the budgets allow, counting a batch of b candidates as its halving's evaluations / budget.
    const plan = fidelity ?? { budgets: [1], eta: 2 };
    const byEvaluations = o.maxEvaluations === undefined ? Infinity : plannedIterations(algorithm, settings, o.maxEvaluations);
    const byBudget = o.maxBudget === undefined ? Infinity : plannedIterationsByBudget(algorithm, settings, plan, o.maxBudget);
    iterations = Math.min(byEvaluations, byBudget);
  }
  const optimizer = createOptimizer(algorithm, { ...settings, iterations });
  if (o.initial !== undefined) {
    if (!Array.isArray(o.initial)) throw is.invalidArgument(`Expected array of configurations for initial but received ${is.describe(o.initial)}`);
    optimizer.enqueue(o.initial.map((c) => encode(space, c as Record<string, unknown>)));
  }
  return drive({
    objective,
    decode: decoder(space),
    names,
    optimizer,
    penalty: expectPenalty(o.penalty ?? Infinity),
    maxEvaluations: o.maxEvaluations ?? null,
    fidelity,
    maxBudget: o.maxBudget ?? null,
    concurrency: o.concurrency ?? 1,
    onIteration: o.onIteration,
    signal: o.signal,
    pinFirst: o.initial !== undefined && o.initial.length > 0,
    evaluations: 0,
    budgetSpent: 0,
    best: null,
  });
}

/**
 * Continues a run from a checkpoint (IterationProgress.state or MinimizeResult.state, also after a JSON round
 * trip). With the same objective the continuation is identical to an uninterrupted run. `maxEvaluations`
 * defaults to the original budget; raising it extends budget-limited algorithms (sfs, random), while WOA-type
 * schedules still end at their planned iterations.
 */
export async function resumeMinimize<S extends Space>(
  objective: Objective<S>,
  space: S,
  state: MinimizeCheckpoint | unknown,
  options: RunOptions<ConfigOf<S>> = {},
): Promise<MinimizeResult<ConfigOf<S>>> {
  is.fn('objective', objective);
  const names = validateSpace(space);
  const o = is.plainObject('options', options) as RunOptions<ConfigOf<S>>;
  checkRunOptions(o);
  const c = is.plainObject('state', state);
  if (c.kind !== 'ser-native/hpo-checkpoint' || c.version !== 1) {
    throw is.invalidArgument(`Expected a version 1 hpo checkpoint for state but received ${is.describe(state)}`);
  }
  if (!Array.isArray(c.names) || c.names.join('\u0000') !== names.join('\u0000')) {
    const expected = `[${names.join(', ')}]`;
    throw is.invalidArgument(`Expected state.names to match the space's dimensions ${expected} but received ${is.describe(c.names)}`);
  }
  const optimizer = restoreOptimizer(c.optimizer);
  if (optimizer.dimension !== names.length) {
    throw is.invalidArgument(`Expected state.optimizer.dimension ${names.length} but received ${optimizer.dimension}`, 'range');
  }
  const evaluations = is.integer('state.evaluations', c.evaluations, 0);
  let best: Run<S>['best'] = null;
  if (c.best !== null) {
    const b = is.plainObject('state.best', c.best);
    decoder(space)(b.x as number[]); // validates the point
    best = { x: (b.x as number[]).slice(), value: fromJsonNumber('state.best.value', b.value) };
  }
  const savedBudget = c.maxEvaluations === null ? null : is.positiveInteger('state.maxEvaluations', c.maxEvaluations);
  const fidelity = c.fidelity === undefined || c.fidelity === null ? null : checkFidelityPlan('state.fidelity', c.fidelity);
  const budgetSpent = c.budgetSpent === undefined ? evaluations : (c.budgetSpent as number);
  if (typeof budgetSpent !== 'number' || !(budgetSpent >= 0)) throw is.invalidArgument(`Expected non-negative number for state.budgetSpent but received ${is.describe(c.budgetSpent)}`);
  const savedMaxBudget = c.maxBudget === undefined || c.maxBudget === null ? null : (c.maxBudget as number);
  return drive({
    objective,
    decode: decoder(space),
    names,
    optimizer,
    penalty: expectPenalty(fromJsonNumber('state.penalty', c.penalty)),
    maxEvaluations: o.maxEvaluations ?? savedBudget,
    fidelity,
    maxBudget: o.maxBudget ?? savedMaxBudget,
    concurrency: o.concurrency ?? 1,
    onIteration: o.onIteration,
    signal: o.signal,
    pinFirst: false, // a checkpoint is written after the first batch
    evaluations,
    budgetSpent,
    best,
  });
}
