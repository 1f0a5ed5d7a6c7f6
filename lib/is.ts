// Argument validation with one message shape (sharp's lib/is): "Expected <what> for <name> but
// received <value> of type <type>". Bad types are TypeErrors, bad values RangeErrors.

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}' of type string`;
  if (value === null) return 'null';
  // ArrayBuffer.isView, not instanceof: typed arrays made by the addon come from another realm under jest.
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `${String(value)} of type ${typeof value}`;
}

export function invalidParameterError(name: string, expected: string, actual: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

export function rangeError(name: string, expected: string, actual: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

export function number(name: string, v: unknown, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number {
  const what = `${opts.integer ? 'integer' : 'number'}${rangeText(opts)}`;
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalidParameterError(name, what, v);
  if (!Number.isFinite(v) || (opts.integer && !Number.isInteger(v))) throw rangeError(name, what, v);
  if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) throw rangeError(name, what, v);
  if (opts.max !== undefined && v > opts.max) throw rangeError(name, what, v);
  return v;
}

function rangeText(opts: { min?: number; max?: number; exclusiveMin?: boolean }): string {
  if (opts.min !== undefined && opts.max !== undefined) return ` in [${opts.min}, ${opts.max}]`;
  if (opts.min === 0 && opts.exclusiveMin) return ' > 0';
  if (opts.min !== undefined) return ` >= ${opts.min}`;
  if (opts.max !== undefined) return ` <= ${opts.max}`;
  return '';
}

export function positiveInteger(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameterError(name, 'positive integer', v);
  if (v <= 0) throw rangeError(name, 'positive integer', v);
  return v;
}

export function oneOf<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalidParameterError(name, `one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
  return v as T;
}

export function boolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalidParameterError(name, 'boolean', v);
  return v;
}

export function plainObject(name: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidParameterError(name, 'object', v);
  return v as Record<string, unknown>;
}

/** Rejects unknown keys, catching typos such as `nfft` for `nFft` (better-sqlite3's "Misspelled option"). */
export function knownKeys(name: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const close = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
      throw new TypeError(`Unknown option ${name}.${key}${close ? ` (did you mean ${close}?)` : ''}; known options: ${allowed.join(', ')}`);
    }
  }
}

const DEVICE_RE = /^(auto|cpu|cuda|cuda:\d+)$/;
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;
export function device(name: string, v: unknown): Device {
  if (typeof v !== 'string' || !DEVICE_RE.test(v)) throw invalidParameterError(name, "'auto', 'cpu', 'cuda' or 'cuda:N'", v);
  return v as Device;
}
