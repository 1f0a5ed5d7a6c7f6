// Axis arithmetic for the SVG charts: "nice" tick steps (1, 2 or 5 times a power of ten) and linear maps.

/** The nice step giving about `target` intervals over `span`. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  // Geometric midpoints between 1, 2, 5 and 10 (as d3), so the step is the nice one nearest on a log scale.
  return (f >= Math.sqrt(50) ? 10 : f >= Math.sqrt(10) ? 5 : f >= Math.SQRT2 ? 2 : 1) * power;
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  step: number;
  /** Tick labels, when they are not the tick values themselves (log axes). */
  labels?: string[];
}

/**
 * A nice axis covering [lo, hi]: ends rounded out to whole steps. A zero-width range is widened (a flat loss
 * curve still gets an axis), and ticks are rounded to the step's decimals to hide float noise (0.30000000000000004).
 */
export function niceAxis(lo: number, hi: number, target = 5): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, target);
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(Number((min + i * step).toFixed(Math.min(20, decimals))));
  return { min: ticks[0], max: ticks[ticks.length - 1], ticks, step };
}

/**
 * An axis over log10 values: [lo, hi] are already log10 of the data, ticks sit at whole decades (with 2x and
 * 5x between them when the range spans two decades or less, so a short range still gets several ticks).
 */
export function logAxis(lo: number, hi: number): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  let min = Math.floor(lo + 1e-9);
  let max = Math.ceil(hi - 1e-9);
  if (max === min) max += 1;
  const fine = max - min <= 2;
  const ticks: number[] = [];
  for (let d = min; d <= max; d++) {
    ticks.push(d);
    if (fine && d < max) ticks.push(d + Math.log10(2), d + Math.log10(5));
  }
  // Tighten the ends to the nearest tick around the data, so one extra decade is not mostly empty.
  const inside = ticks.filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9);
  const below = ticks.filter((t) => t <= lo + 1e-9).pop() ?? min;
  const above = ticks.find((t) => t >= hi - 1e-9) ?? max;
  const used = [below, ...inside.filter((t) => t !== below && t !== above), above].filter((t, i, a) => a.indexOf(t) === i);
  // A constant series (one learning rate all along) still needs an axis of two ticks.
  if (used.length < 2) used.push(ticks.find((t) => t > used[0]) ?? used[0] + 1);
  min = used[0];
  max = used[used.length - 1];
  // One notation per axis: plain decimals when every tick reads well that way, else all in exponent form.
  const plain = min >= -2 && max <= 4;
  return { min, max, ticks: used, step: 1, labels: used.map((t) => decadeLabel(10 ** t, plain)) };
}

function decadeLabel(v: number, plain: boolean): string {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = Math.round(v / 10 ** e);
  return plain ? String(Number((m * 10 ** e).toFixed(Math.max(0, -e)))) : `${m}e${e}`;
}

/** Tick label: as many decimals as the step needs, exponent form for tiny or huge values. */
export function tickLabel(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.max(Math.abs(v), step);
  if (step < 1e-3 || a >= 1e6) return v.toExponential(Math.max(0, Math.min(3, Math.round(Math.log10(a / step))))).replace(/\.?0+e/, 'e');
  return v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Linear map from [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** [min, max] of the finite values, or null if there are none. */
export function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}
