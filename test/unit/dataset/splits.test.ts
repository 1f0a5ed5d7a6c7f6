// Splits on synthetic items (no files needed): protocols, determinism, speakers and duplicates never straddling.
import { EMOTIONS } from '../../../lib/dataset/emotions';
import { formatSplitSpec, makeSplit, kfoldSplits, parseSplitSpec, defaultSplit, formatSpeakers, type Split, type SplitSpec } from '../../../lib/dataset/splits';
import type { DatasetItem, DuplicateGroup, Gender } from '../../../lib/dataset/types';

/** RAVDESS-like: every actor says every emotion `per` times. */
function ravdess(actors: number[], per = 2): DatasetItem[] {
  return actors.flatMap((a) => {
    const id = String(a).padStart(2, '0');
    return EMOTIONS.flatMap((e, ei) =>
      Array.from({ length: per }, (_, r): DatasetItem => ({ path: `/d/ravdess/Actor_${id}/${ei}-${r}.wav`, corpus: 'ravdess', speaker: `ravdess:${id}`, gender: a % 2 ? 'male' : 'female', emotion: e })),
    );
  });
}

function savee(speakers: string[]): DatasetItem[] {
  return speakers.flatMap((s) => ['neutral', 'angry', 'sad'].map((e, i): DatasetItem => ({ path: `/d/savee/${s}_${i}.wav`, corpus: 'savee', speaker: `savee:${s}`, gender: 'male', emotion: e as DatasetItem['emotion'] })));
}

function speakerSets(s: Split): Record<string, Set<string>> {
  return { train: new Set(s.train.map((i) => i.speaker)), validation: new Set(s.validation.map((i) => i.speaker)), test: new Set(s.test.map((i) => i.speaker)) };
}

function expectSpeakerIndependent(s: Split): void {
  const sets = speakerSets(s);
  for (const [a, b] of [['train', 'test'], ['train', 'validation'], ['validation', 'test']]) {
    expect([...sets[a]].filter((x) => sets[b].has(x))).toEqual([]);
  }
  expect(s.protocol).toBe('speaker-independent');
}

function expectDuplicatesTogether(s: Split, groups: DuplicateGroup[]): void {
  const where = new Map<string, string>();
  for (const name of ['train', 'validation', 'test'] as const) for (const it of s[name]) where.set(it.path, name);
  for (const g of groups) expect(new Set(g.paths.filter((p) => where.has(p)).map((p) => where.get(p))).size).toBeLessThanOrEqual(1);
}

describe('parseSplitSpec', () => {
  it.each<[string, SplitSpec]>([
    ['default', { mode: 'default' }],
    ['all', { mode: 'all' }],
    ['speakers:ravdess:17,ravdess:18', { mode: 'speakers', test: ['ravdess:17', 'ravdess:18'] }],
    ['speakers:ravdess:17/ravdess:19,savee:JE', { mode: 'speakers', test: ['ravdess:17'], validation: ['ravdess:19', 'savee:JE'] }],
    ['kfold:5:0', { mode: 'kfold', k: 5, fold: 0 }],
    ['kfold:5:4:7', { mode: 'kfold', k: 5, fold: 4, seed: 7 }],
    ['loso:ravdess:03', { mode: 'loso', speaker: 'ravdess:03' }],
    ['random:0.2', { mode: 'random', testFraction: 0.2 }],
    ['random:0.2:0.1:3', { mode: 'random', testFraction: 0.2, validationFraction: 0.1, seed: 3 }],
  ])('%s', (text, spec) => {
    expect(parseSplitSpec(text)).toEqual(spec);
    expect(parseSplitSpec(formatSplitSpec(spec))).toEqual(spec);
  });

  it.each([
    ['holdout:1', /unknown mode 'holdout'/],
    ['kfold:5', /fold must be a whole number/],
    ['kfold:x:0', /k must be a whole number, got 'x'/],
    ['random:abc', /test fraction must be a number/],
    ['speakers:', /name at least one test speaker/],
    ['loso:', /name the held-out speaker/],
  ])('rejects %s with the grammar', (text, why) => {
    expect(() => parseSplitSpec(text)).toThrow(why);
    expect(() => parseSplitSpec(text)).toThrow(/expected default \| all \| speakers:/);
  });
});

