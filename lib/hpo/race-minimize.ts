// raceMinimize(): the noise-aware search. An ask/tell optimizer proposes a batch per iteration, as in
// minimize(); each batch is raced against the incumbent (race.ts) with common random numbers:
//
//  * every candidate of a rung is evaluated on the same replicates (training seed, fold) as the incumbent, and
//    its fitness is the paired difference to the incumbent's values on them (paired.ts);
//  * an evaluation cache keyed on (configuration, budget, seed, fold) answers every evaluation already made
//    (evaluation-cache.ts), so the incumbent is measured once per replicate, a configuration proposed twice is
//    not trained twice, and a configuration is never re-measured with the same seed;
//  * when the optimizer proposes the incumbent again (WOA's spiral move of the leader returns the leader), the
//    race's seed window moves on by one seed for that iteration: the leader earns a new seed, and the
//    challengers of that iteration are paired with it on replicates it was not chosen on;
//  * the top rung's best challenger replaces the incumbent when its mean paired difference is below 0.
//
// What the optimizer is told: level(incumbent) + paired difference, where level is the incumbent's estimated
// difference to the starting point (0 for it; each new incumbent's level is the old one plus its winning
// difference). Values of different iterations are then on one scale (a difference to the starting point
// through the chain of paired comparisons), the incumbent is always the optimizer's best point, and a
// candidate stopped at a lower rung is told a value behind every candidate that went further and behind the
// incumbent (fidelity.ts toldValues). A failed evaluation: the penalty. A re-proposed incumbent: its level.
//
// The best result is the final incumbent (never a single lucky evaluation). Evaluations are numbered in the
// order they are started (the incumbent first, then candidates in batch order, replicates seed by seed, fold
// by fold), which a seeded run repeats; only evaluations that are not in the cache count (and cost budget).
// Checkpoints are taken after every iteration; resumeRaceMinimize() continues as if never stopped.
import { SerNativeError } from '../errors';
import * as is from '../is';
import { DEFAULT_POPULATION } from './base';
import { EvaluationCache, configKey, type CachedValue } from './evaluation-cache';
import { toldValues } from './fidelity';
import type { EvaluationContext, MinimizeOptions, RunOptions } from './minimize';
import { type BaseState, type JsonNumber, fromJsonNumber, toJsonNumber } from './optimizer';
import { pairedSummary, type PairedSummary } from './paired';
import { runPool } from './pool';
import { type RacePlan, type Replicate, affordableRacers, beatsIncumbent, checkRacePlan, raceCost, racePromote, rungReplicates } from './race';
import { type AnyOptimizerSettings, createOptimizer, expectAlgorithm, plannedIterations, restoreOptimizer } from './registry';
import { type ConfigOf, type Space, categoricalSizes, decoder, encode, validateSpace } from './space';

export interface RaceEvaluationContext extends Omit<EvaluationContext, 'budget'> {
  /** The rung's budget (e.g. training epochs). */
  readonly budget: number;
  /** The training seed and fold to evaluate on. */
  readonly replicate: Replicate;
}

/** One replicate's value of a configuration (lower is better). */
export type RaceObjective<S extends Space> = (config: ConfigOf<S>, context: RaceEvaluationContext) => number | Promise<number>;

export interface RaceEvaluationRecord<C> {
  readonly evaluation: number;
  readonly iteration: number;
  readonly config: C;
  readonly rung: number;
  readonly budget: number;
  readonly seed: number;
  readonly fold: number;
  /** The replicate's value, or the penalty when the evaluation failed. */
  readonly value: number;
  readonly error?: string;
  readonly timeMs: number;
}

/** A candidate's standing at the highest rung it reached in its iteration. */
export interface RaceDecision<C> {
  readonly iteration: number;
  readonly config: C;
  readonly rung: number;
  /** Paired difference to the incumbent of the iteration, or null (failed, or the incumbent itself). */
  readonly paired: PairedSummary | null;
  readonly outcome: 'incumbent' | 'dropped' | 'stopped' | 'lost' | 'won' | 'failed';
}

