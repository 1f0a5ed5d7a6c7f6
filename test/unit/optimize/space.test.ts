// The SER search space: decoding of its integer and categorical dimensions, the recipe levers (and the fixed part
// that takes them out of a run's space), configToOverrides() and recipePoint().
import { categoricalSizes, decode, encode, type Space } from '../../../lib/hpo/space';
import { DEFAULT_ARCHITECTURE, defaultTrainConfig, resolveTrainConfig, type DeepPartial, type TrainConfig } from '../../../lib/model/config';
import { SER_SPACE, SER_SPACE_VERSION, configToOverrides, fixedLevers, recipePoint, runSpace, validateFixed, type SerHyperParameters } from '../../../lib/optimize/space';
import { fixed as tinyFixed } from '../../helpers/tiny-recipe';

const names = Object.keys(SER_SPACE);
const at = (name: string, x: number): unknown => {
  const point = names.map(() => 0.5);
  point[names.indexOf(name)] = x;
  return decode(SER_SPACE, point)[name as keyof SerHyperParameters];
};
const centre = (): SerHyperParameters => decode(SER_SPACE, names.map(() => 0.5));
/** A point of the space of a run with the fixed part `fixed`, all coordinates at x. */
const pointOf = (space: Space, x = 0.5): SerHyperParameters => decode(space, Object.keys(space).map(() => x)) as unknown as SerHyperParameters;
/** The values a dimension can take: every choice, every integer. */
const valuesOf = (name: keyof typeof SER_SPACE): unknown[] => {
  const d = SER_SPACE[name] as { type: string; values?: readonly unknown[]; min?: number; max?: number };
  if (d.type === 'choice') return [...(d.values as unknown[])];
  if (d.type === 'int') return Array.from({ length: (d.max as number) - (d.min as number) + 1 }, (_, i) => (d.min as number) + i);
  return [d.min, d.max];
};

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

  it('is version 2: the eleven dimensions of version 1, then the recipe levers', () => {
    expect(SER_SPACE_VERSION).toBe(2);
    expect(names).toEqual([
      'lr', 'weightDecay', 'convDropout', 'lstmDropout', 'headDropout', 'lstmHidden', 'convWidth', 'batchSize', 'noiseP', 'snrLowDb', 'snrHighDb',
      'pooling', 'utteranceStd', 'speechStats', 'speakerNorm', 'clipSeconds', 'mixupAlpha', 'specAugmentMasks',
    ]);
    // TPE treats the unordered choices as categories; scales (batch, width, clip, mixup, speakerNorm) as intervals.
    expect(categoricalSizes(SER_SPACE)).toEqual([null, null, null, null, null, null, null, null, null, null, null, 3, 2, 2, null, null, null, null]);
  });

  it('round-trips every decoded point through encode', () => {
    const c = decode(SER_SPACE, names.map((_, j) => (j + 0.3) / names.length));
    expect(decode(SER_SPACE, encode(SER_SPACE, c))).toEqual(c);
  });
});

