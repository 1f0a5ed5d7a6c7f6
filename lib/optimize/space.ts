// The SER search space: which training hyper-parameters `optimize` tunes, over which ranges, and how a decoded
// point becomes train() config overrides on top of the run's fixed part (the recipe, plus any --config).
import { encode, type ConfigOf, type Space } from '../hpo/space';
import * as is from '../is';
import { DEFAULT_ARCHITECTURE, type DeepPartial, resolveTrainConfig, type TrainConfig } from '../model/config';

/** Ranges after the paper's search (Adam lr, dropouts, LSTM size, batch) plus width, weight decay and noise. */
export const SER_SPACE = {
  lr: { type: 'float', min: 1e-4, max: 3e-3, log: true },
  weightDecay: { type: 'float', min: 1e-6, max: 1e-2, log: true },
  convDropout: { type: 'float', min: 0, max: 0.5 },
  lstmDropout: { type: 'float', min: 0, max: 0.5 },
  headDropout: { type: 'float', min: 0, max: 0.6 },
  lstmHidden: { type: 'int', min: 32, max: 256, log: true },
  /** Multiplier of the conv channels (the default recipe's, or the fixed part's channels). */
  convWidth: { type: 'choice', values: [0.5, 1, 1.5, 2] },
  batchSize: { type: 'choice', values: [16, 32, 64] },
  /** On-the-fly white noise: probability a clip is noised in an epoch, and its SNR range in dB. */
  noiseP: { type: 'float', min: 0, max: 1 },
  // Disjoint ranges keep low <= high for every point (a sorted pair would make two points mean the same).
  snrLowDb: { type: 'float', min: 0, max: 15 },
  snrHighDb: { type: 'float', min: 15, max: 40 },
} as const satisfies Space;

export type SerSpace = typeof SER_SPACE;
/** One point of the SER space, as decoded: { lr, weightDecay, ..., snrHighDb }. */
export type SerHyperParameters = ConfigOf<SerSpace>;

/** Paths of TrainConfig the search sets; the fixed part must leave them alone (they would be overwritten). */
const SEARCHED: readonly string[] = [
  'optimizer.lr',
  'optimizer.weightDecay',
  'architecture.convDropout',
  'architecture.lstmDropout',
  'architecture.headDropout',
  'architecture.lstmHidden',
  'batchSize',
  'noise',
  // Evaluations train for epochsPerEval epochs with the run's seed, the final model for finalEpochs.
  'epochs',
  'seed',
];