export interface Incumbent<C> {
  readonly config: C;
  readonly x: number[];
  /** Estimated difference to the starting point (0 for the starting point), through the chain of paired comparisons. */
  readonly level: number;
  /** Iteration in which it became the incumbent (0 for the starting point). */
  readonly since: number;
}

export interface RaceCheckpoint {
  readonly kind: 'ser-native/race-checkpoint';
  readonly version: 1;
  readonly names: string[];
  readonly evaluations: number;
  readonly budgetSpent: number;
  readonly maxEvaluations: number | null;
  readonly maxBudget: number | null;
  readonly penalty: JsonNumber;
  readonly plan: Required<RacePlan>;
  /** Seed of replicate seed index 0. */
  readonly replicateSeed: number;
  /** Seed index the race's window starts at. */
  readonly window: number;
  readonly incumbent: { x: number[]; level: number; since: number } | null;
  readonly cache: ReturnType<EvaluationCache['toJson']>;
  readonly optimizer: BaseState;
}

export interface RaceIterationProgress<C> {
  readonly iteration: number;
  readonly evaluations: number;
  readonly budget: number;
  readonly incumbent: Incumbent<C> | null;
  readonly state: RaceCheckpoint;
  /** This iteration's evaluations (cache hits excluded). */
  readonly records: RaceEvaluationRecord<C>[];
  readonly decisions: RaceDecision<C>[];
  /** Training seed of the first replicate this iteration raced on. */
  readonly firstSeed: number;
  /** Why the seed window moved on by one before this iteration's race: the leader was proposed again, or every candidate was already measured; null when it did not. */
  readonly newSeed: 'leader' | 'measured' | null;
}

/** minimize's run options (budgets, concurrency, signal) with a race's progress; maxBudget: an iteration races only as many candidates as its worst case affords. */
export interface RaceRunOptions<C> extends Omit<RunOptions<C>, 'onIteration'> {
  readonly onIteration?: (progress: RaceIterationProgress<C>) => void | Promise<void>;
}

export interface RaceMinimizeOptions<C> extends RaceRunOptions<C>, Omit<MinimizeOptions<C>, 'fidelity' | keyof RunOptions<C>> {
  readonly race: RacePlan;
  /** Seed of replicate seed index 0 (training seeds are replicateSeed, replicateSeed + 1, ...). Default 1. */
  readonly replicateSeed?: number;
}

export interface RaceResult<C> {
  /** The final incumbent, or null when not even the starting point could be evaluated. */
  readonly best: Incumbent<C> | null;
  readonly history: RaceEvaluationRecord<C>[];
  readonly decisions: RaceDecision<C>[];
  readonly evaluations: number;
  readonly budget: number;
  readonly iterations: number;
  readonly state: RaceCheckpoint;
}

interface Run<S extends Space> {
  readonly objective: RaceObjective<S>;
  readonly decode: (x: readonly number[]) => ConfigOf<S>;
  readonly names: string[];
  readonly optimizer: ReturnType<typeof restoreOptimizer>;
  readonly penalty: number;
  readonly maxEvaluations: number | null;
  readonly maxBudget: number | null;
  readonly plan: Required<RacePlan>;
  readonly replicateSeed: number;
  readonly concurrency: number;
  readonly onIteration?: RaceRunOptions<ConfigOf<S>>['onIteration'];
  readonly signal?: AbortSignal;
  readonly cache: EvaluationCache;
  window: number;
  incumbent: { x: number[]; level: number; since: number } | null;
  evaluations: number;
  budgetSpent: number;
}

function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new SerNativeError('ERR_CANCELLED', 'The operation was aborted');
  error.name = 'AbortError';
  return error;
}

