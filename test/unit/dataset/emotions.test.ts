import { applyLabelMap, EMOTIONS, normalizeLabel, normalizeLabelMap, parseLabelMap } from '../../../lib/dataset/emotions';
import { DatasetError } from '../../../lib/dataset/errors';

describe('emotion vocabulary', () => {
  it('has the eight canonical classes in a fixed order', () => {
    expect(EMOTIONS).toEqual(['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']);
  });

  it('normalizes aliases and spellings', () => {
    expect(normalizeLabel('Anger')).toBe('angry');
    expect(normalizeLabel('fear')).toBe('fearful');
    expect(normalizeLabel('Pleasant Surprise')).toBe('surprised');
    expect(normalizeLabel('pleasant_surprised')).toBe('surprised');
    expect(normalizeLabel('ps')).toBe('surprised');
    expect(normalizeLabel('happiness')).toBe('happy');
    expect(normalizeLabel('boredom')).toBe('boredom');
  });
});

describe('parseLabelMap', () => {
  it('parses merges and drops', () => {
    expect(parseLabelMap('calm=neutral,disgust=')).toEqual({ calm: 'neutral', disgust: null });
  });

  it('accepts aliases on both sides and ignores spaces and empty parts', () => {
    expect(parseLabelMap(' boredom = neutral , fear=surprise ,')).toEqual({ boredom: 'neutral', fearful: 'surprised' });
  });

  it('rejects a target that is not canonical, naming the entry and the choices', () => {
    expect(() => parseLabelMap('calm=relaxing')).toThrow(DatasetError);
    expect(() => parseLabelMap('calm=relaxing')).toThrow(/'calm=relaxing'.*not a canonical emotion.*neutral, calm/);
  });

  it('rejects entries without = and duplicate keys', () => {
    expect(() => parseLabelMap('calm')).toThrow(/--label-map: 'calm' has no '='/);
    expect(() => parseLabelMap('calm=neutral,calm=sad')).toThrow(/mapped twice/);
  });

  it('normalizes a map given as an object', () => {
    expect(normalizeLabelMap({ Anger: 'fear', calm: null })).toEqual({ angry: 'fearful', calm: null });
  });
});

describe('applyLabelMap', () => {
  it('keeps canonical labels, maps and drops through the map', () => {
    const map = parseLabelMap('calm=neutral,disgust=');
    expect(applyLabelMap('happy', map)).toEqual({ emotion: 'happy' });
    expect(applyLabelMap('calm', map)).toEqual({ emotion: 'neutral' });
    expect(applyLabelMap('disgust', map)).toEqual({ drop: expect.stringMatching(/dropped by the label map \(disgust=\)/) });
  });

  it('drops labels without a canonical class unless mapped, telling how to keep them', () => {
    expect(applyLabelMap('boredom', undefined)).toEqual({ drop: expect.stringMatching(/no canonical emotion class; map it with --label-map boredom=/) });
    expect(applyLabelMap('boredom', { boredom: 'neutral' })).toEqual({ emotion: 'neutral' });
  });
});
