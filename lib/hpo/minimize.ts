// minimize(): drives an ask/tell optimizer against a (sync or async, possibly failing) objective over a search
// space, with an evaluation budget, a concurrency limit, per-iteration checkpoints and resume.
//
// One iteration = one ask/tell round of the optimizer. Its candidates are evaluated concurrently (at most
// `concurrency` in flight), recorded in ask order (not completion order, so runs are reproducible), then told.
// After each iteration onIteration receives a JSON-safe checkpoint; resumeMinimize(objective, space,
// checkpoint) continues the run exactly as if it had never stopped (same candidates, same history).
import { describe, expectFunction, expectInteger, expectObject, expectPositiveInteger } from './check';
import { type Algorithm, type BaseState, type JsonNumber, type JsonPoint, fromJsonNumber, toJsonNumber } from './optimizer';
import { runPool } from './pool';
import { type AnyOptimizerSettings, createOptimizer, expectAlgorithm, plannedIterations, restoreOptimizer } from './registry';
import { type ConfigOf, type Space, decoder, validateSpace } from './space';

export interface EvaluationContext {
  /** Global 0-based index of this evaluation in the run. */
  readonly evaluation: number;
  /** 0-based iteration (ask/tell round); iteration 0 evaluates the initial population. */
  readonly iteration: number;
  /** The candidate in the unit cube. */
  readonly x: readonly number[];
  /** The run's abort signal, so long evaluations (training jobs) can stop early. */
  readonly signal?: AbortSignal;
}

export type Objective<S extends Space> = (config: ConfigOf<S>, context: EvaluationContext) => number | Promise<number>;

export interface EvaluationRecord<C> {
  readonly evaluation: number;
  readonly iteration: number;
  readonly config: C;
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
  /** Best successful evaluation so far. */
  readonly best: JsonPoint | null;
  readonly optimizer: BaseState;
}

export interface IterationProgress<C> {
  /** The iteration just completed (0-based). */
  readonly iteration: number;
  /** Evaluations spent so far, including before a resume. */
  readonly evaluations: number;
  readonly best: BestResult<C> | null;
  /** Save this (JSON.stringify) to resume after a crash. */
  readonly state: MinimizeCheckpoint;
  /** This iteration's evaluations (append them to a log if you need the full history after a resume). */
  readonly records: EvaluationRecord<C>[];
}

export interface RunOptions<C> {
  /** Evaluation budget, never exceeded (the last iteration is cut short). */
  readonly maxEvaluations?: number;
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
}

export interface MinimizeResult<C> {
  /** Best successful evaluation, or null if none succeeded. */
  readonly best: BestResult<C> | null;
  /** Evaluations of this call, in order (after a resume: only the resumed part). */
  readonly history: EvaluationRecord<C>[];
  /** Evaluations spent in total (including before a resume). */
  readonly evaluations: number;
  /** Iterations completed in total. */
  readonly iterations: number;
  /** Checkpoint of the final state. */
  readonly state: MinimizeCheckpoint;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describe(error);
}

function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

