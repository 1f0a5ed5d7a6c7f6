// Dependency-free SVG charts for the HTML reports: line/step/scatter charts, heat maps (confusion matrices)
// and grouped bar charts. Output is inline SVG (no xmlns, no ids, no scripts) so several charts can share
// one page; pass `standalone: true` for a file of its own. All text is escaped; hover text uses <title>.
import { invalidParameterError, oneOf, rangeError } from '../is';
import { escapeXml as esc } from './escape';
import { percent } from '../metrics/percent';
import { extent, linear, logAxis, niceAxis, tickLabel, type Axis } from './scale';

/** Colour-blind-friendly palette (Okabe–Ito, then a few extra). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#555555', '#8C564B', '#F0E442'];

const FONT = 12;
const r = (v: number): number => Math.round(v * 100) / 100;

/** A value for hover text: 4 significant digits (0.123456 → 0.1235, 1234.567 → 1235), integers as they are. */
export function hoverNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** A percentage (already × 100) for hover text: one decimal. */
export const hoverPercent = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)}%` : String(v));
/** Rough width of a label in the chart font (no layout engine here; 0.6 em per character is a safe average). */
const textWidth = (s: string, size = FONT): number => s.length * size * 0.6;

/** Axis labels longer than this are cut with an ellipsis (the full text stays in the hover title). */
const MAX_LABEL = 20;
const clip = (s: string): string => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);

function str(name: string, v: unknown): string {
  if (typeof v !== 'string') throw invalidParameterError(name, 'string', v);
  return v;
}

function arr<T = unknown>(name: string, v: unknown): T[] {
  if (!Array.isArray(v)) throw invalidParameterError(name, 'array', v);
  return v as T[];
}

function size(name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalidParameterError(name, `number >= ${min}`, v);
  if (!Number.isFinite(v) || v < min) throw rangeError(name, `number >= ${min}`, v);
  return v;
}

function range(name: string, v: unknown): [number, number] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw invalidParameterError(name, '[min, max] of finite numbers', v);
  return [v[0], v[1]];
}

function open(width: number, height: number, title: string, standalone: boolean | undefined, cls: string): string {
  const ns = standalone ? 'xmlns="http://www.w3.org/2000/svg" ' : '';
  return (
    `<svg ${ns}class="chart ${cls}" viewBox="0 0 ${r(width)} ${r(height)}" width="${r(width)}" height="${r(height)}" role="img" aria-label="${esc(title)}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="${FONT}">` +
    `<title>${esc(title)}</title><rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="${r(width / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`
  );
}

interface LegendItem {
  name: string;
  color: string;
  kind: 'line' | 'dashed' | 'point' | 'box';
}

/** Legend laid out in rows across `maxWidth`, starting at (x, y). Returns the markup and its height. */
function legend(items: LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const rowHeight = 18;
  let cx = x;
  let cy = y;
  const parts: string[] = [];
  for (const it of items) {
    const w = 22 + textWidth(it.name) + 16;
    if (cx > x && cx + w > x + maxWidth) {
      cx = x;
      cy += rowHeight;
    }
    const mid = cy + rowHeight / 2;
    if (it.kind === 'point') parts.push(`<circle cx="${r(cx + 9)}" cy="${r(mid)}" r="3.5" fill="${esc(it.color)}"/>`);
    else if (it.kind === 'box') parts.push(`<rect x="${r(cx + 3)}" y="${r(mid - 6)}" width="12" height="12" fill="${esc(it.color)}"/>`);
    else parts.push(`<line x1="${r(cx)}" y1="${r(mid)}" x2="${r(cx + 18)}" y2="${r(mid)}" stroke="${esc(it.color)}" stroke-width="2.5"${it.kind === 'dashed' ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${r(cx + 22)}" y="${r(mid + 4)}">${esc(it.name)}</text>`);
    cx += w;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: cy - y + rowHeight };
}

