// The tuning folds of optimize --folds: speaker-grouped, covering the tuning pool once, test speakers left out.
import { EMOTIONS } from '../../../lib/dataset/emotions';
import { makeSplit, parseSplitSpec } from '../../../lib/dataset/splits';
import type { DatasetItem } from '../../../lib/dataset/types';
import { tuningFolds } from '../../../lib/optimize/folds';
import type { ResolvedData } from '../../../lib/train/data';

function actors(ids: number[]): DatasetItem[] {
  return ids.flatMap((a) => {
    const id = String(a).padStart(2, '0');
    return EMOTIONS.map((e, ei): DatasetItem => ({ path: `/d/ravdess/Actor_${id}/${ei}.wav`, corpus: 'ravdess', speaker: `ravdess:${id}`, gender: a % 2 ? 'male' : 'female', emotion: e }));
  });
}

const data = (items: DatasetItem[]): ResolvedData => ({ source: 'folders', folders: ['/d'], items, duplicates: [], skipped: [], warnings: [] });

describe('tuningFolds', () => {
  it('partitions the non-test speakers into K validation folds, the same for the same seed', () => {
    const d = data(actors([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const folds = tuningFolds(d, 'speakers:ravdess:9,ravdess:10', 3, 1);
    expect(folds).toEqual(tuningFolds(d, 'speakers:ravdess:9,ravdess:10', 3, 1));
    expect(folds).toHaveLength(3);
    const validation: string[] = [];
    for (const f of folds) {
      const s = makeSplit(d, parseSplitSpec(f));
      expect(s.speakers.test).toEqual(['ravdess:09', 'ravdess:10']);
      expect(s.speakers.validation.length).toBeGreaterThanOrEqual(2);
      validation.push(...s.speakers.validation);
      expect(s.speakers.train.filter((x) => s.speakers.validation.includes(x))).toEqual([]);
    }
    expect(validation.sort()).toEqual(['01', '02', '03', '04', '05', '06', '07', '08'].map((x) => `ravdess:${x}`));
  });

  it('has no test part when the split holds none out, and names the problem when K is too large', () => {
    const d = data(actors([1, 2, 3, 4]));
    const folds = tuningFolds(d, 'speakers:/ravdess:4', 2, 0);
    expect(folds.every((f) => f.startsWith('speakers:/'))).toBe(true);
    expect(() => tuningFolds(d, 'speakers:ravdess:1', 4, 0)).toThrow(/--folds 4 needs at least 4 tuning speakers.*leaves 3/);
    expect(() => tuningFolds(d, 'random:0.2', 2, 0)).toThrow(/speaker-independent --split/);
  });
});