function checkRunOptions<C>(o: RaceRunOptions<C>): void {
  if (o.maxEvaluations !== undefined) is.positiveInteger('maxEvaluations', o.maxEvaluations);
  if (o.maxBudget !== undefined) is.number('maxBudget', o.maxBudget, { min: 0, exclusiveMin: true });
  if (o.concurrency !== undefined) is.positiveInteger('concurrency', o.concurrency);
  if (o.onIteration !== undefined) is.fn('onIteration', o.onIteration);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw is.invalidArgument(`Expected AbortSignal for signal but received ${is.describe(o.signal)}`);
}

function checkpoint<S extends Space>(run: Run<S>): RaceCheckpoint {
  return {
    kind: 'ser-native/race-checkpoint',
    version: 1,
    names: run.names.slice(),
    evaluations: run.evaluations,
    budgetSpent: run.budgetSpent,
    maxEvaluations: run.maxEvaluations,
    maxBudget: run.maxBudget,
    penalty: toJsonNumber(run.penalty),
    plan: { ...run.plan, budgets: run.plan.budgets.slice(), seeds: run.plan.seeds.slice() },
    replicateSeed: run.replicateSeed,
    window: run.window,
    incumbent: run.incumbent === null ? null : { x: run.incumbent.x.slice(), level: run.incumbent.level, since: run.incumbent.since },
    cache: run.cache.toJson(),
    optimizer: run.optimizer.state(),
  };
}

function incumbentOf<S extends Space>(run: Run<S>): Incumbent<ConfigOf<S>> | null {
  const inc = run.incumbent;
  return inc === null ? null : { config: run.decode(inc.x), x: inc.x.slice(), level: inc.level, since: inc.since };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : typeof e === 'string' ? e : is.describe(e));

interface Task {
  readonly x: number[];
  readonly replicate: Replicate;
}

/** Evaluates the tasks not in the cache (in order, at most `concurrency` at once) and caches their results. */
async function fill<S extends Space>(run: Run<S>, tasks: Task[], iteration: number, rung: number, records: RaceEvaluationRecord<ConfigOf<S>>[]): Promise<void> {
  const budget = run.plan.budgets[rung];
  const seen = new Set<string>();
  const missing = tasks.filter((t) => {
    const config = run.decode(t.x);
    const key = JSON.stringify([configKey(config), t.replicate.seed, t.replicate.fold]);
    if (seen.has(key) || run.cache.get(config, budget, t.replicate) !== undefined) return false;
    seen.add(key);
    return true;
  });
  const first = run.evaluations;
  const done = await runPool(
    missing.length,
    run.concurrency,
    async (k) => {
      const t = missing[k];
      const started = performance.now();
      let result: CachedValue;
      try {
        const v: unknown = await run.objective(run.decode(t.x), { evaluation: first + k, iteration, x: t.x.slice(), rung, budget, replicate: { ...t.replicate }, signal: run.signal });
        if (typeof v !== 'number' || !Number.isFinite(v)) throw is.invalidArgument(`Expected finite number for objective value but received ${is.describe(v)}`);
        result = { value: v };
      } catch (e) {
        if (run.signal?.aborted) throw e;
        result = { error: message(e) };
      }
      const timeMs = performance.now() - started;
      const base = { evaluation: first + k, iteration, config: run.decode(t.x), rung, budget, seed: t.replicate.seed, fold: t.replicate.fold, timeMs };
      return { result, record: 'value' in result ? { ...base, value: result.value } : { ...base, value: run.penalty, error: result.error } };
    },
    run.signal,
  );
  if (run.signal?.aborted) throw abortReason(run.signal);
  done.forEach((d, k) => {
    const r = d as NonNullable<typeof d>;
    run.cache.set(r.record.config, budget, missing[k].replicate, r.result);
    records.push(r.record);
  });
  run.evaluations += missing.length;
  run.budgetSpent += missing.length * budget;
}

