/**
 * Train / validation / test splits of an index, deterministic by seed.
 *
 * Speaker-independent modes (speakers never straddle train and test; `protocol:
 * 'speaker-independent'`): `speakers` (named held-out speakers), `kfold` (k folds of whole
 * speakers), `loso` (leave one speaker out), `default` (the project's protocol, see
 * default-protocol.ts). Speaker-dependent mode (`protocol: 'speaker-dependent'`): `random`,
 * stratified by emotion — numbers from it are not comparable with speaker-independent ones, which
 * is why every split carries its protocol.
 *
 * Byte-identical duplicates never straddle splits: `kfold` and `random` move each duplicate group as
 * one unit; where speakers are named explicitly and a group spans speakers in different splits, the
 * copies outside the most held-out split (test > validation > train) are left out and listed in
 * `excluded`, so neither speakers nor recordings leak.
 */
import { EMOTIONS } from './emotions';
import { DatasetError } from './errors';
import { defaultAssignment } from './default-protocol';
import { byCodePoint, naturalCompare } from './order';
import { Rng } from '../random';
import { percent } from '../metrics/percent';
import type { ProtocolName } from '../metrics/protocol';
import type { DatasetItem, DuplicateGroup, SkippedFile } from './types';

export { DEFAULT_PROTOCOL, defaultAssignment } from './default-protocol';
export { formatSplitSpec, parseSplitSpec } from './split-spec';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

export type SplitSpec =
  | { mode: 'speakers'; test: string[]; validation?: string[] }
  | { mode: 'kfold'; k: number; fold: number; seed?: number }
  | { mode: 'loso'; speaker: string }
  | { mode: 'random'; testFraction: number; validationFraction?: number; seed?: number }
  | { mode: 'default' }
  /** Every speaker in training: no validation, no test (a final model trained on all the data). */
  | { mode: 'all' };

export interface SplitInput {
  items: readonly DatasetItem[];
  /** From `indexDataset`; without it duplicates cannot be kept together. */
  duplicates?: readonly DuplicateGroup[];
}

export interface SplitOptions {
  /** Seed for `kfold` and `random` when the spec has none. Default 0. */
  seed?: number;
}

export interface Split {
  spec: SplitSpec;
  protocol: ProtocolName;
  /** One line for reports, naming the protocol and the held-out speakers. */
  description: string;
  train: DatasetItem[];
  validation: DatasetItem[];
  test: DatasetItem[];
  /** Speakers with items in each split (natural order). */
  speakers: Record<SplitName, string[]>;
  /** Duplicate copies left out so that no recording is in two splits. */
  excluded: SkippedFile[];
  warnings: string[];
}

export function makeSplit(data: SplitInput, spec: SplitSpec, options: SplitOptions = {}): Split {
  if (data.items.length === 0) throw new DatasetError('cannot split an empty dataset; index some recordings first');
  const known = speakersOf(data.items);
  switch (spec.mode) {
    case 'speakers': {
      const test = resolveSpeakers(spec.test, known, 'test speakers');
      const validation = resolveSpeakers(spec.validation ?? [], known, 'validation speakers');
      const both = test.filter((s) => validation.includes(s));
      if (both.length > 0) throw new DatasetError(`speaker ${both.join(', ')} is listed for both test and validation; list it once`, 'ERR_ARGUMENT');
      if (test.length === 0 && validation.length === 0) throw new DatasetError('a speakers split needs at least one test or validation speaker, e.g. speakers:ravdess:17,ravdess:18 or speakers:/ravdess:19', 'ERR_ARGUMENT');
      const assign = new Map<string, SplitName>();
      test.forEach((s) => assign.set(s, 'test'));
      validation.forEach((s) => assign.set(s, 'validation'));
      const held = [test.length ? `test ${formatSpeakers(test)}` : '', validation.length ? `validation ${formatSpeakers(validation)}` : ''].filter((x) => x !== '');
      return bySpeaker(data, spec, assign, `speaker-independent, held-out speakers: ${held.join('; ')}`, []);
    }
    case 'loso': {
      const [speaker] = resolveSpeakers([spec.speaker], known, 'leave-one-speaker-out speaker');
      if (known.length < 2) throw new DatasetError(`leave-one-speaker-out needs at least 2 speakers; the dataset has only ${speaker}`);
      return bySpeaker(data, spec, new Map([[speaker, 'test']]), `speaker-independent, leave-one-speaker-out: test ${speaker}`, []);
    }
    case 'kfold':
      return kfold(data, spec, spec.seed ?? options.seed ?? 0, known);
    case 'random':
      return randomSplit(data, spec, spec.seed ?? options.seed ?? 0);
    case 'all':
      return bySpeaker(data, spec, new Map(), `every speaker in training (${known.length}): no validation, no test`, []);
    case 'default': {
      const { assign, warnings } = defaultAssignment(data.items);
      const list = (name: SplitName): string => formatSpeakers(known.filter((s) => assign.get(s) === name)) || 'none';
      return bySpeaker(data, spec, assign, `speaker-independent default protocol: train ${list('train')}; validation ${list('validation')}; test ${list('test')}`, warnings);
    }
    default:
      throw new DatasetError(`unknown split mode '${(spec as { mode: string }).mode}'; use speakers, kfold, loso, random or default`, 'ERR_ARGUMENT');
  }
}

