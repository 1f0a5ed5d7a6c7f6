import { classificationReport, type Protocol } from '../../../lib/metrics/classification';

const SI: Protocol = { name: 'speaker-independent', description: 'RAVDESS actors 17-20 held out', trainSpeakers: ['a01', 'a02'], testSpeakers: ['a17'] };
const ABC = ['angry', 'happy', 'sad'];

describe('classificationReport', () => {
  it('matches scikit-learn on y_true=[0,1,2,0,1,2], y_pred=[0,2,1,0,0,1]', () => {
    const r = classificationReport([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], ABC, SI);
    // accuracy_score = 1/3, balanced_accuracy_score = 1/3, f1_score(average='macro') = 0.2666...
    expect(r.accuracy).toBeCloseTo(1 / 3, 12);
    expect(r.uar).toBeCloseTo(1 / 3, 12);
    expect(r.macroF1).toBeCloseTo(0.26666666666666666, 12);
    expect(r.confusion).toEqual([
      [2, 0, 0],
      [1, 0, 1],
      [0, 2, 0],
    ]);
    expect(r.perClass.angry.precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.angry.recall).toBe(1);
    expect(r.perClass.angry.f1).toBeCloseTo(0.8, 12);
    expect(r.perClass.happy).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.n).toBe(6);
    expect(r.labels).toEqual(ABC);
  });

  it('agrees with a hand-computed 3-class example', () => {
    // true 0: predicted 0,0,1,2 | true 1: 1,1,0 | true 2: 2,2,1
    const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
    const r = classificationReport(yTrue, yPred, ABC, SI);
    expect(r.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    // Column sums (predicted counts) 3, 4, 3; row sums (support) 4, 3, 3; each diagonal is 2.
    expect(r.perClass.angry.precision).toBeCloseTo(2 / 3);
    expect(r.perClass.angry.recall).toBeCloseTo(1 / 2);
    expect(r.perClass.angry.f1).toBeCloseTo(4 / 7); // 2PR/(P+R) = (2/3)/(7/6)
    expect(r.perClass.happy.precision).toBeCloseTo(1 / 2);
    expect(r.perClass.happy.recall).toBeCloseTo(2 / 3);
    expect(r.perClass.happy.f1).toBeCloseTo(4 / 7);
    expect(r.perClass.sad).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(r.accuracy).toBeCloseTo(0.6);
    expect(r.uar).toBeCloseTo((1 / 2 + 2 / 3 + 2 / 3) / 3); // 11/18
    expect(r.macroF1).toBeCloseTo((4 / 7 + 4 / 7 + 2 / 3) / 3); // 38/63
  });

  it('leaves classes absent from y_true out of UAR, and classes absent from both out of macro-F1', () => {
    // Labels 0..3; class 2 is only predicted, class 3 never appears. sklearn (zero_division=0):
    // balanced_accuracy = mean(1/2, 1) = 0.75; macro F1 over {0,1,2} = (2/3 + 1 + 0) / 3 = 5/9.
    const r = classificationReport([0, 0, 1, 1], [0, 2, 1, 1], ['a', 'b', 'c', 'd'], SI);
    expect(r.uar).toBeCloseTo(0.75);
    expect(r.macroF1).toBeCloseTo(5 / 9);
    expect(r.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.perClass.d).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.accuracy).toBeCloseTo(0.75);
  });

  it('gives precision 0 (not NaN) to a class that is never predicted', () => {
    const r = classificationReport([0, 1, 1], [0, 0, 0], ['a', 'b'], SI);
    expect(r.perClass.b).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.perClass.a.precision).toBeCloseTo(1 / 3);
    expect(r.uar).toBeCloseTo(0.5);
    expect(r.macroF1).toBeCloseTo(0.25); // F1(a) = 2/(2+2) = 0.5
  });

  it('is perfect on perfect predictions', () => {
    const r = classificationReport([2, 1, 0], [2, 1, 0], ABC, SI);
    expect([r.accuracy, r.uar, r.macroF1]).toEqual([1, 1, 1]);
  });

  it('records a copy of the protocol it was measured under', () => {
    const protocol: Protocol = { name: 'speaker-dependent', description: 'random 80/20 utterance split' };
    const r = classificationReport([0], [0], ['a'], protocol);
    expect(r.protocol).toEqual(protocol);
    expect(r.protocol).not.toBe(protocol);
  });

  it('rejects empty input and length mismatches with RangeErrors naming the argument', () => {
    expect(() => classificationReport([], [], ABC, SI)).toThrow(RangeError);
    expect(() => classificationReport([], [], ABC, SI)).toThrow(/yTrue/);
    expect(() => classificationReport([0, 1], [0], ABC, SI)).toThrow(RangeError);
    expect(() => classificationReport([0, 1], [0], ABC, SI)).toThrow(/same length as yTrue \(2\) for yPred/);
  });

  it('rejects class indices outside the labels', () => {
    expect(() => classificationReport([0, 3], [0, 1], ABC, SI)).toThrow(/\[0, 2\] for yTrue\[1\] but received 3/);
    expect(() => classificationReport([0, 1], [0, 1.5], ABC, SI)).toThrow(RangeError);
    expect(() => classificationReport([0, 1], [0, -1], ABC, SI)).toThrow(/yPred\[1\]/);
    expect(() => classificationReport([0, 1], [0, '1' as unknown as number], ABC, SI)).toThrow(TypeError);
    expect(() => classificationReport('01' as unknown as number[], [0, 1], ABC, SI)).toThrow(TypeError);
  });

  it('rejects bad labels', () => {
    expect(() => classificationReport([0], [0], [], SI)).toThrow(/labels/);
    expect(() => classificationReport([0], [0], ['a', 'a'], SI)).toThrow(/labels\[1\]/);
    expect(() => classificationReport([0], [0], [1 as unknown as string], SI)).toThrow(TypeError);
  });

  it('rejects a missing or contradictory protocol', () => {
    expect(() => classificationReport([0], [0], ['a'], undefined as unknown as Protocol)).toThrow(/protocol/);
    expect(() => classificationReport([0], [0], ['a'], { name: 'loso', description: '' } as unknown as Protocol)).toThrow(/protocol\.name/);
    const overlapping: Protocol = { name: 'speaker-independent', description: '', trainSpeakers: ['s1', 's2'], testSpeakers: ['s2'] };
    expect(() => classificationReport([0], [0], ['a'], overlapping)).toThrow(/shared: s2/);
    // The same overlap is what speaker-dependent means, so it is accepted there.
    expect(() => classificationReport([0], [0], ['a'], { ...overlapping, name: 'speaker-dependent' })).not.toThrow();
  });

  it('handles a label named __proto__ as an ordinary class', () => {
    const r = classificationReport([0, 1], [0, 1], ['__proto__', 'b'], SI);
    expect(Object.prototype.hasOwnProperty.call(r.perClass, '__proto__')).toBe(true);
    expect(r.perClass['__proto__'].support).toBe(1);
  });
});
