// The SER search space: which training hyper-parameters `optimize` tunes, over which ranges, and how a decoded
// point becomes train() config overrides on top of the run's fixed part (the recipe, plus any --config).
import { encode, type ConfigOf, type Space } from '../hpo/space';
import * as is from '../is';
import { DEFAULT_ARCHITECTURE, type DeepPartial, resolveTrainConfig, type TrainConfig } from '../model/config';

/**
 * Bumped whenever SER_SPACE's dimensions, ranges or values change. A run records it in state.json and
 * result.json: an optimizer checkpoint holds positions in the cube, which mean other configurations in another
 * space, so a run resumes only under its own version (run-state.ts); --warm-start carries configurations over
 * (warm-start.ts). 1: the 11 dimensions up to convWidth, batchSize and noise; 2: the recipe levers added.
 */
export const SER_SPACE_VERSION = 2;

/**
 * Ranges after the paper's search (Adam lr, dropouts, LSTM size, batch) plus width, weight decay and noise, then
 * the recipe's levers (version 2). Not searched: epochs. A candidate's training length is the fidelity of
 * successive halving (the rung's epochs, then --epochs-per-eval; the final model --final-epochs), so a searched
 * epoch count would either be overridden by the rung or make candidates' costs differ, which the epoch budget
 * and the halving (equal cost per rung) do not allow; and longer almost always scores better at this length.
 */
export const SER_SPACE = {
  lr: { type: 'float', min: 1e-4, max: 3e-3, log: true },
  weightDecay: { type: 'float', min: 1e-6, max: 1e-2, log: true },
  convDropout: { type: 'float', min: 0, max: 0.5 },
  lstmDropout: { type: 'float', min: 0, max: 0.5 },
  headDropout: { type: 'float', min: 0, max: 0.6 },
  lstmHidden: { type: 'int', min: 32, max: 256, log: true },
  /** Multiplier of the conv channels (the default recipe's, or the fixed part's channels). */
  convWidth: { type: 'choice', values: [0.5, 1, 1.5, 2], ordered: true },
  batchSize: { type: 'choice', values: [16, 32, 64], ordered: true },
  /** On-the-fly white noise: probability a clip is noised in an epoch, and its SNR range in dB. */
  noiseP: { type: 'float', min: 0, max: 1 },
  // Disjoint ranges keep low <= high for every point (a sorted pair would make two points mean the same).
  snrLowDb: { type: 'float', min: 0, max: 15 },
  snrHighDb: { type: 'float', min: 15, max: 40 },
  // The recipe levers (version 2): each is searched unless the fixed part sets it (LEVERS below).
  /** architecture.pooling: how the LSTM's outputs over time become one vector. Unordered (TPE: a category). */
  pooling: { type: 'choice', values: ['mean', 'last', 'attention'] },
  /** features.utteranceStd: divide by the utterance's per-mel std too (per-utterance CMVN). */
  utteranceStd: { type: 'choice', values: [false, true] },
  /** features.speechStats: the utterance's statistics from its speech frames only. */
  speechStats: { type: 'choice', values: [false, true] },
  /**
   * features.speakerNorm: share of training entries normalised with their speaker's statistics. Not 1: the
   * fitness is the lone-clip UAR (each clip's own statistics, what predict() gives one clip), on which a
   * network trained only on speaker statistics is near chance (lib/train/validation.ts).
   */
  speakerNorm: { type: 'choice', values: [0, 0.5], ordered: true },
  /** features.clipSeconds: training crop and evaluation window, s (the default recipe's 3 among them). */
  clipSeconds: { type: 'choice', values: [1.5, 2, 3, 4], ordered: true },
  /** mixupAlpha: Beta(α, α) mixing of pairs of clips; 0 = off (the default). */
  mixupAlpha: { type: 'choice', values: [0, 0.1, 0.2, 0.4], ordered: true },
  /** SpecAugment strength: that many frequency and time masks each (widths: the recipe's); the default is 1. */
  specAugmentMasks: { type: 'int', min: 0, max: 3 },
} as const satisfies Space;

export type SerSpace = typeof SER_SPACE;

/**
 * The recipe levers and the TrainConfig paths each sets. Where the fixed part (--config) sets one of those
 * paths, the fixed value wins: the dimension is left out of the run's space (runSpace), not searched.
 * The normalisation levers need features.utteranceNorm, so a fixed `utteranceNorm: false` leaves them out too.
 */
