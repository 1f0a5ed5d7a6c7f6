// The optimize report's section on a noise-aware search (optimize --race): the incumbent's trajectory, iteration by
// iteration — who leads, its estimated gain over the starting recipe, how many challengers each rung raced and
// eliminated, and whether the leader earned a new seed — as a step chart and a table.
import { invalidParameterError, oneOf, plainObject } from '../is';
import { escapeXml as esc } from './escape';
import { signed } from './format';
import { cards, section, table, type Cell } from './html';
import { lineChart, PALETTE } from './svg';

export interface RaceRungInput {
  epochs: number;
  /** Seeds measured by the end of the rung. */
  seeds: number;
  /** Challengers raced on the rung (the incumbent not counted). */
  raced: number;
  /** Left the race on this rung: worse than the incumbent by the paired test, cut by the 1/eta cap, failed. */
  dropped: number;
  stopped: number;
  failed: number;
}

export interface RaceIterationInput {
  iteration: number;
  /** The incumbent after the iteration: its evaluation, the iteration it took the lead, its estimated gain over the starting recipe in UAR points. */
  incumbent: { index: number; since: number; gainPoints: number };
  firstSeed: number;
  /** Why the race's seeds moved on by one this iteration, or null. */
  newSeed: 'leader' | 'measured' | null;
  rungs: readonly RaceRungInput[];
  /** The challenger that took the lead, and by how much it beat the old incumbent (UAR points, standard error, pairs). */
  winner: { index: number; gainPoints: number; sePoints: number | null; n: number } | null;
  trainings: number;
}

export interface RaceSectionInput {
  iterations: readonly RaceIterationInput[];
  /** Folds per seed (1 without folds). */
  folds: number;
  eta: number;
  /** Standard errors by which a challenger must be worse to drop out. */
  z: number;
  /** Iterations the search ran that were not recorded (a run resumed from an older state.json). */
  unrecorded?: number;
}

const NEW_SEEDS = ['leader', 'measured'] as const;

function count(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalidParameterError(name, 'non-negative integer', v);
  return v;
}

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameterError(name, 'finite number', v);
  return v;
}

function checkIteration(name: string, value: unknown): RaceIterationInput {
  const o = plainObject(name, value);
  count(`${name}.iteration`, o.iteration);
  const inc = plainObject(`${name}.incumbent`, o.incumbent);
  count(`${name}.incumbent.index`, inc.index);
  count(`${name}.incumbent.since`, inc.since);
  finite(`${name}.incumbent.gainPoints`, inc.gainPoints);
  count(`${name}.firstSeed`, o.firstSeed);
  if (o.newSeed !== null) oneOf(`${name}.newSeed`, o.newSeed, NEW_SEEDS);
  if (!Array.isArray(o.rungs) || o.rungs.length === 0) throw invalidParameterError(`${name}.rungs`, 'non-empty array', o.rungs);
  o.rungs.forEach((r: unknown, k) => {
    const g = plainObject(`${name}.rungs[${k}]`, r);
    for (const key of ['epochs', 'seeds', 'raced', 'dropped', 'stopped', 'failed']) count(`${name}.rungs[${k}].${key}`, g[key]);
  });
  if (o.winner !== null) {
    const w = plainObject(`${name}.winner`, o.winner);
    count(`${name}.winner.index`, w.index);
    finite(`${name}.winner.gainPoints`, w.gainPoints);
    if (w.sePoints !== null) finite(`${name}.winner.sePoints`, w.sePoints);
    count(`${name}.winner.n`, w.n);
  }
  count(`${name}.trainings`, o.trainings);
  return o as unknown as RaceIterationInput;
}

const NEW_SEED_TEXT = { leader: 'yes: the leader was proposed again', measured: 'yes: every candidate was already measured' };

/** "3 raced: 1 dropped, 1 cut" — how a rung's challengers left it (the top rung: raced only; the winner has its column). */
function rungText(r: RaceRungInput, top: boolean): string {
  if (r.raced === 0) return '–';
  const left = [r.dropped && `${r.dropped} dropped`, r.stopped && `${r.stopped} cut`, r.failed && `${r.failed} failed`].filter(Boolean);
  return `${r.raced} raced${!top && left.length > 0 ? `: ${left.join(', ')}` : top && r.failed ? `: ${r.failed} failed` : ''}`;
}

