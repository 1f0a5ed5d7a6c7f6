// The SER search space: decoding of its integer and categorical dimensions, and configToOverrides().
import { decode, encode } from '../../../lib/hpo/space';
import { DEFAULT_ARCHITECTURE, defaultTrainConfig, resolveTrainConfig } from '../../../lib/model/config';
import { SER_SPACE, configToOverrides, recipePoint, validateFixed, type SerHyperParameters } from '../../../lib/optimize/space';

const names = Object.keys(SER_SPACE);
const at = (name: string, x: number): unknown => {
  const point = names.map(() => 0.5);
  point[names.indexOf(name)] = x;
  return decode(SER_SPACE, point)[name as keyof SerHyperParameters];
};
const centre = (): SerHyperParameters => decode(SER_SPACE, names.map(() => 0.5));

describe('SER_SPACE', () => {
  it('decodes the LSTM size to integers over 32..256 on a log scale', () => {
    expect(at('lstmHidden', 0)).toBe(32);
    expect(at('lstmHidden', 1)).toBe(256);
    const values = Array.from({ length: 101 }, (_, i) => at('lstmHidden', i / 100) as number);
    for (const v of values) expect(Number.isInteger(v)).toBe(true);
    // Log scale: the middle of the cube is near the geometric mean (~91), not the arithmetic one (144).
    expect(Math.abs((at('lstmHidden', 0.5) as number) - Math.sqrt(31.5 * 256.5))).toBeLessThan(1);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('decodes conv width and batch size to their listed choices in equal bins', () => {
    expect([0, 0.24, 0.26, 0.49, 0.51, 0.74, 0.76, 1].map((x) => at('convWidth', x))).toEqual([0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2]);
    expect([0, 0.32, 0.34, 0.66, 0.67, 1].map((x) => at('batchSize', x))).toEqual([16, 16, 32, 32, 64, 64]);
  });

  it('keeps the SNR range ordered and the learning rate and weight decay on log scales', () => {
    for (const [lo, hi] of [[0, 0], [1, 0], [0.5, 0.5], [1, 1]]) {
      const point = names.map(() => 0.5);
      point[names.indexOf('snrLowDb')] = lo;
      point[names.indexOf('snrHighDb')] = hi;
      const c = decode(SER_SPACE, point);
      expect(c.snrLowDb).toBeLessThanOrEqual(c.snrHighDb);
    }
    expect(at('lr', 0)).toBeCloseTo(1e-4, 12);
    expect(at('lr', 1)).toBeCloseTo(3e-3, 12);
    expect(at('lr', 0.5)).toBeCloseTo(Math.sqrt(1e-4 * 3e-3), 12);
    expect(at('weightDecay', 0.5)).toBeCloseTo(1e-4, 12);
  });

  it('round-trips every decoded point through encode', () => {
    const c = decode(SER_SPACE, names.map((_, j) => (j + 0.3) / names.length));
    expect(decode(SER_SPACE, encode(SER_SPACE, c))).toEqual(c);
  });
});

describe('configToOverrides', () => {
  it('maps a point to train() overrides that resolve to the intended recipe', () => {
    const c = { ...centre(), lr: 1e-3, weightDecay: 1e-5, convDropout: 0.1, lstmDropout: 0.2, headDropout: 0.3, lstmHidden: 64, convWidth: 1.5, batchSize: 16, noiseP: 0.25, snrLowDb: 5, snrHighDb: 20 } as const;
    const t = resolveTrainConfig(configToOverrides(c));
    expect(t.optimizer.lr).toBe(1e-3);
    expect(t.optimizer.weightDecay).toBe(1e-5);
    expect(t.architecture).toMatchObject({ convDropout: 0.1, lstmDropout: 0.2, headDropout: 0.3, lstmHidden: 64, channels: DEFAULT_ARCHITECTURE.channels.map((ch) => Math.round(ch * 1.5)) });
    expect(t.batchSize).toBe(16);
    expect(t.noise).toEqual({ kind: 'onTheFly', p: 0.25, snrDb: [5, 20] });
    // Everything else is the default recipe.
    expect(t.optimizer.beta1).toBe(0.9);
    expect(t.epochs).toBe(defaultTrainConfig().epochs);
  });

  it('scales the fixed part’s channels and keeps its other settings', () => {
    const fixed = { architecture: { channels: [8, 16, 16, 16] as number[], lstmLayers: 1 }, features: { clipSeconds: 1 } };
    const o = configToOverrides({ ...centre(), convWidth: 0.5 }, fixed);
    const t = resolveTrainConfig(o);
    expect(t.architecture.channels).toEqual([4, 8, 8, 8]);
    expect(t.architecture.lstmLayers).toBe(1);
    expect(t.features.clipSeconds).toBe(1);
    expect(fixed.architecture.channels).toEqual([8, 16, 16, 16]); // not mutated
  });

  it('rejects points outside the space, naming the field', () => {
    expect(() => configToOverrides({ ...centre(), lr: 0.5 })).toThrow(/config\.lr/);
    expect(() => configToOverrides({ ...centre(), batchSize: 48 as never })).toThrow(/config\.batchSize/);
    expect(() => configToOverrides({ ...centre(), lstmHidden: 64.5 })).toThrow(/integer for config\.lstmHidden/);
    const missing: Partial<SerHyperParameters> = centre();
    delete missing.noiseP;
    expect(() => configToOverrides(missing as SerHyperParameters)).toThrow(/config\.noiseP/);
    expect(() => configToOverrides({ ...centre(), momentum: 0.9 } as SerHyperParameters)).toThrow(/config\.momentum/);
  });

  it('rejects a fixed part that sets searched keys or is not a valid recipe', () => {
    expect(() => configToOverrides(centre(), { optimizer: { lr: 1e-3 } })).toThrow(/fixed\.optimizer\.lr is set by the search/);
    expect(() => validateFixed({ noise: { kind: 'none' } })).toThrow(/fixed\.noise/);
    expect(() => validateFixed({ epochs: 3 })).toThrow(/epochsPerEval/);
    expect(() => validateFixed({ architecture: { lstmLayrs: 1 } })).toThrow(/Unknown option fixed\.architecture\.lstmLayrs/);
    expect(() => validateFixed({ features: { clipSeconds: 0.1 } })).toThrow(/clipSeconds/);
  });
});

describe('recipePoint', () => {
  it('is the default recipe: its overrides resolve to the default config', () => {
    const { config, clamped } = recipePoint();
    expect(clamped).toEqual([]);
    const resolved = resolveTrainConfig(configToOverrides(config));
    const d = defaultTrainConfig();
    expect(resolved.optimizer).toEqual(d.optimizer);
    expect(resolved.architecture).toEqual(d.architecture);
    expect(resolved.batchSize).toBe(d.batchSize);
    expect(resolved.noise).toEqual(d.noise);
    // It is a point of the space: the cube round trip keeps it (up to rounding of the log scales).
    const back = decode(SER_SPACE, encode(SER_SPACE, config));
    for (const k of names) expect(back[k as keyof SerHyperParameters]).toBeCloseTo(config[k as keyof SerHyperParameters] as number, 12);
  });

  it('keeps the fixed part (--config): the same searched values, the fixed channels at width 1', () => {
    const fixed = { architecture: { channels: [8, 16, 32, 32] as [number, number, number, number] }, lrSchedule: 'constant' as const };
    const { config } = recipePoint(fixed);
    expect(config).toEqual(recipePoint().config);
    const resolved = resolveTrainConfig(configToOverrides(config, fixed));
    expect(resolved.architecture.channels).toEqual([8, 16, 32, 32]);
    expect(resolved.lrSchedule).toBe('constant');
    expect(() => recipePoint({ batchSize: 20 })).toThrow(/fixed.batchSize is set by the search/);
  });
});