function expectPenalty(value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Expected number (not NaN) for penalty but received ${describe(value)}`);
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
  readonly concurrency: number;
  readonly onIteration?: RunOptions<ConfigOf<S>>['onIteration'];
  readonly signal?: AbortSignal;
  evaluations: number;
  best: { x: number[]; value: number } | null;
}

function checkRunOptions<C>(options: RunOptions<C>): void {
  if (options.maxEvaluations !== undefined) expectPositiveInteger('maxEvaluations', options.maxEvaluations);
  if (options.concurrency !== undefined) expectPositiveInteger('concurrency', options.concurrency);
  if (options.onIteration !== undefined) expectFunction('onIteration', options.onIteration);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`Expected AbortSignal for signal but received ${describe(options.signal)}`);
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
): Promise<EvaluationRecord<ConfigOf<S>>> {
  const config = run.decode(x);
  const started = performance.now();
  let value: number;
  let error: string | undefined;
  try {
    // A fresh copy per call: the objective may mutate its argument without touching the record.
    const result: unknown = await run.objective(run.decode(x), { evaluation, iteration, x: x.slice(), signal: run.signal });
    if (typeof result !== 'number' || Number.isNaN(result)) {
      throw new TypeError(`Expected number for objective value but received ${describe(result)}`);
    }
    value = result;
  } catch (e) {
    value = run.penalty;
    error = errorMessage(e);
  }
  const timeMs = performance.now() - started;
  const record = { evaluation, iteration, config, value };
  return error === undefined ? { ...record, timeMs } : { ...record, error, timeMs };
}

async function drive<S extends Space>(run: Run<S>): Promise<MinimizeResult<ConfigOf<S>>> {
  const history: EvaluationRecord<ConfigOf<S>>[] = [];
  const { optimizer, signal } = run;
  while (!optimizer.done && (run.maxEvaluations === null || run.evaluations < run.maxEvaluations)) {
    if (signal?.aborted) throw abortReason(signal);
    const iteration = optimizer.iteration;
    const asked = optimizer.ask();
    const room = run.maxEvaluations === null ? asked.length : run.maxEvaluations - run.evaluations;
    const batch = asked.slice(0, Math.min(asked.length, room));
    const first = run.evaluations;
    const records = await runPool(batch.length, run.concurrency, (k) => evaluate(run, batch[k], first + k, iteration), signal);
    if (signal?.aborted) throw abortReason(signal); // the partial iteration is dropped, not told
    const done = records as EvaluationRecord<ConfigOf<S>>[];
    optimizer.tell(done.map((r) => r.value));
    run.evaluations += done.length;
    done.forEach((r, k) => {
      const better = r.error === undefined && (run.best === null || r.value < run.best.value);
      if (better) run.best = { x: batch[k].slice(), value: r.value };
    });
    history.push(...done);
    if (run.onIteration) {
      const best = bestResult(run);
      await run.onIteration({ iteration, evaluations: run.evaluations, best, state: checkpoint(run), records: done });
    }
  }
  const best = bestResult(run);
  return { best, history, evaluations: run.evaluations, iterations: optimizer.iteration, state: checkpoint(run) };
}

/** Minimises `objective` over `space`. Needs `iterations` or `maxEvaluations` (or both) to know when to stop. */
export async function minimize<S extends Space>(
  objective: Objective<S>,
  space: S,
  options: MinimizeOptions<ConfigOf<S>>,
): Promise<MinimizeResult<ConfigOf<S>>> {
  expectFunction('objective', objective);
  const names = validateSpace(space);
  const o = expectObject('options', options) as MinimizeOptions<ConfigOf<S>>;
  checkRunOptions(o);
  const algorithm = expectAlgorithm('algorithm', o.algorithm ?? 'sfs-woa');
  if (o.iterations === undefined && o.maxEvaluations === undefined) {
    throw new TypeError('Expected iterations or maxEvaluations in options but received neither');
  }
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
    iterations: 1, // replaced below once the settings are known to be valid
  };
  const iterations =
    o.iterations !== undefined
      ? expectPositiveInteger('iterations', o.iterations)
      : plannedIterations(algorithm, settings, o.maxEvaluations as number);
  const optimizer = createOptimizer(algorithm, { ...settings, iterations });
  return drive({
    objective,
    decode: decoder(space),
    names,
    optimizer,
    penalty: expectPenalty(o.penalty ?? Infinity),
    maxEvaluations: o.maxEvaluations ?? null,
    concurrency: o.concurrency ?? 1,
    onIteration: o.onIteration,
    signal: o.signal,
    evaluations: 0,
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
  expectFunction('objective', objective);
  const names = validateSpace(space);
  const o = expectObject('options', options) as RunOptions<ConfigOf<S>>;
  checkRunOptions(o);
  const c = expectObject('state', state);
  if (c.kind !== 'ser-native/hpo-checkpoint' || c.version !== 1) {
    throw new TypeError(`Expected a version 1 hpo checkpoint for state but received ${describe(state)}`);
  }
  if (!Array.isArray(c.names) || c.names.join('\u0000') !== names.join('\u0000')) {
    const expected = `[${names.join(', ')}]`;
    throw new TypeError(`Expected state.names to match the space's dimensions ${expected} but received ${describe(c.names)}`);
  }
  const optimizer = restoreOptimizer(c.optimizer);
  if (optimizer.dimension !== names.length) {
    throw new RangeError(`Expected state.optimizer.dimension ${names.length} but received ${optimizer.dimension}`);
  }
  const evaluations = expectInteger('state.evaluations', c.evaluations, 0);
  let best: Run<S>['best'] = null;
  if (c.best !== null) {
    const b = expectObject('state.best', c.best);
    decoder(space)(b.x as number[]); // validates the point
    best = { x: (b.x as number[]).slice(), value: fromJsonNumber('state.best.value', b.value) };
  }
  const savedBudget = c.maxEvaluations === null ? null : expectPositiveInteger('state.maxEvaluations', c.maxEvaluations);
  return drive({
    objective,
    decode: decoder(space),
    names,
    optimizer,
    penalty: expectPenalty(fromJsonNumber('state.penalty', c.penalty)),
    maxEvaluations: o.maxEvaluations ?? savedBudget,
    concurrency: o.concurrency ?? 1,
    onIteration: o.onIteration,
    signal: o.signal,
    evaluations,
    best,
  });
}
