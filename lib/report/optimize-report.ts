// The hyper-parameter search report: one self-contained HTML page with the convergence curve (best fitness so
// far against evaluations spent, next to random search's when given), every evaluation's fitness, fitness
// against each hyper-parameter, the best configuration, and the failed evaluations with their errors; with --race the
// incumbent's trajectory (race-section.ts), and the recheck of the answer on fresh seeds (recheck-section.ts).
import type { ClassificationReport } from '../metrics/classification';
import { invalidParameterError, oneOf, plainObject } from '../is';
import { escapeXml as esc } from './escape';
import { duration, flatten, num, signed, value as showValue } from './format';
import { cards, details, list, page, raw, section, table, type Card, type Cell } from './html';
import { checkReport, confusionHeatmap, headlineCards, perClassTable, protocolBlock } from './metrics-blocks';
import { lineChart, PALETTE, type LineSeries } from './svg';
import { raceSection, type RaceSectionInput } from './race-section';
import { recheckSection, type RecheckSectionInput } from './recheck-section';

export interface OptimizeEvaluation {
  /** Order in which the evaluation was started (0-based), the x axis of the curves. */
  index: number;
  iteration: number;
  config: Record<string, unknown>;
  /** Finite for 'ok'; null, NaN or Infinity for a failure. */
  fitness: number | null;
  status: 'ok' | 'failed';
  error?: string;
  seconds: number;
  worker?: string | number;
}

export interface OptimizeReportInput {
  title: string;
  algorithm: string;
  evaluations: readonly OptimizeEvaluation[];
  /** A reference search on the same space and budget, normally random search. */
  baseline?: { name: string; evaluations: readonly OptimizeEvaluation[] };
  best: { config: Record<string, unknown>; fitness: number; metrics?: ClassificationReport | Record<string, number> };
  space: Record<string, unknown>;
  budget: Record<string, unknown>;
  /** The optimizers minimise, so lower is better unless told otherwise. */
  direction?: 'minimize' | 'maximize';
  /** What the fitness measures, e.g. "1 − validation UAR". */
  fitnessLabel?: string;
  versions?: { package: string; libtorch?: string };
  /** A noise-aware search (optimize --race): the incumbent's trajectory. */
  race?: RaceSectionInput;
  /** The best and the starting recipe trained again on fresh seeds: the gain to quote. */
  recheck?: RecheckSectionInput;
  notes?: readonly string[];
  generatedAt?: string | Date;
}

const STATUSES = ['ok', 'failed'] as const;
const DIRECTIONS = ['minimize', 'maximize'] as const;

function checkEvaluations(name: string, value: unknown): OptimizeEvaluation[] {
  if (!Array.isArray(value)) throw invalidParameterError(name, 'array of evaluations', value);
  return value.map((e: unknown, i) => {
    const o = plainObject(`${name}[${i}]`, e);
    for (const key of ['index', 'iteration']) {
      if (typeof o[key] !== 'number' || !Number.isFinite(o[key])) throw invalidParameterError(`${name}[${i}].${key}`, 'finite number', o[key]);
    }
    plainObject(`${name}[${i}].config`, o.config);
    const status = oneOf(`${name}[${i}].status`, o.status, STATUSES);
    if (status === 'ok' ? typeof o.fitness !== 'number' : o.fitness !== null && o.fitness !== undefined && typeof o.fitness !== 'number') {
      throw invalidParameterError(`${name}[${i}].fitness`, status === 'ok' ? 'number' : 'number or null', o.fitness);
    }
    if (typeof o.seconds !== 'number' && o.seconds !== null) throw invalidParameterError(`${name}[${i}].seconds`, 'number', o.seconds);
    if (o.error !== undefined && typeof o.error !== 'string') throw invalidParameterError(`${name}[${i}].error`, 'string', o.error);
    if (o.worker !== undefined && typeof o.worker !== 'string' && typeof o.worker !== 'number') throw invalidParameterError(`${name}[${i}].worker`, 'string or number', o.worker);
    return o as unknown as OptimizeEvaluation;
  });
}

/** A usable fitness: an 'ok' evaluation with a finite value (a failure counts as the worst possible). */
const fitnessOf = (e: OptimizeEvaluation): number => (e.status === 'ok' && typeof e.fitness === 'number' && Number.isFinite(e.fitness) ? e.fitness : NaN);