/** The project's default split (see default-protocol.ts). */
export function defaultSplit(data: SplitInput): Split {
  return makeSplit(data, { mode: 'default' });
}

/** Every fold of a k-fold-by-speaker cross-validation, fold 0 first. */
export function kfoldSplits(data: SplitInput, k: number, options: SplitOptions = {}): Split[] {
  return Array.from({ length: k }, (_, fold) => makeSplit(data, { mode: 'kfold', k, fold }, options));
}

export function speakersOf(items: readonly DatasetItem[]): string[] {
  return [...new Set(items.map((i) => i.speaker))].sort(naturalCompare);
}

/**
 * Match user-typed speaker ids to the dataset's: exact, then case-insensitive, then the same
 * corpus with an equal number (`ravdess:7` = `ravdess:07`).
 */
export function resolveSpeakers(names: readonly string[], known: readonly string[], what: string): string[] {
  return names.map((name) => {
    const exact = known.find((k) => k === name) ?? known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (exact) return exact;
    const m = /^(.*):(\d+)$/.exec(name);
    const numeric = m && known.find((k) => k.startsWith(`${m[1].toLowerCase()}:`) && /^\d+$/.test(k.slice(m[1].length + 1)) && Number(k.slice(m[1].length + 1)) === Number(m[2]));
    if (numeric) return numeric;
    const shown = known.length > 40 ? `${known.slice(0, 40).join(', ')}, ...` : known.join(', ');
    throw new DatasetError(`${what}: speaker '${name}' is not in the dataset; speakers are namespaced by corpus, e.g. ravdess:17. Known: ${shown}`);
  });
}

/** `ravdess:01, ravdess:02, ravdess:03, savee:DC` → `ravdess:01-03, savee:DC`. */
export function formatSpeakers(speakers: readonly string[]): string {
  const parts: string[] = [];
  let run: { prefix: string; from: string; to: string; n: number } | null = null;
  const flush = (): void => {
    if (run) parts.push(run.from === run.to ? `${run.prefix}${run.from}` : `${run.prefix}${run.from}-${run.to}`);
    run = null;
  };
  for (const s of [...speakers].sort(naturalCompare)) {
    const m = /^(.*:)(\d+)$/.exec(s);
    if (m && run && run.prefix === m[1] && Number(m[2]) === run.n + 1) {
      run.to = m[2];
      run.n++;
      continue;
    }
    flush();
    if (m) run = { prefix: m[1], from: m[2], to: m[2], n: Number(m[2]) };
    else parts.push(s);
  }
  flush();
  return parts.join(', ');
}

function bySpeaker(data: SplitInput, spec: SplitSpec, assign: ReadonlyMap<string, SplitName>, description: string, warnings: string[]): Split {
  const parts: Record<SplitName, DatasetItem[]> = { train: [], validation: [], test: [] };
  for (const item of data.items) parts[assign.get(item.speaker) ?? 'train'].push(item);
  const excluded = keepDuplicatesTogether(parts, data.duplicates ?? []);
  return finish(spec, 'speaker-independent', description, parts, excluded, warnings);
}

/** Leave out duplicate copies that sit outside the most held-out split of their group. */
function keepDuplicatesTogether(parts: Record<SplitName, DatasetItem[]>, groups: readonly DuplicateGroup[]): SkippedFile[] {
  const where = new Map<string, SplitName>();
  for (const name of SPLIT_NAMES) for (const it of parts[name]) where.set(it.path, name);
  const excluded: SkippedFile[] = [];
  const drop = new Set<string>();
  for (const g of groups) {
    const present = g.paths.filter((p) => where.has(p));
    const splits = new Set(present.map((p) => where.get(p)!));
    if (splits.size < 2) continue;
    const keep = splits.has('test') ? 'test' : 'validation';
    const kept = present.find((p) => where.get(p) === keep)!;
    for (const p of present) {
      if (where.get(p) === keep) continue;
      drop.add(p);
      excluded.push({ path: p, reason: `byte-identical to ${kept} in the ${keep} split; left out of ${where.get(p)} so the recording cannot leak` });
    }
  }
  if (drop.size > 0) for (const name of SPLIT_NAMES) parts[name] = parts[name].filter((it) => !drop.has(it.path));
  return excluded;
}

/** Union-find: items (or speakers) linked by duplicates form one unit that moves as a whole. */
function linkedUnits<T extends string>(keys: readonly T[], links: readonly (readonly T[])[]): T[][] {
  const parent = new Map<T, T>(keys.map((k) => [k, k]));
  const root = (k: T): T => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  for (const link of links) {
    const present = link.filter((k) => parent.has(k));
    for (const k of present.slice(1)) parent.set(root(k), root(present[0]));
  }
  const units = new Map<T, T[]>();
  for (const k of keys) {
    const r = root(k);
    const u = units.get(r);
    if (u) u.push(k);
    else units.set(r, [k]);
  }
  return [...units.values()];
}

