import { categoricalSizes, decode, encode, validateSpace, type Space } from '../../../lib/hpo/space';

describe('search space', () => {
  const space = {
    lr: { type: 'float', min: 1e-4, max: 1e-1, log: true },
    dropout: { type: 'float', min: 0, max: 0.5 },
    layers: { type: 'int', min: 1, max: 4 },
    hidden: { type: 'int', min: 16, max: 1024, log: true },
    optimizer: { type: 'choice', values: ['adam', 'sgd', 'rmsprop'] },
  } as const satisfies Space;

  it('decodes floats linearly or on a log scale', () => {
    const c = decode(space, [0.5, 0.5, 0, 0, 0]);
    expect(c.lr).toBeCloseTo(Math.sqrt(1e-4 * 1e-1), 12); // geometric mean at the centre
    expect(c.dropout).toBeCloseTo(0.25, 12);
    expect(decode(space, [0, 0, 0, 0, 0]).lr).toBeCloseTo(1e-4, 15);
    expect(decode(space, [1, 1, 1, 1, 1]).lr).toBeCloseTo(1e-1, 15);
  });

  it('decodes integers to equally wide bins covering both ends', () => {
    const layersAt = (x: number) => decode(space, [0, 0, x, 0, 0]).layers;
    expect([0, 0.24, 0.26, 0.49, 0.51, 0.74, 0.76, 1].map(layersAt)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    const counts = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const v = layersAt((i + 0.5) / 1000);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([250, 250, 250, 250]);
  });

  it('decodes log-scaled integers as integers, denser at the low end', () => {
    const hiddenAt = (x: number) => decode(space, [0, 0, 0, x, 0]).hidden;
    expect(hiddenAt(0)).toBe(16);
    expect(hiddenAt(1)).toBe(1024);
    const mid = hiddenAt(0.5);
    expect(Number.isInteger(mid)).toBe(true);
    expect(mid).toBeGreaterThan(110); // geometric, ~ sqrt(15.5 * 1024.5) = 126
    expect(mid).toBeLessThan(140);
  });

  it('decodes categories by bins', () => {
    const at = (x: number) => decode(space, [0, 0, 0, 0, x]).optimizer;
    expect([0, 0.33, 0.34, 0.66, 0.67, 1].map(at)).toEqual(['adam', 'adam', 'sgd', 'sgd', 'rmsprop', 'rmsprop']);
  });

  it('encodes to a point that decodes back to the same configuration', () => {
    const configs = [
      { lr: 3e-3, dropout: 0.1, layers: 3, hidden: 100, optimizer: 'sgd' },
      { lr: 1e-4, dropout: 0, layers: 1, hidden: 16, optimizer: 'adam' },
      { lr: 1e-1, dropout: 0.5, layers: 4, hidden: 1024, optimizer: 'rmsprop' },
    ] as const;
    for (const c of configs) {
      const x = encode(space, c);
      x.forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
      const back = decode(space, x);
      expect(back.lr).toBeCloseTo(c.lr, 12);
      expect(back.dropout).toBeCloseTo(c.dropout, 12);
      expect({ layers: back.layers, hidden: back.hidden, optimizer: back.optimizer }).toEqual({
        layers: c.layers,
        hidden: c.hidden,
        optimizer: c.optimizer,
      });
    }
  });

  it('names the categorical coordinates: unordered choices only', () => {
    const s = { a: { type: 'float', min: 0, max: 1 }, b: { type: 'choice', values: ['x', 'y', 'z'] }, c: { type: 'choice', values: [16, 32], ordered: true }, d: { type: 'int', min: 0, max: 3 }, e: { type: 'choice', values: [false, true] } } as const satisfies Space;
    expect(categoricalSizes(s)).toEqual([null, 3, null, null, 2]);
    // `ordered` changes nothing in the cube: the same bins, the same round trip.
    const c = { a: 0.25, b: 'z', c: 32, d: 2, e: true };
    expect(decode(s, encode(s, c))).toEqual(c);
  });

  it('matches object-valued choices by content (configs restored from JSON)', () => {
    const s = { arch: { type: 'choice', values: [{ kernel: 3 }, { kernel: 5 }] } } as const satisfies Space;
    expect(decode(s, encode(s, { arch: JSON.parse('{"kernel":5}') })).arch).toEqual({ kernel: 5 });
  });

  it('validates spaces with errors that name the field', () => {
    expect(validateSpace(space)).toEqual(['lr', 'dropout', 'layers', 'hidden', 'optimizer']);
    expect(() => validateSpace({})).toThrow(RangeError);
    expect(() => validateSpace(null)).toThrow(new TypeError('Expected object for space but received null'));
    expect(() => validateSpace({ a: { type: 'float', min: 1, max: 1 } })).toThrow(/space\.a\.max/);
    expect(() => validateSpace({ a: { type: 'float', min: 0, max: 1, log: true } })).toThrow(
      new RangeError('Expected number > 0 (log scale) for space.a.min but received 0 of type number'),
    );
    expect(() => validateSpace({ a: { type: 'int', min: 0.5, max: 3 } })).toThrow(
      new RangeError('Expected integer for space.a.min but received 0.5 of type number'),
    );
    expect(() => validateSpace({ a: { type: 'int', min: 0, max: 3, log: true } })).toThrow(/space\.a\.min/);
    expect(() => validateSpace({ a: { type: 'choice', values: [] } })).toThrow(/space\.a\.values/);
    expect(() => validateSpace({ a: { type: 'choice', values: [1, 1] } })).toThrow(/distinct/);
    expect(() => validateSpace({ a: { type: 'bool' } })).toThrow(/space\.a\.type/);
    expect(() => validateSpace({ a: { type: 'choice', values: [1, 2], ordered: 'yes' } })).toThrow(/space\.a\.ordered/);
    expect(() => validateSpace({ a: { type: 'float', min: 0, max: Infinity } })).toThrow(/space\.a\.max/);
  });

  it('rejects points outside the cube and values outside the space', () => {
    expect(() => decode(space, [0, 0, 0, 0])).toThrow(/length 5/);
    expect(() => decode(space, [0, 0, 1.5, 0, 0])).toThrow(
      new RangeError('Expected number in [0, 1] for x[2] but received 1.5 of type number'),
    );
    expect(() => decode(space, [0, 0, NaN, 0, 0])).toThrow(TypeError);
    const ok = { lr: 1e-3, dropout: 0.1, layers: 2, hidden: 64, optimizer: 'adam' };
    expect(() => encode(space, { ...ok, layers: 5 })).toThrow(/config\.layers/);
    expect(() => encode(space, { ...ok, layers: 2.5 })).toThrow(/integer for config\.layers/);
    expect(() => encode(space, { ...ok, optimizer: 'lbfgs' })).toThrow(/config\.optimizer/);
    const { lr: _lr, ...missing } = ok;
    expect(() => encode(space, missing)).toThrow(/config\.lr/);
  });
});
