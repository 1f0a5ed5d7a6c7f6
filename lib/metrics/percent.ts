// A fraction shown as a percentage: the one formatter that the reports, the CLI, the tools and the
// benchmarks all use (it sits in lib/metrics, low enough for lib/dataset to use it too).

export interface PercentOptions {
  /** Decimals (default 1). */
  digits?: number;
  /** What a missing or non-finite value shows as (default an en dash, as in the reports). */
  missing?: string;
  /** Appended to the number (default '%'; '' for percentage points in a column whose heading gives the unit). */
  unit?: string;
}

/** 0.3333 -> "33.3%"; null, undefined, NaN and ±Infinity -> "–" (or options.missing). */
export function percent(v: number | null | undefined, options: PercentOptions = {}): string {
  const { digits = 1, missing = '–', unit = '%' } = options;
  return typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(digits)}${unit}` : missing;
}