const byIndex = (evals: readonly OptimizeEvaluation[]): OptimizeEvaluation[] => [...evals].sort((a, b) => a.index - b.index);

/**
 * Best fitness after each evaluation, in start order: point k is [k, best of the first k]. NaN until the
 * first successful evaluation, so the curve starts where there is something to show.
 */
export function convergence(evaluations: readonly OptimizeEvaluation[], direction: 'minimize' | 'maximize' = 'minimize'): Array<[number, number]> {
  const better = (a: number, b: number): boolean => (direction === 'minimize' ? a < b : a > b);
  let best = NaN;
  return byIndex(evaluations).map((e, k) => {
    const f = fitnessOf(e);
    if (!Number.isNaN(f) && (Number.isNaN(best) || better(f, best))) best = f;
    return [k + 1, best];
  });
}

function describeDimension(d: unknown): [string, string, string] {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return ['', showValue(d), ''];
  const o = d as Record<string, unknown>;
  if ((o.type === 'float' || o.type === 'int') && typeof o.min === 'number' && typeof o.max === 'number') {
    return [o.type, `[${showValue(o.min)}, ${showValue(o.max)}]`, o.log ? 'log' : 'linear'];
  }
  if (o.type === 'choice' && Array.isArray(o.values)) return ['choice', o.values.map((v) => showValue(v)).join(' | '), ''];
  return [typeof o.type === 'string' ? o.type : '', showValue(d), ''];
}

const configText = (config: Record<string, unknown>): string =>
  flatten(config)
    .map(([k, v]) => `${k}=${showValue(v)}`)
    .join(', ');

/** Small scatter per numeric hyper-parameter: where in its range the good configurations lie. */
function parameterCharts(evals: readonly OptimizeEvaluation[], space: Record<string, unknown>, fitnessLabel: string): string {
  const ok = evals.filter((e) => !Number.isNaN(fitnessOf(e)));
  const keys = Object.keys(space).filter((k) => ok.some((e) => typeof e.config[k] === 'number'));
  return keys
    .slice(0, 12)
    .map((k) => {
      const dim = space[k] as { log?: boolean } | undefined;
      const log = typeof dim === 'object' && dim !== null && dim.log === true;
      const pts = ok.filter((e) => typeof e.config[k] === 'number');
      return lineChart({
        title: k,
        xLabel: log ? `${k} (log scale)` : k,
        xLog: log,
        yLabel: fitnessLabel,
        series: [
          {
            name: 'evaluation',
            mode: 'points',
            points: pts.map((e) => [e.config[k] as number, fitnessOf(e)]),
            tooltips: pts.map((e) => `#${e.index}: ${k}=${showValue(e.config[k])}, fitness ${num(fitnessOf(e), 4)}`),
          },
        ],
        width: 360,
        height: 250,
      });
    })
    .join('');
}

function bestMetricsBlock(metrics: unknown): string {
  if (metrics === undefined) return '';
  const m = plainObject('input.best.metrics', metrics);
  if ('confusion' in m) {
    const report = checkReport('input.best.metrics', m);
    return `<h3>Scores of the best configuration</h3>${protocolBlock(report.protocol)}${headlineCards(report)}<div class="charts">${confusionHeatmap(report)}</div>${perClassTable(report)}`;
  }
  return `<h3>Scores of the best configuration</h3>${table(['metric', 'value'], flatten(m).map(([k, v]) => [k, typeof v === 'number' ? num(v, 4) : showValue(v)]), { numeric: [1] })}`;
}

