/**
 * Noise-augmentation schedules over training epochs, as plain data plus pure functions.
 *
 * - `none`: every clip clean.
 * - `static`: each clip plus k noisy copies at fixed SNRs; the noise of a copy is the same in every
 *   epoch, like augmenting the data set once offline.
 * - `onTheFly`: each epoch, each clip is noised with probability p at an SNR drawn uniformly from
 *   [lo, hi], with a fresh noise realisation.
 * - `curriculum`: like onTheFly, but the SNR range moves linearly from `start` at epoch 0 to `end`
 *   at the last epoch (typically from easy, high SNR, to hard, low SNR).
 *
 * planEpoch() turns a schedule into per-item decisions that depend only on (seed, epoch, item), so
 * a resumed or re-sharded run makes exactly the same choices.
 */
import { SerNativeError } from '../errors';
import { deriveSeed, Rng } from '../random';

/** An SNR interval in dB, [lo, hi] with lo <= hi. */
export type SnrRange = [number, number];

export interface NoNoise {
  kind: 'none';
}
export interface StaticNoise {
  kind: 'static';
  /** SNRs of the noisy copies; copy c (1-based) uses snrsDb[(c - 1) % snrsDb.length]. */
  snrsDb: number[];
  /** Noisy copies per clip (default snrsDb.length). */
  copies?: number;
  /** Also train on the clean clip (default true). */
  keepClean?: boolean;
}
export interface OnTheFlyNoise {
  kind: 'onTheFly';
  /** Probability that a clip is noised in a given epoch. */
  p: number;
  snrDb: SnrRange;
}
export interface CurriculumNoise {
  kind: 'curriculum';
  /** Probability that a clip is noised in a given epoch (default 1). */
  p?: number;
  /** SNR range at epoch 0. */
  start: SnrRange;
  /** SNR range at the last epoch. */
  end: SnrRange;
}
export type NoiseSchedule = NoNoise | StaticNoise | OnTheFlyNoise | CurriculumNoise;

export interface EpochContext {
  /** Run seed. */
  seed: number;
  /** 0-based epoch. */
  epoch: number;
  /** Number of training clips. */
  numItems: number;
  /** Total epochs of the run (sets the curriculum's pace). */
  numEpochs: number;
}

export interface AugmentDecision {
  /** Index of the training clip. */
  item: number;
  /** 0 for the clip itself; 1..k for static noisy copies. */
  copy: number;
  /** Target SNR in dB, or null to keep the clip clean. */
  snrDb: number | null;
  /** Seed for this entry's noise (also suitable for its other randomness, e.g. a random crop). */
  noiseSeed: number;
}

/** A noise schedule that is not valid (from a config file or the command line): code ERR_ARGUMENT, naming the field. */
export class ScheduleError extends SerNativeError {
  constructor(message: string) {
    super('ERR_ARGUMENT', message);
    this.name = 'ScheduleError';
  }
}

// Tags keep the seed streams of different uses apart.
const TAG_DECISION = 0x5eed0001;
const TAG_NOISE = 0x5eed0002;
const TAG_STATIC = 0x5eed0003;

const KEYS: Record<NoiseSchedule['kind'], string[]> = {
  none: ['kind'],
  static: ['kind', 'snrsDb', 'copies', 'keepClean'],
  onTheFly: ['kind', 'p', 'snrDb'],
  curriculum: ['kind', 'p', 'start', 'end'],
};

function fail(where: string, message: string): never {
  throw new ScheduleError(`${where}: ${message}`);
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, `expected a finite number, got ${show(value)}`);
  return value;
}

function probability(value: unknown, where: string): number {
  const p = finite(value, where);
  if (p < 0 || p > 1) fail(where, `expected a probability in [0, 1], got ${p}`);
  return p;
}