/** Paired summary of x against the incumbent over the replicates where the incumbent succeeded; null if x failed on one. */
function paired<S extends Space>(run: Run<S>, x: number[], incumbent: number[], rung: number, replicates: Replicate[]): PairedSummary | null {
  const budget = run.plan.budgets[rung];
  const d: number[] = [];
  for (const rep of replicates) {
    const own = run.cache.get(run.decode(x), budget, rep) as CachedValue;
    if ('error' in own) return null;
    const ref = run.cache.get(run.decode(incumbent), budget, rep) as CachedValue;
    if ('value' in ref) d.push(own.value - ref.value);
  }
  return d.length === 0 ? null : pairedSummary(d);
}

async function drive<S extends Space>(run: Run<S>): Promise<RaceResult<ConfigOf<S>>> {
  const history: RaceEvaluationRecord<ConfigOf<S>>[] = [];
  const decisions: RaceDecision<ConfigOf<S>>[] = [];
  const { optimizer, plan, signal } = run;
  const rungs = plan.budgets.length;
  while (!optimizer.done) {
    if (signal?.aborted) throw abortReason(signal);
    const iteration = optimizer.iteration;
    const evaluationsLeft = run.maxEvaluations === null ? null : run.maxEvaluations - run.evaluations;
    const budgetLeft = run.maxBudget === null ? null : run.maxBudget - run.budgetSpent;
    if (affordableRacers(1, plan, evaluationsLeft, budgetLeft) === 0) break;
    const asked = optimizer.ask();
    const batch = asked.slice(0, affordableRacers(asked.length, plan, evaluationsLeft, budgetLeft));
    const records: RaceEvaluationRecord<ConfigOf<S>>[] = [];
    // The first iteration without a starting point: its first candidate is the incumbent to beat.
    if (run.incumbent === null) run.incumbent = { x: batch[0].slice(), level: 0, since: iteration };
    const inc = run.incumbent;
    const incKey = configKey(run.decode(inc.x));
    const isIncumbent = batch.map((x) => configKey(run.decode(x)) === incKey);
    // A leader proposed again earns a new seed: this iteration's race moves on by one seed.
    // So does a batch whose every candidate was already measured on the window: a re-proposed configuration
    // is never re-measured with the same seed, and every iteration costs something.
    const measured = (x: number[]) => rungReplicates(plan, 0, run.window, run.replicateSeed).every((rep) => run.cache.get(run.decode(x), plan.budgets[0], rep) !== undefined);
    const newSeed = iteration > inc.since && isIncumbent.some(Boolean) ? 'leader' : batch.every(measured) ? 'measured' : null;
    if (newSeed !== null) run.window++;
    const stats: (PairedSummary | null)[] = batch.map(() => null);
    const reached = batch.map(() => 0);
    const failed = batch.map(() => false);
    let alive = batch.map((_, i) => i).filter((i) => !isIncumbent[i]);
    let incumbentFailed = false;
    for (let r = 0; r < rungs && alive.length > 0; r++) {
      const replicates = rungReplicates(plan, r, run.window, run.replicateSeed);
      const tasks: Task[] = [];
      for (const rep of replicates) tasks.push({ x: inc.x, replicate: rep });
      for (const i of alive) for (const rep of replicates) tasks.push({ x: batch[i], replicate: rep });
      await fill(run, tasks, iteration, r, records);
      const ref = replicates.filter((rep) => 'value' in (run.cache.get(run.decode(inc.x), plan.budgets[r], rep) as CachedValue));
      if (ref.length === 0) {
        incumbentFailed = true; // nothing to pair with: the race of this iteration cannot go on
        break;
      }
      for (const i of alive) {
        stats[i] = paired(run, batch[i], inc.x, r, replicates);
        reached[i] = r;
        failed[i] = stats[i] === null;
      }
      if (r < rungs - 1) alive = racePromote(alive, stats, plan);
    }
    // The winner: the lowest mean paired difference at the top rung, if below 0.
    let winner = -1;
    if (!incumbentFailed) {
      for (let i = 0; i < batch.length; i++) {
        const s = stats[i];
        if (isIncumbent[i] || failed[i] || reached[i] !== rungs - 1 || s === null) continue;
        if (beatsIncumbent(s, plan.replaceZ) && (winner < 0 || s.mean < (stats[winner] as PairedSummary).mean)) winner = i;
      }
    }
    // Told values: level + paired difference, the incumbent counted as a top-rung candidate.
    const value = batch.map((_, i) => (isIncumbent[i] ? inc.level : failed[i] || stats[i] === null ? run.penalty : inc.level + (stats[i] as PairedSummary).mean));
    const told = toldValues([...reached.map((g, i) => (isIncumbent[i] ? rungs - 1 : g)), rungs - 1], [...value, inc.level], rungs).slice(0, batch.length);
    optimizer.tell(told.map((v, i) => (failed[i] || (stats[i] === null && !isIncumbent[i]) ? run.penalty : v)));
    batch.forEach((x, i) => {
      const outcome: RaceDecision<unknown>['outcome'] = isIncumbent[i]
        ? 'incumbent'
        : failed[i] || stats[i] === null
          ? 'failed'
          : i === winner
            ? 'won'
            : reached[i] === rungs - 1
              ? 'lost'
              : racePromote([i], stats, { ...plan, eta: 1 }).length === 0
                ? 'dropped'
                : 'stopped';
      decisions.push({ iteration, config: run.decode(x), rung: reached[i], paired: stats[i], outcome });
    });
    if (winner >= 0) run.incumbent = { x: batch[winner].slice(), level: inc.level + (stats[winner] as PairedSummary).mean, since: iteration };
    history.push(...records);
    if (run.onIteration) {
      await run.onIteration({
        iteration,
        evaluations: run.evaluations,
        budget: run.budgetSpent,
        incumbent: incumbentOf(run),
        state: checkpoint(run),
        records,
        decisions: decisions.filter((d) => d.iteration === iteration),
        firstSeed: run.replicateSeed + run.window,
        newSeed,
      });
    }
  }
  return { best: incumbentOf(run), history, decisions, evaluations: run.evaluations, budget: run.budgetSpent, iterations: optimizer.iteration, state: checkpoint(run) };
}