export function raceSection(value: unknown): string {
  const o = plainObject('input.race', value);
  if (!Array.isArray(o.iterations)) throw invalidParameterError('input.race.iterations', 'array', o.iterations);
  const iterations = o.iterations.map((it: unknown, k) => checkIteration(`input.race.iterations[${k}]`, it));
  const folds = count('input.race.folds', o.folds);
  const eta = finite('input.race.eta', o.eta);
  const z = finite('input.race.z', o.z);
  const unrecorded = o.unrecorded === undefined ? 0 : count('input.race.unrecorded', o.unrecorded);

  const intro =
    `<p class="muted">Every iteration races its candidates against the incumbent (the starting recipe first) on the same training seeds${folds > 1 ? ` × ${esc(folds)} folds` : ''}: ` +
    `a challenger whose mean paired difference is worse than the incumbent's by more than ${esc(z)} standard errors drops out, at most 1/${esc(eta)} of a rung go on (the rest are cut), ` +
    'and the best at the top rung takes the lead when it beats the incumbent on average. The gain over the recipe is estimated through the chain of paired comparisons, ' +
    'on the seeds the search chose on: the recheck below is the number to quote.</p>';
  if (iterations.length === 0) return section('Race: the incumbent iteration by iteration', `${intro}<p class="muted">No iteration was recorded.</p>`);

  const last = iterations[iterations.length - 1];
  const challengers = iterations.reduce((a, it) => a + it.rungs[0].raced, 0);
  const eliminated = iterations.reduce((a, it) => a + it.rungs.reduce((b, r) => b + r.dropped, 0), 0);
  const leaderSeeds = iterations.filter((it) => it.newSeed === 'leader').length;
  const summary = cards([
    { label: 'Incumbent', value: `#${last.incumbent.index}`, hint: iterations.some((it) => it.winner) || unrecorded > 0 ? `took the lead in iteration ${last.incumbent.since}` : 'the starting recipe: no challenger beat it' },
    { label: 'Gain over the recipe', value: signed(last.incumbent.gainPoints), hint: 'UAR points, on the search\'s own seeds' },
    { label: 'Challengers', value: String(challengers), hint: `${eliminated} dropped by the paired test` },
    { label: 'New seeds earned', value: String(leaderSeeds), hint: 'iterations where the leader was proposed again' },
  ]);
  const chart = lineChart({
    title: 'Incumbent against the starting recipe',
    xLabel: 'iteration',
    yLabel: 'estimated gain (UAR points)',
    integerX: true,
    series: [
      {
        name: 'incumbent',
        mode: 'step',
        color: PALETTE[0],
        points: iterations.map((it) => [it.iteration, it.incumbent.gainPoints]),
        tooltips: iterations.map((it) => `iteration ${it.iteration}: incumbent #${it.incumbent.index}, ${signed(it.incumbent.gainPoints)} points`),
      },
    ],
    width: 540,
    height: 300,
  });
  const rungs = Math.max(...iterations.map((it) => it.rungs.length));
  const rungHeader = (k: number) => {
    const r = iterations.find((it) => it.rungs.length > k)?.rungs[k];
    return r ? `rung ${k + 1} (${r.epochs} ep., ${r.seeds} seed${r.seeds === 1 ? '' : 's'})` : `rung ${k + 1}`;
  };
  const seedsOf = (it: RaceIterationInput) => {
    const n = Math.max(...it.rungs.map((r) => r.seeds));
    return n === 1 ? String(it.firstSeed) : `${it.firstSeed}–${it.firstSeed + n - 1}`;
  };
  const rows: Cell[][] = iterations.map((it) => [
    it.iteration,
    `#${it.incumbent.index}${it.incumbent.since === it.iteration && it.winner ? ' (new)' : ''}`,
    signed(it.incumbent.gainPoints),
    seedsOf(it),
    it.newSeed === null ? 'no' : NEW_SEED_TEXT[it.newSeed],
    ...Array.from({ length: rungs }, (_, k) => (it.rungs[k] ? rungText(it.rungs[k], k === it.rungs.length - 1) : '–')),
    it.winner ? `#${it.winner.index} by ${signed(it.winner.gainPoints)}${it.winner.sePoints === null ? '' : ` ± ${it.winner.sePoints.toFixed(1)}`} points (${it.winner.n} pair${it.winner.n === 1 ? '' : 's'})` : 'none',
    it.trainings,
  ]);
  const headers = ['iteration', 'incumbent', 'vs recipe (points)', 'seeds', 'new seed', ...Array.from({ length: rungs }, (_, k) => rungHeader(k)), 'took the lead', 'trainings'];
  const numeric = [0, 2, headers.length - 1];
  const gap = unrecorded > 0 ? `<p class="muted">${esc(unrecorded)} earlier iteration(s) ran before their summaries were recorded and are not shown.</p>` : '';
  return section('Race: the incumbent iteration by iteration', intro + summary + `<div class="charts">${chart}</div>` + gap + table(headers, rows, { numeric, rowClass: (i) => (rows[i] && iterations[i].winner ? 'highlight' : undefined) }));
}