function range(value: unknown, where: string): SnrRange {
  if (!Array.isArray(value) || value.length !== 2) fail(where, `expected [lo, hi] in dB, got ${show(value)}`);
  const lo = finite(value[0], `${where}[0]`);
  const hi = finite(value[1], `${where}[1]`);
  if (lo > hi) fail(where, `expected lo <= hi, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** Check an untrusted schedule (e.g. from JSON) and return a normalised copy; throws ScheduleError. */
export function validateSchedule(value: unknown, where = 'schedule'): NoiseSchedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, `expected an object, got ${show(value)}`);
  const obj = value as Record<string, unknown>;
  const kind = obj.kind;
  if (typeof kind !== 'string' || !(kind in KEYS)) {
    // Name the fields no schedule has too: { probability: 2 } is a typo more often than a missing kind.
    const fields = [...new Set(Object.values(KEYS).flat())];
    const foreign = Object.keys(obj).filter((k) => !fields.includes(k));
    const also = foreign.length > 0 ? `; ${foreign.map((k) => `${where}.${k}`).join(', ')} ${foreign.length === 1 ? 'is not a field' : 'are not fields'} of any schedule (fields: ${fields.join(', ')})` : '';
    fail(`${where}.kind`, `expected one of ${Object.keys(KEYS).join(', ')}, got ${show(kind)}${also}`);
  }
  const allowed = KEYS[kind as NoiseSchedule['kind']];
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${where}.${key}`, `unknown field for a '${kind}' schedule (allowed: ${allowed.join(', ')})`);
  }
  switch (kind as NoiseSchedule['kind']) {
    case 'none':
      return { kind: 'none' };
    case 'static': {
      if (!Array.isArray(obj.snrsDb) || obj.snrsDb.length === 0) fail(`${where}.snrsDb`, `expected a non-empty array of SNRs in dB, got ${show(obj.snrsDb)}`);
      const snrsDb = obj.snrsDb.map((v, i) => finite(v, `${where}.snrsDb[${i}]`));
      const copies = obj.copies === undefined ? snrsDb.length : finite(obj.copies, `${where}.copies`);
      if (!Number.isInteger(copies) || copies < 1) fail(`${where}.copies`, `expected a positive integer, got ${copies}`);
      if (obj.keepClean !== undefined && typeof obj.keepClean !== 'boolean') fail(`${where}.keepClean`, `expected true or false, got ${show(obj.keepClean)}`);
      return { kind: 'static', snrsDb, copies, keepClean: obj.keepClean ?? true };
    }
    case 'onTheFly':
      return { kind: 'onTheFly', p: probability(obj.p, `${where}.p`), snrDb: range(obj.snrDb, `${where}.snrDb`) };
    case 'curriculum':
      return {
        kind: 'curriculum',
        p: obj.p === undefined ? 1 : probability(obj.p, `${where}.p`),
        start: range(obj.start, `${where}.start`),
        end: range(obj.end, `${where}.end`),
      };
  }
}

const NUM = String.raw`-?\d+(?:\.\d+)?`;
const RANGE = String.raw`(${NUM})\.\.(${NUM})`;

/**
 * Parse the command-line form of a schedule:
 *   none | static:20,10,5[x6][,noclean] | onTheFly:0.5:5..20 | curriculum[:0.8]:30..40->0..10
 */
export function parseSchedule(spec: string): NoiseSchedule {
  const s = spec.trim();
  const bad = (why: string): never =>
    fail(`noise schedule '${spec}'`, `${why} (forms: none | static:20,10[x4][,noclean] | onTheFly:P:LO..HI | curriculum[:P]:LO..HI->LO..HI)`);
  if (s === 'none') return { kind: 'none' };
  let m = new RegExp(`^static:((?:${NUM})(?:,${NUM})*)(?:x(\\d+))?(,noclean)?$`).exec(s);
  if (m) {
    return validateSchedule({
      kind: 'static',
      snrsDb: m[1].split(',').map(Number),
      ...(m[2] ? { copies: Number(m[2]) } : {}),
      keepClean: !m[3],
    });
  }
  m = new RegExp(`^(?:onTheFly|otf):(${NUM}):${RANGE}$`).exec(s);
  if (m) return validateSchedule({ kind: 'onTheFly', p: Number(m[1]), snrDb: [Number(m[2]), Number(m[3])] });
  m = new RegExp(`^curriculum(?::(${NUM}))?:${RANGE}->${RANGE}$`).exec(s);
  if (m) {
    return validateSchedule({
      kind: 'curriculum',
      ...(m[1] ? { p: Number(m[1]) } : {}),
      start: [Number(m[2]), Number(m[3])],
      end: [Number(m[4]), Number(m[5])],
    });
  }
  return bad('not understood');
}

