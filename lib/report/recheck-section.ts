// The optimize report's section on the recheck: the best configuration and the starting recipe trained again on fresh
// seeds (and folds), paired; the gain in UAR points with its 90 % interval, and a plain sentence on whether the
// interval shows a gain. This, not the search's own fitness, is the number a README quotes.
import { invalidParameterError, plainObject } from '../is';
import { escapeXml as esc } from './escape';
import { num, signed } from './format';
import { cards, section, table, type Cell } from './html';
import { lineChart, PALETTE } from './svg';

export interface RecheckSectionInput {
  /** The evaluation whose configuration was rechecked. */
  index: number;
  /** The best configuration is the starting recipe (the gain is 0 by construction). */
  bestIsRecipe: boolean;
  /** Training epochs of each recheck training. */
  epochs: number;
  seeds: readonly number[];
  /** Fresh folds, or null: the split's validation speakers. */
  folds: number | null;
  pairs: readonly { seed: number; fold: number; bestUar: number; recipeUar: number }[];
  /** UAR(best) − UAR(recipe) in points: the mean over the pairs and its 90 % t-interval. */
  gainPoints: { mean: number; low: number; high: number; n: number };
}

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameterError(name, 'finite number', v);
  return v;
}

/** The sentence the section is for: does the interval show a gain? */
export function recheckVerdict(g: { low: number; high: number }): string {
  if (g.low > 0) return 'The 90 % interval is above zero: the best configuration beats the starting recipe on fresh seeds.';
  if (g.high < 0) return 'The 90 % interval is below zero: the best configuration is worse than the starting recipe on fresh seeds.';
  return 'The 90 % interval includes 0: no gain shown.';
}

export function recheckSection(value: unknown): string {
  const o = plainObject('input.recheck', value);
  const g = plainObject('input.recheck.gainPoints', o.gainPoints);
  const gain = { mean: finite('input.recheck.gainPoints.mean', g.mean), low: finite('input.recheck.gainPoints.low', g.low), high: finite('input.recheck.gainPoints.high', g.high), n: finite('input.recheck.gainPoints.n', g.n) };
  if (!Array.isArray(o.seeds) || !o.seeds.every((s) => typeof s === 'number')) throw invalidParameterError('input.recheck.seeds', 'array of numbers', o.seeds);
  if (!Array.isArray(o.pairs)) throw invalidParameterError('input.recheck.pairs', 'array', o.pairs);
  const pairs = o.pairs.map((p: unknown, k) => {
    const q = plainObject(`input.recheck.pairs[${k}]`, p);
    for (const key of ['seed', 'fold', 'bestUar', 'recipeUar']) finite(`input.recheck.pairs[${k}].${key}`, q[key]);
    return q as unknown as RecheckSectionInput['pairs'][number];
  });
  const folds = o.folds === null ? null : finite('input.recheck.folds', o.folds);
  const index = finite('input.recheck.index', o.index);
  const epochs = finite('input.recheck.epochs', o.epochs);
  const seeds = o.seeds as number[];

  const where = `${seeds.length} fresh seed${seeds.length === 1 ? '' : 's'} (${seeds.join(', ')})${folds === null ? ' on the split\'s validation speakers' : ` × ${folds} fresh folds`}`;
  const verdict = o.bestIsRecipe === true ? 'The best configuration is the starting recipe: the gain is 0 by construction.' : recheckVerdict(gain);
  const summary = cards([
    { label: 'Recheck gain', value: signed(gain.mean), hint: 'UAR points, best − recipe' },
    { label: '90 % interval', value: `[${signed(gain.low)}, ${signed(gain.high)}]`, hint: 'UAR points, t-interval of the mean' },
    { label: 'Pairs', value: String(gain.n), hint: where },
  ]);
  const text =
    `<p>The best configuration (evaluation #${esc(index)}) and the starting recipe were trained again for ${esc(epochs)} epoch(s) on ${esc(where)}, both on the same seed and fold each time. ` +
    'The best was chosen on the search\'s own fitness, so its margin there is optimistic (the winner\'s curse): quote this gain and its interval.</p>' +
    `<p class="protocol-sentence">${esc(verdict)}</p>`;
  const diffs = pairs.map((p) => 100 * (p.bestUar - p.recipeUar));
  const xs = pairs.map((_, k) => k + 1);
  const line = (y: number): [number, number][] => (xs.length > 0 ? [[xs[0], y], [xs[xs.length - 1], y]] : []);
  const chart = lineChart({
    title: 'Paired differences on fresh seeds',
    xLabel: 'pair',
    yLabel: 'best − recipe (UAR points)',
    integerX: true,
    series: [
      { name: 'pair', mode: 'points', color: PALETTE[0], points: pairs.map((p, k) => [k + 1, diffs[k]]), tooltips: pairs.map((p, k) => `seed ${p.seed}${folds === null ? '' : `, fold ${p.fold + 1}`}: ${signed(diffs[k])} points`) },
      { name: 'mean', mode: 'line', color: PALETTE[1], points: line(gain.mean) },
      // Both bounds in one series: the non-finite point between them breaks the line.
      { name: '90 % interval', mode: 'line', dashed: true, color: PALETTE[2], points: [...line(gain.low), [NaN, NaN], ...line(gain.high)] },
    ],
    width: 540,
    height: 300,
  });
  const rows: Cell[][] = pairs.map((p, k) => [p.seed, folds === null ? '–' : p.fold + 1, num(p.bestUar, 4), num(p.recipeUar, 4), signed(diffs[k])]);
  return section(
    'Recheck on fresh seeds',
    `<div class="protocol">${text}</div>` + summary + `<div class="charts">${chart}</div>` + table(['seed', 'fold', 'UAR best', 'UAR recipe', 'best − recipe (points)'], rows, { numeric: [0, 1, 2, 3, 4] }),
  );
}