const axisLabel = (axis: Axis, i: number): string => axis.labels?.[i] ?? tickLabel(axis.ticks[i], axis.step);

/** Grid lines, tick labels and axis titles around a plot area. */
function axes(xAxis: Axis | null, yAxis: Axis, box: { left: number; top: number; width: number; height: number }, xLabel: string, yLabel: string): string {
  const { left, top, width, height } = box;
  const sx = xAxis ? linear(xAxis.min, xAxis.max, left, left + width) : null;
  const sy = linear(yAxis.min, yAxis.max, top + height, top);
  const parts: string[] = ['<g class="axes" stroke-width="1">'];
  yAxis.ticks.forEach((t, i) => {
    const y = r(sy(t));
    parts.push(`<line x1="${r(left)}" y1="${y}" x2="${r(left + width)}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${r(left - 6)}" y="${r(y + 4)}" text-anchor="end" fill="#444">${esc(axisLabel(yAxis, i))}</text>`);
  });
  if (xAxis && sx) {
    for (const [i, t] of xAxis.ticks.entries()) {
      const x = r(sx(t));
      parts.push(`<line x1="${x}" y1="${r(top)}" x2="${x}" y2="${r(top + height)}" stroke="#f0f0f0"/>`);
      parts.push(`<line x1="${x}" y1="${r(top + height)}" x2="${x}" y2="${r(top + height + 4)}" stroke="#888"/>`);
      parts.push(`<text x="${x}" y="${r(top + height + 17)}" text-anchor="middle" fill="#444">${esc(axisLabel(xAxis, i))}</text>`);
    }
  }
  parts.push(`<line x1="${r(left)}" y1="${r(top + height)}" x2="${r(left + width)}" y2="${r(top + height)}" stroke="#888"/>`);
  parts.push(`<line x1="${r(left)}" y1="${r(top)}" x2="${r(left)}" y2="${r(top + height)}" stroke="#888"/>`);
  if (xLabel) parts.push(`<text x="${r(left + width / 2)}" y="${r(top + height + 36)}" text-anchor="middle" fill="#222">${esc(xLabel)}</text>`);
  const cy = r(top + height / 2);
  if (yLabel) parts.push(`<text x="14" y="${cy}" text-anchor="middle" fill="#222" transform="rotate(-90 14 ${cy})">${esc(yLabel)}</text>`);
  parts.push('</g>');
  return parts.join('');
}

function noData(width: number, height: number, top: number): string {
  return `<text x="${r(width / 2)}" y="${r((top + height) / 2)}" text-anchor="middle" fill="#888">no data</text>`;
}

// ---------------------------------------------------------------------------------------------------------
// Line chart