/** Entries per clip in one epoch's plan (1, or 1 + copies / copies for static). */
export function entriesPerItem(schedule: NoiseSchedule): number {
  if (schedule.kind !== 'static') return 1;
  return (schedule.copies ?? schedule.snrsDb.length) + (schedule.keepClean === false ? 0 : 1);
}

/** The SNR range drawn from at `epoch`, or null for schedules without one (none, static). */
export function snrRangeAt(schedule: NoiseSchedule, epoch: number, numEpochs: number): SnrRange | null {
  if (schedule.kind === 'onTheFly') return [schedule.snrDb[0], schedule.snrDb[1]];
  if (schedule.kind !== 'curriculum') return null;
  // A one-epoch run stays at the start of the curriculum.
  const t = numEpochs > 1 ? Math.min(1, Math.max(0, epoch / (numEpochs - 1))) : 0;
  const lerp = (a: number, b: number): number => a + (b - a) * t;
  return [lerp(schedule.start[0], schedule.end[0]), lerp(schedule.start[1], schedule.end[1])];
}

function checkContext(ctx: EpochContext): void {
  const { seed, epoch, numItems, numEpochs } = ctx;
  if (!Number.isFinite(seed)) fail('planEpoch', `seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(numItems) || numItems < 0) fail('planEpoch', `numItems must be an integer >= 0, got ${numItems}`);
  if (!Number.isInteger(numEpochs) || numEpochs < 1) fail('planEpoch', `numEpochs must be an integer >= 1, got ${numEpochs}`);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= numEpochs) fail('planEpoch', `epoch must be an integer in [0, ${numEpochs - 1}], got ${epoch}`);
}

/**
 * The augmentation decisions of one epoch, item-major (item 0's entries first). Each decision
 * depends only on (seed, epoch, item) and the schedule, never on numItems or on other items.
 */
export function planEpoch(schedule: NoiseSchedule, ctx: EpochContext): AugmentDecision[] {
  const s = validateSchedule(schedule);
  checkContext(ctx);
  const { seed, epoch, numItems, numEpochs } = ctx;
  const out: AugmentDecision[] = [];
  if (s.kind === 'static') {
    const copies = s.copies ?? s.snrsDb.length;
    for (let item = 0; item < numItems; item++) {
      if (s.keepClean !== false) out.push({ item, copy: 0, snrDb: null, noiseSeed: deriveSeed(seed, TAG_NOISE, epoch, item) });
      for (let c = 1; c <= copies; c++) {
        // No epoch in the seed: a static copy is the same noisy clip every epoch.
        out.push({ item, copy: c, snrDb: s.snrsDb[(c - 1) % s.snrsDb.length], noiseSeed: deriveSeed(seed, TAG_STATIC, item, c) });
      }
    }
    return out;
  }
  const snrRange = snrRangeAt(s, epoch, numEpochs);
  const p = s.kind === 'none' ? 0 : s.kind === 'curriculum' ? s.p ?? 1 : s.p;
  for (let item = 0; item < numItems; item++) {
    const noiseSeed = deriveSeed(seed, TAG_NOISE, epoch, item);
    let snrDb: number | null = null;
    if (snrRange && p > 0) {
      const rng = new Rng(deriveSeed(seed, TAG_DECISION, epoch, item));
      if (rng.chance(p)) snrDb = rng.uniform(snrRange[0], snrRange[1]);
    }
    out.push({ item, copy: 0, snrDb, noiseSeed });
  }
  return out;
}
