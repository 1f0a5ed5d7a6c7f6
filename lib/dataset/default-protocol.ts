/**
 * The project's default speaker-independent protocol:
 *
 * | corpus  | train          | validation         | test (never used for tuning) |
 * | ------- | -------------- | ------------------ | ---------------------------- |
 * | RAVDESS | actors 01-16   | actors 17-20       | actors 21-24                 |
 * | SAVEE   | DC             | JE                 | JK, KL                       |
 *
 * Test speakers go to `test` whenever they are present. If a corpus lacks its named train or
 * validation speakers (e.g. the synthetic demo corpus in RAVDESS layout with actors 01-08), or is
 * any other corpus, the last ~25% of its speakers in natural id order go to validation (at least
 * one), swapping in the last speaker of a missing gender so that both genders are held out when
 * the corpus has both and at least two speakers are held out. A corpus with a single speaker stays
 * in train, with a warning.
 */
import { naturalCompare } from './order';
import type { SplitName } from './splits';
import type { DatasetItem, Gender } from './types';

const range = (corpus: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${corpus}:${String(from + i).padStart(2, '0')}`);

export const DEFAULT_PROTOCOL: Readonly<Record<string, Readonly<Record<SplitName, readonly string[]>>>> = {
  ravdess: { train: range('ravdess', 1, 16), validation: range('ravdess', 17, 20), test: range('ravdess', 21, 24) },
  savee: { train: ['savee:DC'], validation: ['savee:JE'], test: ['savee:JK', 'savee:KL'] },
};

/** Share of a corpus's speakers held out for validation when it has no named protocol. */
const HOLDOUT_SHARE = 0.25;

export function defaultAssignment(items: readonly DatasetItem[]): { assign: Map<string, SplitName>; warnings: string[] } {
  const assign = new Map<string, SplitName>();
  const warnings: string[] = [];
  const gender = new Map<string, Gender>();
  const byCorpus = new Map<string, Set<string>>();
  for (const it of items) {
    if (it.gender && !gender.has(it.speaker)) gender.set(it.speaker, it.gender);
    const set = byCorpus.get(it.corpus) ?? new Set<string>();
    set.add(it.speaker);
    byCorpus.set(it.corpus, set);
  }
  for (const [corpus, set] of byCorpus) {
    const speakers = [...set].sort(naturalCompare);
    const rule = DEFAULT_PROTOCOL[corpus];
    let rest = speakers;
    if (rule) {
      for (const s of speakers) if (rule.test.includes(s)) assign.set(s, 'test');
      rest = speakers.filter((s) => !rule.test.includes(s));
      if (rest.some((s) => rule.validation.includes(s)) && rest.some((s) => rule.train.includes(s))) {
        // Speakers outside the table (e.g. a 25th RAVDESS actor) train.
        for (const s of rest) assign.set(s, rule.validation.includes(s) ? 'validation' : 'train');
        continue;
      }
    }
    if (rest.length === 0) continue;
    if (rest.length === 1) {
      assign.set(rest[0], 'train');
      warnings.push(`${corpus} has a single speaker (${rest[0]}), kept in train: no speaker-independent validation for this corpus`);
      continue;
    }
    const held = holdOut(rest, gender);
    for (const s of rest) assign.set(s, held.includes(s) ? 'validation' : 'train');
  }
  return { assign, warnings };
}

/** Last ~25% by id, adjusted so that both genders are represented when possible. */
function holdOut(speakers: readonly string[], gender: ReadonlyMap<string, Gender>): string[] {
  const n = Math.max(1, Math.round(speakers.length * HOLDOUT_SHARE));
  const held = speakers.slice(-n);
  const train = speakers.slice(0, -n);
  if (n < 2) return held;
  for (const g of ['male', 'female'] as const) {
    if (held.some((s) => gender.get(s) === g)) continue;
    const incoming = [...train].reverse().find((s) => gender.get(s) === g);
    if (!incoming) continue;
    // Give up the lowest-id held speaker of a gender that is held more than once (or of unknown gender).
    const counts = (x: Gender | undefined): number => held.filter((s) => gender.get(s) === x).length;
    const outgoing = held.find((s) => gender.get(s) === undefined) ?? held.find((s) => counts(gender.get(s)) > 1);
    if (!outgoing) continue;
    held.splice(held.indexOf(outgoing), 1, incoming);
    train.splice(train.indexOf(incoming), 1, outgoing);
  }
  return held.sort(naturalCompare);
}