export interface LineSeries {
  name: string;
  /** [x, y] pairs; a non-finite coordinate breaks the line (a failed or missing value shows as a gap). */
  points: ReadonlyArray<readonly [number, number]>;
  dashed?: boolean;
  /** 'line' joins points, 'step' holds each value until the next x (best-so-far curves), 'points' is a scatter. */
  mode?: 'line' | 'step' | 'points' | 'line+points';
  color?: string;
  /** Hover text per point (same order as points); default "<series> · <xLabel> <x>: <y>" with xFormat/yFormat. */
  tooltips?: readonly string[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  /** Always shown on the x axis, widened to fit the data. */
  xRange?: [number, number];
  /** Always shown on the y axis, widened to fit the data (e.g. [0, 100] for percentages). */
  yRange?: [number, number];
  /** Only whole-number x ticks (epochs, evaluation counts). */
  integerX?: boolean;
  /** Logarithmic axes (learning rates); values <= 0 are left out. */
  xLog?: boolean;
  yLog?: boolean;
  /** Legend; shown by default only when there is more than one series. */
  legend?: boolean;
  /** Inline SVG (default) or a standalone file with the SVG namespace. */
  standalone?: boolean;
  /** How x and y values read in hover text (default hoverNumber: 4 significant digits). */
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
}

const LINE_MODES = ['line', 'step', 'points', 'line+points'] as const;

/** Path through the finite points, restarting after each gap. */
function pathData(pts: Array<[number, number] | null>, step: boolean): string {
  let d = '';
  let pen = false;
  for (const p of pts) {
    if (!p) {
      pen = false;
      continue;
    }
    const [x, y] = p;
    if (!pen) d += `M${r(x)} ${r(y)}`;
    else if (step) d += `H${r(x)}V${r(y)}`;
    else d += `L${r(x)} ${r(y)}`;
    pen = true;
  }
  return d;
}

export function lineChart(options: LineChartOptions): string {
  if (typeof options !== 'object' || options === null) throw invalidParameterError('options', 'object', options);
  const title = str('options.title', options.title);
  const xLabel = str('options.xLabel', options.xLabel);
  const yLabel = str('options.yLabel', options.yLabel);
  const width = size('options.width', options.width, 640, 200);
  const height = size('options.height', options.height, 340, 150);
  const xRange = range('options.xRange', options.xRange);
  const yRange = range('options.yRange', options.yRange);
  const xFormat = options.xFormat ?? hoverNumber;
  const yFormat = options.yFormat ?? hoverNumber;
  const series = arr<LineSeries>('options.series', options.series).map((s, i) => {
    if (typeof s !== 'object' || s === null) throw invalidParameterError(`options.series[${i}]`, 'object', s);
    const name = str(`options.series[${i}].name`, s.name);
    const points = arr<readonly [number, number]>(`options.series[${i}].points`, s.points);
    points.forEach((p, j) => {
      if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') {
        throw invalidParameterError(`options.series[${i}].points[${j}]`, '[x, y] pair of numbers', p);
      }
    });
    const mode = s.mode === undefined ? 'line' : oneOf(`options.series[${i}].mode`, s.mode, LINE_MODES);
    return { ...s, name, points, mode, color: s.color ?? PALETTE[i % PALETTE.length] };
  });

  // Log axes work on log10 of the data; a value that has no logarithm becomes a gap.
  const tx = options.xLog ? (v: number): number => (v > 0 ? Math.log10(v) : NaN) : (v: number): number => v;
  const ty = options.yLog ? (v: number): number => (v > 0 ? Math.log10(v) : NaN) : (v: number): number => v;
  const data = series.map((s) => s.points.map(([x, y]) => [tx(x), ty(y)] as const));
  const finite = data.flat().filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xe = extent([...finite.map((p) => p[0]), ...(xRange ?? []).map(tx)]);
  const ye = extent([...finite.map((p) => p[1]), ...(yRange ?? []).map(ty)]);

  const items: LegendItem[] = series.map((s) => ({ name: s.name, color: s.color, kind: s.mode === 'points' ? 'point' : s.dashed ? 'dashed' : 'line' }));
  const leg = (options.legend ?? series.length > 1) ? legend(items, 56, 30, width - 72) : { svg: '', height: 0 };
  const top = 30 + leg.height + 10;
  let out = open(width, height, title, options.standalone, 'line-chart') + leg.svg;
  if (finite.length === 0 || !xe || !ye) return `${out}${noData(width, height, top)}</svg>`;