export function renderOptimizeReport(input: OptimizeReportInput): string {
  const o = plainObject('input', input);
  if (typeof o.title !== 'string') throw invalidParameterError('input.title', 'string', o.title);
  if (typeof o.algorithm !== 'string') throw invalidParameterError('input.algorithm', 'string', o.algorithm);
  const title = o.title;
  const algorithm = o.algorithm;
  const evaluations = byIndex(checkEvaluations('input.evaluations', o.evaluations));
  let baseline: { name: string; evaluations: OptimizeEvaluation[] } | undefined;
  if (o.baseline !== undefined) {
    const b = plainObject('input.baseline', o.baseline);
    if (typeof b.name !== 'string') throw invalidParameterError('input.baseline.name', 'string', b.name);
    baseline = { name: b.name, evaluations: byIndex(checkEvaluations('input.baseline.evaluations', b.evaluations)) };
  }
  const best = plainObject('input.best', o.best);
  const bestConfig = plainObject('input.best.config', best.config);
  if (typeof best.fitness !== 'number') throw invalidParameterError('input.best.fitness', 'number', best.fitness);
  const space = plainObject('input.space', o.space);
  const budget = plainObject('input.budget', o.budget);
  const direction = o.direction === undefined ? 'minimize' : oneOf('input.direction', o.direction, DIRECTIONS);
  const fitnessLabel = o.fitnessLabel === undefined ? 'fitness' : String(o.fitnessLabel);
  if (o.notes !== undefined && (!Array.isArray(o.notes) || !o.notes.every((n) => typeof n === 'string'))) throw invalidParameterError('input.notes', 'array of strings', o.notes);
  const notes = (o.notes ?? []) as string[];
  const versions = o.versions === undefined ? undefined : plainObject('input.versions', o.versions);

  const better = direction === 'minimize' ? 'lower is better' : 'higher is better';
  const curve = convergence(evaluations, direction);
  const failed = evaluations.filter((e) => Number.isNaN(fitnessOf(e)));
  const okCount = evaluations.length - failed.length;
  const workers = new Set(evaluations.map((e) => e.worker).filter((w) => w !== undefined));
  const compute = evaluations.reduce((a, e) => a + (typeof e.seconds === 'number' && Number.isFinite(e.seconds) ? e.seconds : 0), 0);

  const summary: Card[] = [
    { label: 'Best fitness', value: num(best.fitness, 4), hint: `${fitnessLabel}, ${better}` },
    { label: 'Evaluations', value: String(evaluations.length), hint: `${okCount} ok, ${failed.length} failed` },
    { label: 'Compute time', value: duration(compute), hint: workers.size > 0 ? `summed over ${workers.size} worker(s)` : 'summed over evaluations' },
  ];
  let baselineCurve: Array<[number, number]> = [];
  if (baseline) {
    baselineCurve = convergence(baseline.evaluations, direction);
    const target = baselineCurve.length > 0 ? baselineCurve[baselineCurve.length - 1][1] : NaN;
    const reached = Number.isNaN(target) ? -1 : curve.findIndex(([, f]) => !Number.isNaN(f) && (direction === 'minimize' ? f <= target : f >= target));
    summary.push({
      label: `${baseline.name} best`,
      value: num(target, 4),
      hint: reached >= 0 ? `${algorithm} matched it after ${reached + 1} of ${curve.length} evaluations` : `${algorithm} did not reach it`,
    });
  }

  const convergenceSeries: LineSeries[] = [{ name: algorithm, points: curve, mode: 'step', color: PALETTE[0] }];
  if (baseline) convergenceSeries.push({ name: baseline.name, points: baselineCurve, mode: 'step', dashed: true, color: PALETTE[1] });
  const scatterSeries: LineSeries[] = [
    {
      name: algorithm,
      mode: 'points',
      color: PALETTE[0],
      points: evaluations.map((e, k) => [k + 1, fitnessOf(e)]),
      tooltips: evaluations.map((e) => `#${e.index} (iteration ${e.iteration}${e.worker !== undefined ? `, worker ${e.worker}` : ''}): ${num(fitnessOf(e), 4)}`),
    },
  ];
  if (baseline) {
    scatterSeries.push({
      name: baseline.name,
      mode: 'points',
      color: PALETTE[1],
      points: baseline.evaluations.map((e, k) => [k + 1, fitnessOf(e)]),
      tooltips: baseline.evaluations.map((e) => `${baseline?.name} #${e.index}: ${num(fitnessOf(e), 4)}`),
    });
  }

  const ranked = evaluations.filter((e) => !Number.isNaN(fitnessOf(e))).sort((a, b) => (direction === 'minimize' ? fitnessOf(a) - fitnessOf(b) : fitnessOf(b) - fitnessOf(a)) || a.index - b.index);
  const topRows: Cell[][] = ranked.slice(0, 10).map((e, i) => [i + 1, e.index, e.iteration, num(fitnessOf(e), 4), duration(e.seconds), e.worker ?? '–', raw(`<code>${esc(configText(e.config))}</code>`)]);
  const failedRows: Cell[][] = failed.map((e) => [e.index, e.iteration, e.worker ?? '–', duration(e.seconds), raw(`<pre>${esc(e.error ?? (e.status === 'ok' ? `non-finite fitness ${String(e.fitness)}` : 'no error message'))}</pre>`), raw(`<code>${esc(configText(e.config))}</code>`)]);

  const generated = o.generatedAt instanceof Date ? o.generatedAt.toISOString() : typeof o.generatedAt === 'string' ? o.generatedAt : '';
  const subtitle = [
    `algorithm: ${algorithm}`,
    versions && typeof versions.package === 'string' ? `ser-native ${versions.package}` : '',
    versions && typeof versions.libtorch === 'string' ? `LibTorch ${versions.libtorch}` : '',
    generated && `generated ${generated}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const paramCharts = parameterCharts(evaluations, space, fitnessLabel);
  const race = o.race === undefined ? '' : raceSection(o.race);
  const recheck = o.recheck === undefined ? '' : recheckSection(o.recheck);
  if (o.recheck !== undefined) {
    const g = (o.recheck as RecheckSectionInput).gainPoints;
    summary.push({ label: 'Recheck gain', value: signed(g.mean), hint: `UAR points, 90 % interval [${signed(g.low)}, ${signed(g.high)}]` });
  }

  const body = [
    `<header><h1>${esc(title)}</h1><p class="subtitle">${esc(subtitle)}</p></header>`,
    cards(summary),
    section(
      'Convergence',
      `<p class="muted">Best ${esc(fitnessLabel)} found so far against evaluations spent (${better})${baseline ? `, ${esc(algorithm)} against ${esc(baseline.name)}` : ''}. Failed evaluations count as spent.</p>` +
        '<div class="charts">' +
        lineChart({ title: 'Best fitness so far', xLabel: 'evaluations', yLabel: fitnessLabel, series: convergenceSeries, integerX: true, width: 540, height: 340 }) +
        lineChart({ title: 'Every evaluation', xLabel: 'evaluation', yLabel: fitnessLabel, series: scatterSeries, integerX: true, width: 540, height: 340 }) +
        '</div>' +
        (failed.length > 0 ? `<p class="muted">${failed.length} failed evaluation(s) have no fitness and are not plotted; see below.</p>` : ''),
    ),
    race,
    section(
      'Best configuration',
      `<p>Fitness <strong>${esc(num(best.fitness, 4))}</strong> (${esc(fitnessLabel)}, ${better}).</p>` +
        table(['hyper-parameter', 'value'], flatten(bestConfig).map(([k, v]) => [k, raw(`<code>${esc(showValue(v))}</code>`)])) +
        bestMetricsBlock(best.metrics),
    ),
    recheck,
    paramCharts ? section('Fitness against each hyper-parameter', `<div class="charts small">${paramCharts}</div>`) : '',
    ranked.length > 0 ? section('Top evaluations', table(['rank', 'index', 'iteration', 'fitness', 'time', 'worker', 'configuration'], topRows, { numeric: [0, 1, 2, 3, 4] })) : '',
    section(
      `Failed evaluations (${failed.length})`,
      failed.length > 0 ? details(`${failed.length} failed evaluation(s) with their errors`, table(['index', 'iteration', 'worker', 'time', 'error', 'configuration'], failedRows, { numeric: [0, 1, 3] }), failed.length <= 20) : '<p class="muted">None.</p>',
    ),
    section(
      'Search space and budget',
      table(['hyper-parameter', 'type', 'range or values', 'scale'], Object.entries(space).map(([k, d]) => [k, ...describeDimension(d)])) + table(['budget', 'value'], flatten(budget).map(([k, v]) => [k, showValue(v)])),
    ),
    notes.length > 0 ? section('Notes', list(notes)) : '',
    '<footer>Self-contained report: no scripts, no external resources.</footer>',
  ];
  return page(title, body.filter(Boolean).join('\n'));
}