const LEVERS = {
  pooling: ['architecture.pooling'],
  utteranceStd: ['features.utteranceStd', 'features.utteranceNorm=false'],
  speechStats: ['features.speechStats', 'features.utteranceNorm=false'],
  speakerNorm: ['features.speakerNorm', 'features.utteranceNorm=false'],
  clipSeconds: ['features.clipSeconds'],
  mixupAlpha: ['mixupAlpha'],
  specAugmentMasks: ['specAugment.freqMasks', 'specAugment.timeMasks'],
} as const satisfies { [K in keyof SerSpace]?: readonly string[] };

export type SerLever = keyof typeof LEVERS;
type FullPoint = ConfigOf<SerSpace>;
/** One point of a run's space, as decoded: { lr, ..., snrHighDb, pooling, ... }, without the levers the fixed part sets. */
export type SerHyperParameters = Omit<FullPoint, SerLever> & Partial<Pick<FullPoint, SerLever>>;

function valueAt(o: Record<string, unknown>, p: string): unknown {
  let v: unknown = o;
  for (const k of p.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The fixed part's path that takes lever `name` out of the search, or null when it is searched. */
function fixedBy(fixed: DeepPartial<TrainConfig>, name: SerLever): string | null {
  for (const entry of LEVERS[name] as readonly string[]) {
    const [p, only] = entry.split('=');
    const v = valueAt(fixed as Record<string, unknown>, p);
    if (v !== undefined && (only === undefined || String(v) === only)) return p;
  }
  return null;
}

/** The levers the fixed part sets, each with the path that sets it (they are not searched). */
export function fixedLevers(fixed: DeepPartial<TrainConfig> = {}): { name: SerLever; by: string }[] {
  return (Object.keys(LEVERS) as SerLever[]).flatMap((name) => {
    const by = fixedBy(fixed, name);
    return by === null ? [] : [{ name, by }];
  });
}

/** The space a run searches: SER_SPACE without the levers its fixed part sets (validate the fixed part first). */
export function runSpace(fixed: DeepPartial<TrainConfig> = {}): Space {
  const out: Record<string, SerSpace[keyof SerSpace]> = { ...SER_SPACE };
  for (const { name } of fixedLevers(fixed)) delete out[name];
  return out;
}

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
 * the field when the point is not in the run's space (e.g. `config.batchSize`, or a lever the fixed part
 * sets) or the result is not a valid recipe.
 */
export function configToOverrides(config: SerHyperParameters, fixed: DeepPartial<TrainConfig> = {}): DeepPartial<TrainConfig> {
  const base = validateFixed(fixed);
  const c = is.plainObject('config', config) as SerHyperParameters & Record<string, unknown>;
  for (const { name, by } of fixedLevers(base)) {
    if (c[name] !== undefined) throw is.invalidArgument(`config.${name} is not searched in this run: fixed.${by} sets it (the fixed part wins); remove config.${name}`);
  }
  const space = runSpace(base);
  encode(space, c); // every dimension present, numeric and in range, choices among the values
  is.knownKeys('config', c, Object.keys(space));
  const channels = (base.architecture?.channels ?? DEFAULT_ARCHITECTURE.channels) as number[];
  const features: DeepPartial<TrainConfig['features']> = {};
  if (c.utteranceStd !== undefined) features.utteranceStd = c.utteranceStd;
  if (c.speechStats !== undefined) features.speechStats = c.speechStats;
  if (c.speakerNorm !== undefined) features.speakerNorm = c.speakerNorm;
  if (c.clipSeconds !== undefined) features.clipSeconds = c.clipSeconds;
  const searched: DeepPartial<TrainConfig> = {
    optimizer: { lr: c.lr, weightDecay: c.weightDecay },
    architecture: {
      convDropout: c.convDropout,
      lstmDropout: c.lstmDropout,
      headDropout: c.headDropout,
      lstmHidden: c.lstmHidden,
      channels: channels.map((ch) => Math.max(1, Math.round(ch * c.convWidth))),
      ...(c.pooling !== undefined ? { pooling: c.pooling } : {}),
    },
    batchSize: c.batchSize,
    noise: { kind: 'onTheFly', p: c.noiseP, snrDb: [c.snrLowDb, c.snrHighDb] },
    ...(Object.keys(features).length > 0 ? { features } : {}),
    ...(c.mixupAlpha !== undefined ? { mixupAlpha: c.mixupAlpha } : {}),
    ...(c.specAugmentMasks !== undefined ? { specAugment: { freqMasks: c.specAugmentMasks, timeMasks: c.specAugmentMasks } } : {}),
  };
  const overrides = deepMerge(base as Record<string, unknown>, searched as Record<string, unknown>) as DeepPartial<TrainConfig>;
  resolveTrainConfig(overrides);
  return overrides;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The point of the run's space that reproduces the recipe the run starts from (the default recipe with the fixed
 * part, i.e. --config, applied), so the search evaluates it and never returns something worse on its own fitness.
 * Values outside the space are clamped into it (noted in `clamped`); a noise schedule other than on-the-fly
 * becomes its nearest on-the-fly equivalent (none: p = 0). convWidth 1 keeps the recipe's channels. Levers the
 * fixed part sets are not in the point (the fixed part gives them).
 */
export function recipePoint(fixed: DeepPartial<TrainConfig> = {}): { config: SerHyperParameters; clamped: string[] } {
  const base = validateFixed(fixed);
  const c = resolveTrainConfig(base as DeepPartial<TrainConfig>);
  const clamped: string[] = [];
  const fit = (name: keyof SerHyperParameters, v: number): number => {
    const d = SER_SPACE[name] as { min: number; max: number; type: string };
    const out = clamp(d.type === 'int' ? Math.round(v) : v, d.min, d.max);
    if (out !== v) clamped.push(`${name} ${v} → ${out}`);
    return out;
  };
  const nearest = <K extends 'batchSize' | 'speakerNorm' | 'clipSeconds' | 'mixupAlpha'>(name: K, v: number): number => {
    const values = SER_SPACE[name].values as readonly number[];
    const out = values.reduce((a, b) => (Math.abs(b - v) < Math.abs(a - v) ? b : a));
    if (out !== v) clamped.push(`${name} ${v} → ${out}`);
    return out;
  };
  const n = c.noise;
  const p = n.kind === 'onTheFly' ? n.p : n.kind === 'curriculum' ? (n.p ?? 1) : n.kind === 'static' ? 1 : 0;
  const snr: [number, number] = n.kind === 'onTheFly' ? n.snrDb : n.kind === 'curriculum' ? [n.end[0], n.end[1]] : n.kind === 'static' ? [Math.min(...n.snrsDb), Math.max(...n.snrsDb)] : [10, 30];
  if (n.kind !== 'onTheFly' && n.kind !== 'none') clamped.push(`noise ${n.kind} → onTheFly`);
  const config: SerHyperParameters = {
    lr: fit('lr', c.optimizer.lr),
    weightDecay: fit('weightDecay', c.optimizer.weightDecay),
    convDropout: fit('convDropout', c.architecture.convDropout),
    lstmDropout: fit('lstmDropout', c.architecture.lstmDropout),
    headDropout: fit('headDropout', c.architecture.headDropout),
    lstmHidden: fit('lstmHidden', c.architecture.lstmHidden),
    convWidth: 1,
    batchSize: nearest('batchSize', c.batchSize) as SerHyperParameters['batchSize'],
    noiseP: fit('noiseP', p),
    snrLowDb: fit('snrLowDb', snr[0]),
    snrHighDb: fit('snrHighDb', snr[1]),
  };
  // A lever the fixed part does not set has the default recipe's value, which is in the space.
  const levers: { [K in SerLever]: () => FullPoint[K] } = {
    pooling: () => c.architecture.pooling,
    utteranceStd: () => c.features.utteranceStd,
    speechStats: () => c.features.speechStats,
    speakerNorm: () => nearest('speakerNorm', c.features.speakerNorm) as FullPoint['speakerNorm'],
    clipSeconds: () => nearest('clipSeconds', c.features.clipSeconds) as FullPoint['clipSeconds'],
    mixupAlpha: () => nearest('mixupAlpha', c.mixupAlpha) as FullPoint['mixupAlpha'],
    // Neither count is fixed when this lever is searched, so both are the default's.
    specAugmentMasks: () => fit('specAugmentMasks', c.specAugment.freqMasks),
  };
  const searched = runSpace(base);
  for (const name of Object.keys(levers) as SerLever[]) if (name in searched) (config as Record<string, unknown>)[name] = levers[name]();
  return { config, clamped };
}