describe('the recipe levers', () => {
  it('every value of every dimension decodes to a valid TrainConfig, alone and on the tiny fixed recipe', () => {
    for (const fixed of [{}, tinyFixed, { features: { utteranceNorm: false } }] as DeepPartial<TrainConfig>[]) {
      const space = runSpace(fixed);
      for (const name of Object.keys(space) as (keyof typeof SER_SPACE)[]) {
        for (const value of valuesOf(name)) {
          for (const x of [0, 0.5, 1]) {
            const c = { ...pointOf(space, x), [name]: value } as SerHyperParameters;
            expect(() => resolveTrainConfig(configToOverrides(c, fixed))).not.toThrow();
          }
        }
      }
    }
  });

  it('sets the TrainConfig key each lever names', () => {
    const t = (over: Partial<SerHyperParameters>) => resolveTrainConfig(configToOverrides({ ...centre(), ...over }));
    for (const pooling of ['mean', 'last', 'attention'] as const) expect(t({ pooling }).architecture.pooling).toBe(pooling);
    expect(t({ utteranceStd: true, speechStats: false, speakerNorm: 0.5 }).features).toMatchObject({ utteranceNorm: true, utteranceStd: true, speechStats: false, speakerNorm: 0.5 });
    expect(t({ utteranceStd: false, speechStats: true, speakerNorm: 0 }).features).toMatchObject({ utteranceStd: false, speechStats: true, speakerNorm: 0 });
    expect(t({ clipSeconds: 1.5 }).features.clipSeconds).toBe(1.5);
    expect(t({ mixupAlpha: 0.4 }).mixupAlpha).toBe(0.4);
    // SpecAugment: as many frequency as time masks, the recipe's widths.
    expect(t({ specAugmentMasks: 0 }).specAugment).toEqual({ freqMasks: 0, freqMaskWidth: 8, timeMasks: 0, timeMaskWidth: 25 });
    expect(t({ specAugmentMasks: 3 }).specAugment).toEqual({ freqMasks: 3, freqMaskWidth: 8, timeMasks: 3, timeMaskWidth: 25 });
    expect(() => t({ pooling: 'max' as never })).toThrow(/config\.pooling/);
    expect(() => t({ speakerNorm: 1 as never })).toThrow(/config\.speakerNorm/);
    expect(() => t({ specAugmentMasks: 4 })).toThrow(/config\.specAugmentMasks/);
  });

  it('leaves out of the run every lever the fixed part sets: the fixed value wins', () => {
    const fixed = { architecture: { pooling: 'attention' as const }, features: { clipSeconds: 1 }, mixupAlpha: 0.3, specAugment: { timeMasks: 2, freqMaskWidth: 4 } };
    expect(fixedLevers(fixed)).toEqual([
      { name: 'pooling', by: 'architecture.pooling' },
      { name: 'clipSeconds', by: 'features.clipSeconds' },
      { name: 'mixupAlpha', by: 'mixupAlpha' },
      { name: 'specAugmentMasks', by: 'specAugment.timeMasks' },
    ]);
    const space = runSpace(fixed);
    expect(Object.keys(space)).toEqual(names.filter((n) => !['pooling', 'clipSeconds', 'mixupAlpha', 'specAugmentMasks'].includes(n)));
    const { config } = recipePoint(fixed);
    expect(Object.keys(config)).toEqual(Object.keys(space));
    const r = resolveTrainConfig(configToOverrides(config, fixed));
    expect(r.architecture.pooling).toBe('attention');
    expect(r.features.clipSeconds).toBe(1);
    expect(r.mixupAlpha).toBe(0.3);
    expect(r.specAugment).toEqual({ freqMasks: 1, freqMaskWidth: 4, timeMasks: 2, timeMaskWidth: 25 });
    // A point that still sets one is refused, naming the fixed key.
    expect(() => configToOverrides({ ...config, pooling: 'mean' }, fixed)).toThrow(/config\.pooling is not searched in this run: fixed\.architecture\.pooling sets it/);
    // The normalisation levers need utteranceNorm: a fixed `false` leaves all three out, a fixed `true` none.
    expect(fixedLevers({ features: { utteranceNorm: false } }).map((l) => l.name)).toEqual(['utteranceStd', 'speechStats', 'speakerNorm']);
    expect(fixedLevers({ features: { utteranceNorm: true } })).toEqual([]);
    // Mask widths alone leave the mask count searched.
    expect('specAugmentMasks' in runSpace({ specAugment: { freqMaskWidth: 4 } })).toBe(true);
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
    const o = configToOverrides({ ...pointOf(runSpace(fixed)), convWidth: 0.5 }, fixed);
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
  it('is the default recipe: its overrides resolve to the default config, every lever included', () => {
    const { config, clamped } = recipePoint();
    expect(clamped).toEqual([]);
    expect(config).toMatchObject({ pooling: 'mean', utteranceStd: false, speechStats: false, speakerNorm: 0, clipSeconds: 3, mixupAlpha: 0, specAugmentMasks: 1 });
    expect(resolveTrainConfig(configToOverrides(config))).toEqual(defaultTrainConfig());
    // It is a point of the space: the cube round trip keeps it (up to rounding of the log scales).
    const back = decode(SER_SPACE, encode(SER_SPACE, config));
    for (const k of names) {
      const [a, b] = [back[k as keyof SerHyperParameters], config[k as keyof SerHyperParameters]];
      if (typeof b === 'number') expect(a).toBeCloseTo(b, 12);
      else expect(a).toBe(b);
    }
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