  const yAxis = options.yLog ? logAxis(ye[0], ye[1]) : niceAxis(ye[0], ye[1], Math.max(3, Math.round((height - top - 50) / 45)));
  let xAxis = options.xLog ? logAxis(xe[0], xe[1]) : niceAxis(xe[0], xe[1], Math.max(3, Math.round((width - 80) / 80)));
  if (options.integerX && !options.xLog && xAxis.step < 1) {
    // A short run (a few epochs) would get fractional ticks: list the whole numbers instead.
    let lo = Math.floor(xe[0]);
    let hi = Math.ceil(xe[1]);
    if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
    xAxis = { min: lo, max: hi, step: 1, ticks: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) };
  }
  const tickWidth = Math.max(...yAxis.ticks.map((_, i) => textWidth(axisLabel(yAxis, i))));
  const left = 28 + tickWidth + 8;
  const box = { left, top, width: width - left - 16, height: height - top - 46 };
  const sx = linear(xAxis.min, xAxis.max, box.left, box.left + box.width);
  const sy = linear(yAxis.min, yAxis.max, box.top + box.height, box.top);
  out += axes(xAxis, yAxis, box, xLabel, yLabel);

  for (const [k, s] of series.entries()) {
    const pts = data[k].map(([x, y]) => (Number.isFinite(x) && Number.isFinite(y) ? ([sx(x), sy(y)] as [number, number]) : null));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const tip = (j: number): string => s.tooltips?.[j] ?? `${s.name} · ${xLabel ? `${xLabel} ` : ''}${xFormat(s.points[j][0])}: ${yFormat(s.points[j][1])}`;
    const g: string[] = [`<g class="series" data-name="${esc(s.name)}">`];
    if (s.mode !== 'points') {
      const d = pathData(pts, s.mode === 'step');
      if (d) g.push(`<path d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="2" stroke-linejoin="round"${dash}><title>${esc(s.name)}</title></path>`);
    }
    // Points are drawn for scatter modes, and for any point a gap isolates (a line through it would be invisible).
    const dots = s.mode === 'points' || s.mode === 'line+points';
    if (dots || pts.some(Boolean)) {
      pts.forEach((p, j) => {
        if (!p || !(dots || (!pts[j - 1] && !pts[j + 1]))) return;
        g.push(`<circle cx="${r(p[0])}" cy="${r(p[1])}" r="3.5" fill="${esc(s.color)}" fill-opacity="0.8"><title>${esc(tip(j))}</title></circle>`);
      });
    }
    // Every point of a drawn line gets an invisible hover target, so its value can be read off the curve.
    if (!dots && s.mode !== 'points') {
      pts.forEach((p, j) => {
        if (p && (pts[j - 1] || pts[j + 1])) g.push(`<circle class="hover" cx="${r(p[0])}" cy="${r(p[1])}" r="6" fill="${esc(s.color)}" fill-opacity="0"><title>${esc(tip(j))}</title></circle>`);
      });
    }
    g.push('</g>');
    out += g.join('');
  }
  return `${out}</svg>`;
}

// ---------------------------------------------------------------------------------------------------------
// Heat map

export interface HeatmapOptions {
  title: string;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  /** values[row][col]; for a confusion matrix rows are true classes and columns predicted ones. */
  values: ReadonlyArray<readonly number[]>;
  /** 'row': colour and main number are each cell's share of its row (recall per class), with the count below. */
  normalize: 'row' | 'none';
  xLabel?: string;
  yLabel?: string;
  cellSize?: number;
  standalone?: boolean;
}