describe('speaker-independent splits', () => {
  const items = [...ravdess([1, 2, 3, 4, 5, 6, 7, 8, 17, 18]), ...savee(['DC', 'JE'])];

  it('all: every speaker in training, none held out', () => {
    const s = makeSplit({ items }, parseSplitSpec('all'));
    expect(s.train.length).toBe(items.length);
    expect(s.validation).toEqual([]);
    expect(s.test).toEqual([]);
    expect(s.description).toMatch(/every speaker in training \(12\)/);
  });

  it('holds out named speakers (numbers may be written unpadded)', () => {
    const s = makeSplit({ items }, parseSplitSpec('speakers:ravdess:17,ravdess:18/savee:JE,ravdess:7'));
    expect(s.speakers).toEqual({
      train: ['ravdess:01', 'ravdess:02', 'ravdess:03', 'ravdess:04', 'ravdess:05', 'ravdess:06', 'ravdess:08', 'savee:DC'],
      validation: ['ravdess:07', 'savee:JE'],
      test: ['ravdess:17', 'ravdess:18'],
    });
    expectSpeakerIndependent(s);
    expect(s.train.length + s.validation.length + s.test.length).toBe(items.length);
    expect(s.description).toMatch(/^speaker-independent, held-out speakers: test ravdess:17-18; validation ravdess:07, savee:JE$/);
  });

  it('allows validation speakers without test speakers (a tuning fold)', () => {
    const spec = parseSplitSpec('speakers:/ravdess:17,savee:JE');
    expect(spec).toEqual({ mode: 'speakers', test: [], validation: ['ravdess:17', 'savee:JE'] });
    expect(parseSplitSpec(formatSplitSpec(spec))).toEqual(spec);
    const s = makeSplit({ items }, spec);
    expect(s.speakers.test).toEqual([]);
    expect(s.speakers.validation).toEqual(['ravdess:17', 'savee:JE']);
    expect(s.train.length + s.validation.length).toBe(items.length);
    expect(s.description).toBe('speaker-independent, held-out speakers: validation ravdess:17, savee:JE');
  });

  it('rejects unknown speakers and a speaker in two held-out sets', () => {
    expect(() => makeSplit({ items }, parseSplitSpec('speakers:ravdess:21'))).toThrow(/test speakers: speaker 'ravdess:21' is not in the dataset.*Known: ravdess:01/);
    expect(() => makeSplit({ items }, parseSplitSpec('speakers:ravdess:17/ravdess:17'))).toThrow(/both test and validation/);
  });

  it('leaves one speaker out', () => {
    const s = makeSplit({ items }, parseSplitSpec('loso:savee:dc'));
    expect(s.speakers.test).toEqual(['savee:DC']);
    expect(s.train).toHaveLength(items.length - 3);
    expectSpeakerIndependent(s);
  });

  it('k-fold: every speaker is tested exactly once, folds are balanced, same seed gives the same folds', () => {
    const folds = kfoldSplits({ items }, 4, { seed: 11 });
    const tested = folds.flatMap((f) => f.speakers.test).sort();
    expect(tested).toEqual([...new Set(items.map((i) => i.speaker))].sort());
    for (const f of folds) {
      expectSpeakerIndependent(f);
      expect(f.train.length + f.test.length).toBe(items.length);
    }
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(16); // one RAVDESS speaker here
    expect(kfoldSplits({ items: [...items].reverse() }, 4, { seed: 11 }).map((f) => f.speakers.test)).toEqual(folds.map((f) => f.speakers.test));
    const other = kfoldSplits({ items }, 4, { seed: 12 }).map((f) => f.speakers.test);
    expect(other).not.toEqual(folds.map((f) => f.speakers.test));
  });

  it('k-fold keeps speakers that share a duplicate recording in one fold', () => {
    const dup: DuplicateGroup = { hash: 'h', paths: ['/d/ravdess/Actor_01/0-0.wav', '/d/ravdess/Actor_02/0-0.wav'] };
    for (let seed = 0; seed < 10; seed++) {
      for (const f of kfoldSplits({ items, duplicates: [dup] }, 5, { seed })) {
        expectDuplicatesTogether(f, [dup]);
        expect(f.excluded).toEqual([]);
      }
    }
  });

  it('k-fold needs at least k speakers', () => {
    expect(() => makeSplit({ items: ravdess([1, 2]) }, { mode: 'kfold', k: 3, fold: 0 })).toThrow(/needs at least k=3 speakers; the dataset has 2/);
  });

  it('named speakers: a duplicate spanning train and test is left out of train, and reported', () => {
    const dup: DuplicateGroup = { hash: 'h', paths: ['/d/ravdess/Actor_01/0-0.wav', '/d/ravdess/Actor_17/0-0.wav'] };
    const s = makeSplit({ items, duplicates: [dup] }, parseSplitSpec('speakers:ravdess:17'));
    expectDuplicatesTogether(s, [dup]);
    expect(s.test.map((i) => i.path)).toContain('/d/ravdess/Actor_17/0-0.wav');
    expect(s.train.map((i) => i.path)).not.toContain('/d/ravdess/Actor_01/0-0.wav');
    expect(s.excluded).toEqual([{ path: '/d/ravdess/Actor_01/0-0.wav', reason: expect.stringMatching(/byte-identical to \/d\/ravdess\/Actor_17\/0-0\.wav in the test split/) }]);
  });
});

