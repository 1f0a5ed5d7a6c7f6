// Number and value formatting for reports. Missing or non-finite values show as an en dash rather than
// "NaN" or "undefined", so a diverged epoch reads as a gap, not as a number. Percentages: percent() in
// lib/metrics/percent.ts (it shows missing values the same way).
export const MISSING = '–';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Fixed decimals for ordinary magnitudes, exponent notation for very small or large ones (learning rates). */
export function num(v: number | null | undefined, digits = 3): string {
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (!isNum(v)) return MISSING;
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e6)) return v.toExponential(Math.max(1, digits - 1)).replace(/\.?0+e/, 'e');
  return v.toFixed(digits);
}

/** A difference with its sign: 1.23 -> "+1.2", -0.8 -> "−0.8", and "0.0" when it rounds to zero. */
export function signed(v: number | null | undefined, digits = 1): string {
  if (!isNum(v)) return MISSING;
  const text = Math.abs(v).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${v > 0 ? '+' : '−'}${text}`;
}

/** 4.2 -> "4.2 s", 305 -> "5 min 05 s", 3725 -> "1 h 02 min". */
export function duration(seconds: number | null | undefined): string {
  if (!isNum(seconds) || seconds < 0) return MISSING;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A config value as one line of text: numbers via num(), arrays and objects as JSON. */
export function value(v: unknown): string {
  if (v === undefined) return MISSING;
  if (typeof v === 'number') return num(v, 6).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean' || v === null) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Flattens a nested config into [dotted key, value] rows: { model: { dropout: 0.3 } } -> ["model.dropout", 0.3].
 * Arrays stay whole (a list of sizes reads better as one value). Cycles stop at the repeated object.
 */
export function flatten(obj: Record<string, unknown>, prefix = '', seen = new Set<object>()): Array<[string, unknown]> {
  seen.add(obj);
  const rows: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const nested = typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Date);
    if (nested && Object.keys(v).length > 0 && !seen.has(v)) rows.push(...flatten(v as Record<string, unknown>, path, seen));
    else rows.push([path, nested && seen.has(v) ? '[circular]' : v]);
  }
  return rows;
}