/** Sequential blues, light to dark. */
const BLUES: ReadonlyArray<readonly [number, number, number]> = [
  [247, 251, 255],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

/** Colour for t in [0, 1] on the blues scale. */
export function blue(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(x));
  const f = x - i;
  const c = BLUES[i].map((a, k) => Math.round(a + (BLUES[i + 1][k] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function shortNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(1) : v.toFixed(2);
}

export function heatmap(options: HeatmapOptions): string {
  if (typeof options !== 'object' || options === null) throw invalidParameterError('options', 'object', options);
  const title = str('options.title', options.title);
  const rowLabels = arr<string>('options.rowLabels', options.rowLabels).map((l, i) => str(`options.rowLabels[${i}]`, l));
  const colLabels = arr<string>('options.colLabels', options.colLabels).map((l, i) => str(`options.colLabels[${i}]`, l));
  const normalize = oneOf('options.normalize', options.normalize, ['row', 'none'] as const);
  const values = arr<number[]>('options.values', options.values);
  if (values.length !== rowLabels.length) throw rangeError('options.values', `${rowLabels.length} rows (one per row label)`, values);
  values.forEach((row, i) => {
    arr(`options.values[${i}]`, row);
    if (row.length !== colLabels.length) throw rangeError(`options.values[${i}]`, `${colLabels.length} columns (one per column label)`, row);
    row.forEach((v, j) => {
      if (typeof v !== 'number' || Number.isNaN(v)) throw invalidParameterError(`options.values[${i}][${j}]`, 'finite number', v);
      if (!Number.isFinite(v) || (normalize === 'row' && v < 0)) throw rangeError(`options.values[${i}][${j}]`, normalize === 'row' ? 'finite number >= 0' : 'finite number', v);
    });
  });
  const xLabel = options.xLabel === undefined ? '' : str('options.xLabel', options.xLabel);
  const yLabel = options.yLabel === undefined ? '' : str('options.yLabel', options.yLabel);
  const nr = rowLabels.length;
  const nc = colLabels.length;
  const cell = size('options.cellSize', options.cellSize, Math.max(40, Math.min(72, Math.floor(560 / Math.max(1, nr, nc)))), 16);

  const rowLabelWidth = Math.max(0, ...rowLabels.map((l) => textWidth(clip(l)))) + 10;
  const longestCol = Math.max(0, ...colLabels.map((l) => textWidth(clip(l))));
  const rotate = longestCol > cell - 6;
  const colLabelHeight = rotate ? longestCol * 0.72 + 16 : 20;
  const left = (yLabel ? 30 : 10) + rowLabelWidth;
  const top = 36;
  const gridW = nc * cell;
  const gridH = nr * cell;
  const width = Math.max(left + gridW + 86, textWidth(title, 15) + 20);
  const height = top + gridH + colLabelHeight + (xLabel ? 26 : 8);

  const rowSums = values.map((row) => row.reduce((a, b) => a + b, 0));
  const flat = values.flat();
  const lo = normalize === 'row' ? 0 : Math.min(0, ...flat);
  const hi = normalize === 'row' ? 1 : Math.max(lo, ...flat);
  const parts: string[] = [open(width, height, title, options.standalone, 'heatmap')];

  for (let i = 0; i < nr; i++) {
    const y = top + i * cell;
    parts.push(`<text x="${r(left - 8)}" y="${r(y + cell / 2 + 4)}" text-anchor="end"><title>${esc(rowLabels[i])}</title>${esc(clip(rowLabels[i]))}</text>`);
    for (let j = 0; j < nc; j++) {
      const x = left + j * cell;
      const v = values[i][j];
      const emptyRow = normalize === 'row' && rowSums[i] === 0;
      const t = normalize === 'row' ? (emptyRow ? 0 : v / rowSums[i]) : hi === lo ? 0 : (v - lo) / (hi - lo);
      const fill = emptyRow ? '#eeeeee' : blue(t);
      const ink = t > 0.55 ? '#fff' : '#111';
      const main = normalize === 'row' ? (emptyRow ? '–' : `${Math.round(t * 100)}%`) : shortNumber(v);
      const tip = `${rowLabels[i]} → ${colLabels[j]}: ${shortNumber(v)}${normalize === 'row' && !emptyRow ? ` (${percent(t)} of row)` : ''}`;
      parts.push(`<rect class="cell" x="${r(x)}" y="${r(y)}" width="${r(cell)}" height="${r(cell)}" fill="${fill}" stroke="#fff"><title>${esc(tip)}</title></rect>`);
      if (normalize === 'row' && v === 0 && !emptyRow) {
        // Zero cells stay quiet so the confusions that did happen stand out.
        parts.push(`<text x="${r(x + cell / 2)}" y="${r(y + cell / 2 + 4)}" text-anchor="middle" fill="#b0b0b0">0</text>`);
      } else if (normalize === 'row') {
        parts.push(`<text x="${r(x + cell / 2)}" y="${r(y + cell / 2 + (emptyRow ? 4 : 1))}" text-anchor="middle" fill="${ink}" font-size="${cell < 48 ? 11 : 13}" font-weight="600">${esc(main)}</text>`);
        if (!emptyRow) parts.push(`<text x="${r(x + cell / 2)}" y="${r(y + cell / 2 + 14)}" text-anchor="middle" fill="${ink}" font-size="${cell < 48 ? 9 : 10}">(${esc(shortNumber(v))})</text>`);
      } else {
        parts.push(`<text x="${r(x + cell / 2)}" y="${r(y + cell / 2 + 4)}" text-anchor="middle" fill="${ink}">${esc(main)}</text>`);
      }
    }
  }
  // Diagonal outline: the correct predictions of a confusion matrix, easy to find at a glance.
  if (nr === nc) {
    for (let i = 0; i < nr; i++) parts.push(`<rect x="${r(left + i * cell + 1)}" y="${r(top + i * cell + 1)}" width="${r(cell - 2)}" height="${r(cell - 2)}" fill="none" stroke="#333" stroke-width="1" stroke-opacity="0.35"/>`);
  }
  for (let j = 0; j < nc; j++) {
    const x = left + j * cell + cell / 2;
    const y = top + gridH + 14;
    const label = `<title>${esc(colLabels[j])}</title>${esc(clip(colLabels[j]))}`;
    if (rotate) parts.push(`<text x="${r(x)}" y="${r(y - 4)}" text-anchor="end" transform="rotate(-45 ${r(x)} ${r(y - 4)})">${label}</text>`);
    else parts.push(`<text x="${r(x)}" y="${r(y)}" text-anchor="middle">${label}</text>`);
  }
  if (xLabel) parts.push(`<text x="${r(left + gridW / 2)}" y="${r(top + gridH + colLabelHeight + 16)}" text-anchor="middle" font-weight="600">${esc(xLabel)}</text>`);
  if (yLabel) {
    const cy = r(top + gridH / 2);
    parts.push(`<text x="14" y="${cy}" text-anchor="middle" font-weight="600" transform="rotate(-90 14 ${cy})">${esc(yLabel)}</text>`);
  }
  // Colour scale: stacked rects rather than a gradient, which would need a page-unique id.
  const sx = left + gridW + 16;
  const steps = 24;
  const barH = Math.max(60, gridH);
  for (let k = 0; k < steps; k++) {
    parts.push(`<rect class="scale" x="${r(sx)}" y="${r(top + (barH * k) / steps)}" width="12" height="${r(barH / steps + 1)}" fill="${blue(1 - k / steps)}"/>`);
  }
  const fmt = (t: number): string => (normalize === 'row' ? `${Math.round(t * 100)}%` : shortNumber(lo + t * (hi - lo)));
  for (const t of [1, 0.5, 0]) parts.push(`<text x="${r(sx + 16)}" y="${r(top + barH * (1 - t) + 4)}" font-size="10" fill="#444">${esc(fmt(t))}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------------
// Grouped bar chart

export interface BarSeries {
  name: string;
  values: readonly number[];
  color?: string;
}

export interface BarChartOptions {
  title: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  yLabel: string;
  xLabel?: string;
  width?: number;
  height?: number;
  yRange?: [number, number];
  /** Label printed above each bar (omitted when bars are too narrow). */
  valueFormat?: (v: number) => string;
  /** How values read in hover text (default hoverNumber: 4 significant digits). */
  tooltipFormat?: (v: number) => string;
  standalone?: boolean;
}

export function barChart(options: BarChartOptions): string {
  if (typeof options !== 'object' || options === null) throw invalidParameterError('options', 'object', options);
  const title = str('options.title', options.title);
  const yLabel = str('options.yLabel', options.yLabel);
  const xLabel = options.xLabel === undefined ? '' : str('options.xLabel', options.xLabel);
  const categories = arr<string>('options.categories', options.categories).map((c, i) => str(`options.categories[${i}]`, c));
  const series = arr<BarSeries>('options.series', options.series).map((s, i) => {
    if (typeof s !== 'object' || s === null) throw invalidParameterError(`options.series[${i}]`, 'object', s);
    const values = arr<number>(`options.series[${i}].values`, s.values);
    if (values.length !== categories.length) throw rangeError(`options.series[${i}].values`, `${categories.length} values (one per category)`, values);
    values.forEach((v, j) => {
      if (typeof v !== 'number') throw invalidParameterError(`options.series[${i}].values[${j}]`, 'number', v);
    });
    return { name: str(`options.series[${i}].name`, s.name), values, color: s.color ?? PALETTE[i % PALETTE.length] };
  });
  const width = size('options.width', options.width, 640, 200);
  const height = size('options.height', options.height, 320, 150);
  const yRange = range('options.yRange', options.yRange);

  const leg = series.length > 1 ? legend(series.map((s) => ({ name: s.name, color: s.color, kind: 'box' as const })), 56, 30, width - 72) : { svg: '', height: 0 };
  const top = 30 + leg.height + 10;
  let out = open(width, height, title, options.standalone, 'bar-chart') + leg.svg;
  const all = series.flatMap((s) => s.values);
  const ye = extent([0, ...all, ...(yRange ?? [])]);
  if (categories.length === 0 || series.length === 0 || !ye || extent(all) === null) return `${out}${noData(width, height, top)}</svg>`;

  const yAxis = niceAxis(ye[0], ye[1], 5);
  const tickWidth = Math.max(...yAxis.ticks.map((_, i) => textWidth(axisLabel(yAxis, i))));
  const left = 28 + tickWidth + 8;
  const plotW = width - left - 16;
  const group = plotW / categories.length;
  const longest = Math.max(...categories.map((c) => textWidth(clip(c))));
  const rotate = longest > group - 4;
  const labelH = rotate ? longest * 0.72 + 14 : 20;
  const box = { left, top, width: plotW, height: height - top - labelH - (xLabel ? 24 : 6) };
  const sy = linear(yAxis.min, yAxis.max, box.top + box.height, box.top);
  out += axes(null, yAxis, box, '', yLabel);

  const barW = (group * 0.8) / series.length;
  const tipFormat = options.tooltipFormat ?? hoverNumber;
  const showValues = options.valueFormat !== undefined && barW >= 22;
  const parts: string[] = [];
  categories.forEach((c, i) => {
    const gx = left + i * group + group * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      const x = gx + k * barW;
      const y0 = sy(0);
      const y1 = sy(v);
      parts.push(`<rect class="bar" x="${r(x + 1)}" y="${r(Math.min(y0, y1))}" width="${r(barW - 2)}" height="${r(Math.abs(y0 - y1))}" fill="${esc(s.color)}"><title>${esc(`${c} · ${s.name}: ${tipFormat(v)}`)}</title></rect>`);
      if (showValues && options.valueFormat) parts.push(`<text x="${r(x + barW / 2)}" y="${r(Math.min(y0, y1) - 3)}" text-anchor="middle" font-size="10" fill="#333">${esc(options.valueFormat(v))}</text>`);
    });
    const cx = left + (i + 0.5) * group;
    const ly = box.top + box.height + 14;
    const label = `<title>${esc(c)}</title>${esc(clip(c))}`;
    if (rotate) parts.push(`<text x="${r(cx)}" y="${r(ly - 4)}" text-anchor="end" transform="rotate(-45 ${r(cx)} ${r(ly - 4)})">${label}</text>`);
    else parts.push(`<text x="${r(cx)}" y="${r(ly)}" text-anchor="middle">${label}</text>`);
  });
  if (xLabel) parts.push(`<text x="${r(left + plotW / 2)}" y="${r(height - 8)}" text-anchor="middle" fill="#222">${esc(xLabel)}</text>`);
  return `${out}${parts.join('')}</svg>`;
}