describe('speaker-dependent random split', () => {
  const items = ravdess([1, 2, 3, 4, 5], 4); // 20 per emotion
  const dup: DuplicateGroup = { hash: 'h', paths: ['/d/ravdess/Actor_01/2-0.wav', '/d/ravdess/Actor_01/2-1.wav', '/d/ravdess/Actor_03/2-3.wav'] };

  it('is labelled speaker-dependent and stratified by emotion', () => {
    const s = makeSplit({ items, duplicates: [dup] }, parseSplitSpec('random:0.25:0.1'), { seed: 5 });
    expect(s.protocol).toBe('speaker-dependent');
    expect(s.description).toMatch(/speaker-dependent.*test 25\.0%, validation 10\.0% \(seed 5\)/);
    for (const e of EMOTIONS) {
      expect(s.test.filter((i) => i.emotion === e).length).toBeGreaterThanOrEqual(5);
      expect(s.test.filter((i) => i.emotion === e).length).toBeLessThanOrEqual(7); // a 3-item duplicate group may overshoot
      expect(s.validation.filter((i) => i.emotion === e).length).toBeGreaterThanOrEqual(1);
    }
    expect(s.train.length + s.validation.length + s.test.length).toBe(items.length);
  });

  it('keeps duplicate groups together and is deterministic by seed, whatever the item order', () => {
    const a = makeSplit({ items, duplicates: [dup] }, { mode: 'random', testFraction: 0.3, seed: 1 });
    const b = makeSplit({ items: [...items].reverse(), duplicates: [dup] }, { mode: 'random', testFraction: 0.3, seed: 1 });
    expect(new Set(b.test.map((i) => i.path))).toEqual(new Set(a.test.map((i) => i.path)));
    const c = makeSplit({ items, duplicates: [dup] }, { mode: 'random', testFraction: 0.3, seed: 2 });
    expect(c.test.map((i) => i.path)).not.toEqual(a.test.map((i) => i.path));
    for (let seed = 0; seed < 20; seed++) expectDuplicatesTogether(makeSplit({ items, duplicates: [dup] }, { mode: 'random', testFraction: 0.3, seed }), [dup]);
  });

  it('rejects fractions that leave nothing to train on', () => {
    expect(() => makeSplit({ items }, { mode: 'random', testFraction: 1.2 })).toThrow(/test fraction must be between 0 and 1/);
    expect(() => makeSplit({ items }, { mode: 'random', testFraction: 0.5, validationFraction: 0.5 })).toThrow(/leave room for training/);
  });
});

describe('default protocol', () => {
  it('full corpora: train RAVDESS 01-16 + DC, validate 17-20 + JE, test 21-24 + JK, KL', () => {
    const all = Array.from({ length: 24 }, (_, i) => i + 1);
    const s = defaultSplit({ items: [...ravdess(all, 1), ...savee(['DC', 'JE', 'JK', 'KL'])] });
    expect(formatSpeakers(s.speakers.train)).toBe('ravdess:01-16, savee:DC');
    expect(formatSpeakers(s.speakers.validation)).toBe('ravdess:17-20, savee:JE');
    expect(formatSpeakers(s.speakers.test)).toBe('ravdess:21-24, savee:JK, savee:KL');
    expect(s.description).toBe('speaker-independent default protocol: train ravdess:01-16, savee:DC; validation ravdess:17-20, savee:JE; test ravdess:21-24, savee:JK, savee:KL');
    expectSpeakerIndependent(s);
  });

  it('a RAVDESS-layout demo corpus of 8 actors holds out the last two, one of each gender', () => {
    const s = defaultSplit({ items: ravdess([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(s.speakers.validation).toEqual(['ravdess:07', 'ravdess:08']);
    expect(s.speakers.test).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  it('other corpora: last ~25% by id, swapping in a speaker of the missing gender', () => {
    const genders: Gender[] = ['male', 'female', 'male', 'male', 'female', 'female', 'female', 'female'];
    const items = genders.map((g, i): DatasetItem => ({ path: `/x/${i}.wav`, corpus: 'corpus-x', speaker: `corpus-x:${i + 1}`, gender: g, emotion: 'happy' }));
    const s = defaultSplit({ items });
    expect(s.speakers.validation).toEqual(['corpus-x:4', 'corpus-x:8']); // 7 and 8 are female: 7 gives way to 4, the last male
    expectSpeakerIndependent(s);
  });

  it('a single-speaker corpus stays in train with a warning', () => {
    const s = defaultSplit({ items: [{ path: '/f/a.wav', corpus: 'folders', speaker: 'folders:unknown', emotion: 'sad' }, ...ravdess([1, 2, 3, 4])] });
    expect(s.speakers.train).toContain('folders:unknown');
    expect(s.warnings).toEqual([expect.stringMatching(/folders has a single speaker \(folders:unknown\), kept in train/)]);
  });
});