/** Rounds a budget affords in the worst case, for the schedules of WOA and SFS-WOA (others: unbounded). */
export function plannedRaceIterations(algorithm: import('./optimizer').Algorithm, settings: Pick<AnyOptimizerSettings, 'population' | 'walks'>, plan: RacePlan, maxBudget: number): number {
  if (plannedIterations(algorithm, settings, 1) === Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  const population = settings.population ?? DEFAULT_POPULATION;
  const later = population + (algorithm === 'sfs-woa' ? (settings.walks ?? population) : 0);
  return 1 + Math.max(0, Math.ceil((maxBudget - raceCost(population, plan).budget) / raceCost(later, plan).budget));
}

/** Minimises a noisy `objective` over `space` by racing every batch against the incumbent (see the file comment). */
export async function raceMinimize<S extends Space>(objective: RaceObjective<S>, space: S, options: RaceMinimizeOptions<ConfigOf<S>>): Promise<RaceResult<ConfigOf<S>>> {
  is.fn('objective', objective);
  const names = validateSpace(space);
  const o = is.plainObject('options', options) as unknown as RaceMinimizeOptions<ConfigOf<S>>;
  checkRunOptions(o);
  const plan = checkRacePlan('race', o.race);
  const algorithm = expectAlgorithm('algorithm', o.algorithm ?? 'sfs-woa');
  if (o.iterations === undefined && o.maxEvaluations === undefined && o.maxBudget === undefined) {
    throw is.invalidArgument('Expected iterations, maxEvaluations or maxBudget in options but received neither');
  }
  const replicateSeed = o.replicateSeed === undefined ? 1 : is.number('replicateSeed', o.replicateSeed, { min: 0, integer: true });
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
    iterations: 1,
  };
  let iterations: number;
  if (o.iterations !== undefined) iterations = is.positiveInteger('iterations', o.iterations);
  else {
    const byEvaluations = o.maxEvaluations === undefined ? Infinity : plannedIterations(algorithm, settings, o.maxEvaluations);
    const byBudget = o.maxBudget === undefined ? Infinity : plannedRaceIterations(algorithm, settings, plan, o.maxBudget);
    iterations = Math.min(byEvaluations, byBudget);
  }
  const optimizer = createOptimizer(algorithm, { ...settings, iterations });
  let incumbent: Run<S>['incumbent'] = null;
  if (o.initial !== undefined) {
    if (!Array.isArray(o.initial)) throw is.invalidArgument(`Expected array of configurations for initial but received ${is.describe(o.initial)}`);
    const points = o.initial.map((c) => encode(space, c as Record<string, unknown>));
    optimizer.enqueue(points);
    if (points.length > 0) incumbent = { x: points[0], level: 0, since: 0 };
  }
  const penalty = o.penalty ?? Infinity;
  if (typeof penalty !== 'number' || Number.isNaN(penalty)) throw is.invalidArgument(`Expected number (not NaN) for penalty but received ${is.describe(penalty)}`);
  return drive({
    objective,
    decode: decoder(space),
    names,
    optimizer,
    penalty,
    maxEvaluations: o.maxEvaluations ?? null,
    maxBudget: o.maxBudget ?? null,
    plan,
    replicateSeed,
    concurrency: o.concurrency ?? 1,
    onIteration: o.onIteration,
    signal: o.signal,
    cache: new EvaluationCache(),
    window: 0,
    incumbent,
    evaluations: 0,
    budgetSpent: 0,
  });
}

