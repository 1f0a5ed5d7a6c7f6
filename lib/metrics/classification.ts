// Classification scores for speech emotion recognition, matching scikit-learn's definitions:
//   accuracy   share of samples predicted right;
//   uar        unweighted average recall = balanced_accuracy_score: mean recall over the classes present in
//              yTrue (a class never seen cannot be recalled, so it would only drag the mean to 0);
//   macroF1    f1_score(average='macro', zero_division=0): mean F1 over the classes present in yTrue or yPred
//              (a class predicted but never true counts, with F1 0; one absent from both does not).
// Per-class precision/recall/F1 of a class with an empty denominator is 0 (zero_division=0).
import { invalidParameterError, rangeError } from '../is';
import { checkProtocol, type Protocol } from './protocol';

export type { Protocol, ProtocolName } from './protocol';
export { protocolSentence, PROTOCOL_NAMES } from './protocol';
// Probability helpers live in their own file; re-exported so callers find them next to the report.
export { argmax, meanByOwner } from './probabilities';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of samples whose true class is this one. */
  support: number;
}

export interface ClassificationReport {
  protocol: Protocol;
  n: number;
  accuracy: number;
  uar: number;
  macroF1: number;
  perClass: { [label: string]: ClassMetrics };
  /** confusion[true][predicted], in `labels` order. */
  confusion: number[][];
  labels: string[];
}

function checkLabels(labels: unknown): string[] {
  if (!Array.isArray(labels)) throw invalidParameterError('labels', 'array of class names', labels);
  if (labels.length === 0) throw rangeError('labels', 'at least one class name', labels);
  const seen = new Set<string>();
  labels.forEach((l, i) => {
    if (typeof l !== 'string') throw invalidParameterError(`labels[${i}]`, 'string', l);
    if (seen.has(l)) throw rangeError(`labels[${i}]`, 'a class name not already in labels', l);
    seen.add(l);
  });
  return [...(labels as string[])];
}

function checkIndices(name: string, v: unknown, classes: number): number[] {
  if (!Array.isArray(v)) throw invalidParameterError(name, 'array of class indices', v);
  for (let i = 0; i < v.length; i++) {
    const c: unknown = v[i];
    if (typeof c !== 'number' || Number.isNaN(c)) throw invalidParameterError(`${name}[${i}]`, `class index in [0, ${classes - 1}]`, c);
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw rangeError(`${name}[${i}]`, `class index in [0, ${classes - 1}]`, c);
  }
  return v as number[];
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * Scores predictions `yPred` against `yTrue` (class indices into `labels`), recording the protocol they were
 * measured under. Throws RangeError on empty input, a length mismatch or an index outside `labels`.
 */
export function classificationReport(yTrue: number[], yPred: number[], labels: string[], protocol: Protocol): ClassificationReport {
  const names = checkLabels(labels);
  const k = names.length;
  const t = checkIndices('yTrue', yTrue, k);
  const p = checkIndices('yPred', yPred, k);
  if (t.length === 0) throw rangeError('yTrue', 'at least one sample', t);
  if (p.length !== t.length) throw rangeError('yPred', `the same length as yTrue (${t.length})`, p);
  const checkedProtocol = checkProtocol('protocol', protocol);

  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) confusion[t[i]][p[i]] += 1;

  let correct = 0;
  const support = new Array<number>(k).fill(0);
  const predicted = new Array<number>(k).fill(0);
  for (let a = 0; a < k; a++) {
    correct += confusion[a][a];
    for (let b = 0; b < k; b++) {
      support[a] += confusion[a][b];
      predicted[b] += confusion[a][b];
    }
  }

  const recalls: number[] = [];
  const f1s: number[] = [];
  const perClass = Object.fromEntries(
    names.map((label, c) => {
      const tp = confusion[c][c];
      const precision = ratio(tp, predicted[c]);
      const recall = ratio(tp, support[c]);
      // 2tp / (2tp + fp + fn) equals 2PR / (P + R) and stays defined when P or R is 0/0.
      const f1 = ratio(2 * tp, support[c] + predicted[c]);
      if (support[c] > 0) recalls.push(recall);
      if (support[c] > 0 || predicted[c] > 0) f1s.push(f1);
      return [label, { precision, recall, f1, support: support[c] }];
    }),
  );

  return {
    protocol: checkedProtocol,
    n: t.length,
    accuracy: correct / t.length,
    uar: mean(recalls),
    macroF1: mean(f1s),
    perClass,
    confusion,
    labels: names,
  };
}