function kfold(data: SplitInput, spec: Extract<SplitSpec, { mode: 'kfold' }>, seed: number, known: string[]): Split {
  const { k, fold } = spec;
  if (!Number.isInteger(k) || k < 2) throw new DatasetError(`k-fold needs an integer k >= 2, got ${k} (e.g. kfold:5:0)`, 'ERR_ARGUMENT');
  if (!Number.isInteger(fold) || fold < 0 || fold >= k) throw new DatasetError(`k-fold fold must be an integer from 0 to ${k - 1}, got ${fold}`, 'ERR_ARGUMENT');
  // Speakers sharing a duplicate recording are one unit, so the duplicate cannot straddle folds.
  const speakerOf = new Map(data.items.map((i) => [i.path, i.speaker]));
  const links = (data.duplicates ?? []).map((g) => g.paths.filter((p) => speakerOf.has(p)).map((p) => speakerOf.get(p)!));
  const units = linkedUnits(known, links).map((u) => u.sort(naturalCompare)).sort((a, b) => naturalCompare(a[0], b[0]));
  if (units.length < k) throw new DatasetError(`k-fold by speaker needs at least k=${k} speakers; the dataset has ${units.length} speaker group(s). Use a smaller k`);
  const size = new Map<string, number>();
  for (const i of data.items) size.set(i.speaker, (size.get(i.speaker) ?? 0) + 1);
  const unitSize = (u: string[]): number => u.reduce((n, s) => n + size.get(s)!, 0);
  // Shuffle, then place the largest units first into the emptiest fold: folds of similar size.
  const order = new Rng(seed).shuffled(units).map((u, i) => ({ u, i, n: unitSize(u) }));
  order.sort((a, b) => b.n - a.n || a.i - b.i);
  const load = new Array<number>(k).fill(0);
  const assign = new Map<string, SplitName>();
  for (const { u, n } of order) {
    const f = load.indexOf(Math.min(...load));
    load[f] += n;
    if (f === fold) u.forEach((s) => assign.set(s, 'test'));
  }
  const test = known.filter((s) => assign.get(s) === 'test');
  return bySpeaker(data, spec, assign, `speaker-independent ${k}-fold by speaker, fold ${fold} (seed ${seed}): test ${formatSpeakers(test)}`, []);
}

function randomSplit(data: SplitInput, spec: Extract<SplitSpec, { mode: 'random' }>, seed: number): Split {
  const t = spec.testFraction;
  const v = spec.validationFraction ?? 0;
  if (!(t > 0 && t < 1)) throw new DatasetError(`random split: test fraction must be between 0 and 1 (exclusive), got ${t} (e.g. random:0.2)`, 'ERR_ARGUMENT');
  if (!(v >= 0 && t + v < 1)) throw new DatasetError(`random split: validation fraction must be >= 0 and leave room for training (test + validation < 1), got ${v}`, 'ERR_ARGUMENT');
  const items = [...data.items].sort((a, b) => byCodePoint(a.path, b.path));
  const byPath = new Map(items.map((i) => [i.path, i]));
  const units = linkedUnits(
    items.map((i) => i.path),
    (data.duplicates ?? []).map((g) => g.paths),
  ).map((u) => u.map((p) => byPath.get(p)!));
  const random = new Rng(seed);
  const parts: Record<SplitName, DatasetItem[]> = { train: [], validation: [], test: [] };
  // Stratify: each emotion is split in the same proportions (a duplicate group counts under its first item's emotion).
  for (const emotion of EMOTIONS) {
    const mine = units.filter((u) => u[0].emotion === emotion);
    const total = mine.reduce((n, u) => n + u.length, 0);
    const want = { test: Math.round(total * t), validation: Math.round(total * v) };
    const got = { test: 0, validation: 0 };
    for (const u of random.shuffled(mine)) {
      const name: SplitName = got.test < want.test ? 'test' : got.validation < want.validation ? 'validation' : 'train';
      if (name !== 'train') got[name] += u.length;
      parts[name].push(...u);
    }
  }
  const order = new Map(data.items.map((it, i) => [it.path, i]));
  for (const name of SPLIT_NAMES) parts[name].sort((a, b) => order.get(a.path)! - order.get(b.path)!);
  return finish(
    spec,
    'speaker-dependent',
    `speaker-dependent stratified random split by emotion: test ${percent(t)}${v ? `, validation ${percent(v)}` : ''} (seed ${seed}); the same speakers are in train and test`,
    parts,
    [],
    [],
  );
}

function finish(spec: SplitSpec, protocol: ProtocolName, description: string, parts: Record<SplitName, DatasetItem[]>, excluded: SkippedFile[], warnings: string[]): Split {
  return {
    spec,
    protocol,
    description,
    ...parts,
    speakers: { train: speakersOf(parts.train), validation: speakersOf(parts.validation), test: speakersOf(parts.test) },
    excluded,
    warnings,
  };
}
