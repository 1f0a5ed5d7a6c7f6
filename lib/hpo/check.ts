// Argument validation shared by the optimizers: every error names the argument and shows what was received,
// e.g. "Expected positive integer for population but received -1 of type number".

/** Renders a received value for an error message (short, never throws). */
export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'object' && value !== null) {
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      shown = Object.prototype.toString.call(value);
    }
  } else shown = String(value);
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  return `${shown} of type ${typeof value}`;
}

export function expectationError(expected: string, name: string, value: unknown, isRange: boolean): Error {
  const message = `Expected ${expected} for ${name} but received ${describe(value)}`;
  return isRange ? new RangeError(message) : new TypeError(message);
}

/** A number of the right type but the wrong value is a RangeError; anything else is a TypeError. */
function fail(expected: string, name: string, value: unknown): never {
  throw expectationError(expected, name, value, typeof value === 'number' && !Number.isNaN(value));
}

export function expectFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('finite number', name, value);
  return value;
}

export function expectInteger(name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    let expected = 'integer';
    if (min === 1 && max === Infinity) expected = 'positive integer';
    else if (min === 0 && max === Infinity) expected = 'non-negative integer';
    else if (max === Infinity) expected = `integer >= ${min}`;
    else if (min === -Infinity) expected = `integer <= ${max}`;
    else expected = `integer in [${min}, ${max}]`;
    fail(expected, name, value);
  }
  return value;
}

export function expectPositiveInteger(name: string, value: unknown): number {
  return expectInteger(name, value, 1);
}

export function expectProbability(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail('number in [0, 1]', name, value);
  return value;
}

export function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail('boolean', name, value);
  return value;
}

export function expectFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') fail('function', name, value);
}

export function expectObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('object', name, value);
  return value as Record<string, unknown>;
}

/** An array of numbers in the unit interval, of the given length (a point of the search cube). */
export function expectUnitVector(name: string, value: unknown, dimension: number): number[] {
  if (!Array.isArray(value)) fail(`array of ${dimension} numbers in [0, 1]`, name, value);
  if (value.length !== dimension) {
    throw new RangeError(`Expected array of length ${dimension} for ${name} but received length ${value.length}`);
  }
  value.forEach((v: unknown, j) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail('number in [0, 1]', `${name}[${j}]`, v);
  });
  return value as number[];
}

/** A JSON-restored matrix: `rows` arrays of `dimension` unit-interval numbers. */
export function expectUnitMatrix(name: string, value: unknown, rows: number | null, dimension: number): number[][] {
  if (!Array.isArray(value)) fail('array', name, value);
  if (rows !== null && value.length !== rows) {
    throw new RangeError(`Expected array of length ${rows} for ${name} but received length ${value.length}`);
  }
  return value.map((row: unknown, i) => expectUnitVector(`${name}[${i}]`, row, dimension));
}
