// The real RAVDESS and SAVEE recordings in ../shared/data (see its README.md); skipped when absent.
import * as path from 'path';
import { indexDataset } from '../../../lib/dataset/index-dataset';
import { defaultSplit, kfoldSplits, makeSplit, formatSpeakers, type Split } from '../../../lib/dataset/splits';
import type { IndexResult } from '../../../lib/dataset/types';
import { HAVE_SHARED_DATA, SHARED_DATA } from './tree';

if (!HAVE_SHARED_DATA) {
  console.warn(`Skipping the real-recording dataset tests: ${SHARED_DATA} (ravdess/, savee/) is not on this machine.`);
}
const describeData = HAVE_SHARED_DATA ? describe : describe.skip;

const OTHER = ['calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;

describeData(`real recordings in ${SHARED_DATA}`, () => {
  const ravdess = path.join(SHARED_DATA, 'ravdess');
  const savee = path.join(SHARED_DATA, 'savee');
  let index: IndexResult;

  beforeAll(async () => {
    index = await indexDataset([ravdess, savee]);
  });

  it('indexes 1200 RAVDESS + 240 SAVEE recordings with nothing skipped', () => {
    expect(index.items).toHaveLength(1440);
    expect(index.items.filter((i) => i.corpus === 'ravdess')).toHaveLength(1200);
    expect(index.items.filter((i) => i.corpus === 'savee')).toHaveLength(240);
    expect(index.skipped).toEqual([]);
  });

  it('RAVDESS: 20 actors × 60; 80 neutral and 160 of each other class; odd actors male', () => {
    const actors = Object.entries(index.counts.bySpeaker).filter(([s]) => s.startsWith('ravdess:'));
    expect(actors.map(([s]) => s)).toEqual(Array.from({ length: 20 }, (_, i) => `ravdess:${String(i + 1).padStart(2, '0')}`));
    for (const [, n] of actors) expect(n).toBe(60);
    expect(index.counts.byCorpus.ravdess).toEqual({ neutral: 80, ...Object.fromEntries(OTHER.map((e) => [e, 160])) });
    const r7 = index.items.filter((i) => i.speaker === 'ravdess:07');
    expect(new Set(r7.map((i) => i.gender))).toEqual(new Set(['male']));
    expect(new Set(index.items.filter((i) => i.speaker === 'ravdess:20').map((i) => i.gender))).toEqual(new Set(['female']));
    expect(new Set(index.items.filter((i) => i.corpus === 'ravdess').map((i) => i.vocalChannel))).toEqual(new Set(['speech']));
  });

  it('SAVEE: DC and JE, 120 each: 30 neutral and 15 of each other class (no calm)', () => {
    expect(index.counts.bySpeaker['savee:DC']).toBe(120);
    expect(index.counts.bySpeaker['savee:JE']).toBe(120);
    expect(index.counts.byCorpus.savee).toEqual({ neutral: 60, ...Object.fromEntries(OTHER.filter((e) => e !== 'calm').map((e) => [e, 30])) });
    for (const s of ['savee:DC', 'savee:JE']) {
      const mine = index.items.filter((i) => i.speaker === s);
      expect(mine.filter((i) => i.emotion === 'neutral')).toHaveLength(30);
      for (const e of OTHER.filter((x) => x !== 'calm')) expect(mine.filter((i) => i.emotion === e)).toHaveLength(15);
    }
  });

  it('finds the byte-identical pair in Actor_07, and only that', () => {
    expect(index.duplicates).toHaveLength(1);
    expect(index.duplicates[0].paths).toEqual(['03-01-03-01-02-01-07.wav', '03-01-03-01-02-02-07.wav'].map((f) => path.join(ravdess, 'Actor_07', f)));
    expect(index.duplicates[0].hash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('auto detection on the data root gives the same index', async () => {
    const root = await indexDataset([SHARED_DATA]);
    expect(root.items).toEqual(index.items);
  });

  describe('splits', () => {
    const noOverlap = (s: Split): void => {
      const train = new Set(s.train.map((i) => i.speaker));
      for (const i of [...s.validation, ...s.test]) expect(train.has(i.speaker)).toBe(false);
      const where = new Map<string, string>();
      for (const name of ['train', 'validation', 'test'] as const) for (const i of s[name]) where.set(i.path, name);
      for (const d of index.duplicates) expect(new Set(d.paths.map((p) => where.get(p))).size).toBe(1);
    };

    it('default protocol: train RAVDESS 01-16 + SAVEE DC, validation RAVDESS 17-20 + SAVEE JE', () => {
      const s = defaultSplit(index);
      expect(formatSpeakers(s.speakers.train)).toBe('ravdess:01-16, savee:DC');
      expect(formatSpeakers(s.speakers.validation)).toBe('ravdess:17-20, savee:JE');
      expect(s.test).toEqual([]);
      expect(s.train).toHaveLength(16 * 60 + 120);
      expect(s.validation).toHaveLength(4 * 60 + 120);
      noOverlap(s);
    });

    it('5-fold by speaker: no overlap, duplicates together, deterministic', () => {
      const folds = kfoldSplits(index, 5, { seed: 3 });
      folds.forEach(noOverlap);
      expect(kfoldSplits(index, 5, { seed: 3 }).map((f) => f.speakers.test)).toEqual(folds.map((f) => f.speakers.test));
    });

    it('random split is speaker-dependent and keeps the duplicate pair together', () => {
      for (let seed = 0; seed < 5; seed++) {
        const s = makeSplit(index, { mode: 'random', testFraction: 0.2, seed });
        expect(s.protocol).toBe('speaker-dependent');
        const where = new Set(index.duplicates[0].paths.map((p) => (s.test.some((i) => i.path === p) ? 'test' : 'train')));
        expect(where.size).toBe(1);
      }
    });
  });
});