/** Checks the fixed part of every evaluated config: a valid recipe override that sets nothing the search sets. */
export function validateFixed(fixed: unknown, name = 'fixed'): DeepPartial<TrainConfig> {
  if (fixed === undefined) return {};
  const f = is.plainObject(name, fixed);
  for (const p of SEARCHED) {
    const [head, tail] = p.split('.');
    const v = tail === undefined ? f[head] : (f[head] as Record<string, unknown> | undefined)?.[tail];
    if (v !== undefined) {
      const how = p === 'epochs' ? ' (use epochsPerEval / finalEpochs)' : p === 'seed' ? ' (use the seed option)' : '';
      throw is.invalidArgument(`${name}.${p} is set by the search and cannot be fixed${how}; remove it`);
    }
  }
  try {
    resolveTrainConfig(f as DeepPartial<TrainConfig>); // names any invalid or unknown key
  } catch (e) {
    // resolveTrainConfig calls the recipe `config`; here it is the fixed part, `name`.
    if (e instanceof Error) e.message = e.message.replace(/(?<![\w.-])config\./g, `${name}.`);
    throw e;
  }
  return f as DeepPartial<TrainConfig>;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** b over a, key by key for plain objects; arrays and scalars of b replace a's. */
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlain(out[k]) && isPlain(v) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/**
 * The train() config overrides of one point: the fixed part with the point's values merged in. Throws naming
 * the field when the point is not in SER_SPACE (e.g. `config.batchSize`) or the result is not a valid recipe.
 */
export function configToOverrides(config: SerHyperParameters, fixed: DeepPartial<TrainConfig> = {}): DeepPartial<TrainConfig> {
  encode(SER_SPACE, config); // every dimension present, numeric and in range, choices among the values
  is.knownKeys('config', is.plainObject('config', config), Object.keys(SER_SPACE));
  const base = validateFixed(fixed);
  const channels = (base.architecture?.channels ?? DEFAULT_ARCHITECTURE.channels) as number[];
  const searched: DeepPartial<TrainConfig> = {
    optimizer: { lr: config.lr, weightDecay: config.weightDecay },
    architecture: {
      convDropout: config.convDropout,
      lstmDropout: config.lstmDropout,
      headDropout: config.headDropout,
      lstmHidden: config.lstmHidden,
      channels: channels.map((c) => Math.max(1, Math.round(c * config.convWidth))),
    },
    batchSize: config.batchSize,
    noise: { kind: 'onTheFly', p: config.noiseP, snrDb: [config.snrLowDb, config.snrHighDb] },
  };
  const overrides = deepMerge(base as Record<string, unknown>, searched as Record<string, unknown>) as DeepPartial<TrainConfig>;
  resolveTrainConfig(overrides);
  return overrides;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The point of SER_SPACE that reproduces the recipe the run starts from (the default recipe with the fixed part,
 * i.e. --config, applied), so the search evaluates it and never returns something worse on its own fitness.
 * Values outside the space are clamped into it (noted in `clamped`); a noise schedule other than on-the-fly
 * becomes its nearest on-the-fly equivalent (none: p = 0). convWidth 1 keeps the recipe's channels.
 */
export function recipePoint(fixed: DeepPartial<TrainConfig> = {}): { config: SerHyperParameters; clamped: string[] } {
  const c = resolveTrainConfig(validateFixed(fixed) as DeepPartial<TrainConfig>);
  const clamped: string[] = [];
  const fit = (name: keyof SerHyperParameters, v: number): number => {
    const d = SER_SPACE[name] as { min: number; max: number; type: string };
    const out = clamp(d.type === 'int' ? Math.round(v) : v, d.min, d.max);
    if (out !== v) clamped.push(`${name} ${v} → ${out}`);
    return out;
  };
  const n = c.noise;
  const p = n.kind === 'onTheFly' ? n.p : n.kind === 'curriculum' ? (n.p ?? 1) : n.kind === 'static' ? 1 : 0;
  const snr: [number, number] = n.kind === 'onTheFly' ? n.snrDb : n.kind === 'curriculum' ? [n.end[0], n.end[1]] : n.kind === 'static' ? [Math.min(...n.snrsDb), Math.max(...n.snrsDb)] : [10, 30];
  if (n.kind !== 'onTheFly' && n.kind !== 'none') clamped.push(`noise ${n.kind} → onTheFly`);
  const batches = SER_SPACE.batchSize.values;
  const batchSize = batches.reduce((a, b) => (Math.abs(b - c.batchSize) < Math.abs(a - c.batchSize) ? b : a));
  if (batchSize !== c.batchSize) clamped.push(`batchSize ${c.batchSize} → ${batchSize}`);
  const config: SerHyperParameters = {
    lr: fit('lr', c.optimizer.lr),
    weightDecay: fit('weightDecay', c.optimizer.weightDecay),
    convDropout: fit('convDropout', c.architecture.convDropout),
    lstmDropout: fit('lstmDropout', c.architecture.lstmDropout),
    headDropout: fit('headDropout', c.architecture.headDropout),
    lstmHidden: fit('lstmHidden', c.architecture.lstmHidden),
    convWidth: 1,
    batchSize,
    noiseP: fit('noiseP', p),
    snrLowDb: fit('snrLowDb', snr[0]),
    snrHighDb: fit('snrHighDb', snr[1]),
  };
  return { config, clamped };
}