/** Continues a race from a checkpoint (RaceIterationProgress.state, also after a JSON round trip). maxEvaluations and maxBudget may be raised. */
export async function resumeRaceMinimize<S extends Space>(objective: RaceObjective<S>, space: S, state: RaceCheckpoint | unknown, options: RaceRunOptions<ConfigOf<S>> = {}): Promise<RaceResult<ConfigOf<S>>> {
  is.fn('objective', objective);
  const names = validateSpace(space);
  const o = is.plainObject('options', options) as RaceRunOptions<ConfigOf<S>>;
  checkRunOptions(o);
  const c = is.plainObject('state', state);
  if (c.kind !== 'ser-native/race-checkpoint' || c.version !== 1) throw is.invalidArgument(`Expected a version 1 race checkpoint for state but received ${is.describe(state)}`);
  if (!Array.isArray(c.names) || c.names.join('\u0000') !== names.join('\u0000')) {
    throw is.invalidArgument(`Expected state.names to match the space's dimensions [${names.join(', ')}] but received ${is.describe(c.names)}`);
  }
  const optimizer = restoreOptimizer(c.optimizer);
  const decode = decoder(space);
  let incumbent: Run<S>['incumbent'] = null;
  if (c.incumbent !== null) {
    const b = is.plainObject('state.incumbent', c.incumbent);
    decode(b.x as number[]);
    incumbent = { x: (b.x as number[]).slice(), level: is.number('state.incumbent.level', b.level), since: is.integer('state.incumbent.since', b.since, 0) };
  }
  const optional = (name: string, v: unknown) => (v === null ? null : is.number(name, v, { min: 0, exclusiveMin: true }));
  return drive({
    objective,
    decode,
    names,
    optimizer,
    penalty: fromJsonNumber('state.penalty', c.penalty),
    maxEvaluations: o.maxEvaluations ?? optional('state.maxEvaluations', c.maxEvaluations),
    maxBudget: o.maxBudget ?? optional('state.maxBudget', c.maxBudget),
    plan: checkRacePlan('state.plan', c.plan),
    replicateSeed: is.integer('state.replicateSeed', c.replicateSeed, 0),
    concurrency: o.concurrency ?? 1,
    onIteration: o.onIteration,
    signal: o.signal,
    cache: EvaluationCache.fromJson('state.cache', c.cache),
    window: is.integer('state.window', c.window, 0),
    incumbent,
    evaluations: is.integer('state.evaluations', c.evaluations, 0),
    budgetSpent: is.number('state.budgetSpent', c.budgetSpent, { min: 0 }),
  });
}
