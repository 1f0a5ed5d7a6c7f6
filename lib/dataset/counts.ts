// Tallies of an index: per emotion, per speaker, per corpus × emotion.
import { EMOTIONS, type Emotion } from './emotions';
import { byCodePoint, naturalCompare } from './order';
import type { DatasetCounts, DatasetItem } from './types';

export function countItems(items: readonly DatasetItem[]): DatasetCounts {
  const bySpeaker: Record<string, number> = {};
  for (const s of [...new Set(items.map((i) => i.speaker))].sort(naturalCompare)) bySpeaker[s] = 0;
  for (const i of items) bySpeaker[i.speaker]++;
  const byCorpus: Record<string, Partial<Record<Emotion, number>>> = {};
  for (const c of [...new Set(items.map((i) => i.corpus))].sort(byCodePoint)) {
    byCorpus[c] = countByEmotion(items.filter((i) => i.corpus === c));
  }
  return { byEmotion: countByEmotion(items), bySpeaker, byCorpus };
}

/** emotion → count, canonical order, emotions with no items left out. */
export function countByEmotion(items: readonly DatasetItem[]): Partial<Record<Emotion, number>> {
  const tally = new Map<Emotion, number>();
  for (const i of items) tally.set(i.emotion, (tally.get(i.emotion) ?? 0) + 1);
  const out: Partial<Record<Emotion, number>> = {};
  for (const e of EMOTIONS) if (tally.has(e)) out[e] = tally.get(e);
  return out;
}
