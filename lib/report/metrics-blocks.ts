// A ClassificationReport rendered as HTML blocks: the protocol in plain words, headline scores, the confusion
// matrix heat map and the per-class table. Shared by the training and optimisation reports.
import type { ClassificationReport } from '../metrics/classification';
import { checkProtocol, protocolSentence, type Protocol } from '../metrics/protocol';
import { invalidParameterError, plainObject, rangeError } from '../is';
import { escapeXml as esc } from './escape';
import { num } from './format';
import { percent } from '../metrics/percent';
import { cards, raw, table, type Card, type Cell } from './html';
import { heatmap } from './svg';

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks the shape of a report handed to a renderer (it may come from JSON on disk), naming the bad field. */
export function checkReport(name: string, value: unknown): ClassificationReport {
  const m = plainObject(name, value);
  checkProtocol(`${name}.protocol`, m.protocol);
  for (const key of ['n', 'accuracy', 'uar', 'macroF1'] as const) {
    if (!isFiniteNumber(m[key])) throw invalidParameterError(`${name}.${key}`, 'finite number', m[key]);
  }
  const labels = m.labels;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) throw invalidParameterError(`${name}.labels`, 'array of strings', labels);
  const k = labels.length;
  const confusion = m.confusion;
  if (!Array.isArray(confusion)) throw invalidParameterError(`${name}.confusion`, `${k}x${k} array of counts`, confusion);
  if (confusion.length !== k) throw rangeError(`${name}.confusion`, `${k} rows (one per label)`, confusion);
  confusion.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== k) throw rangeError(`${name}.confusion[${i}]`, `${k} counts`, row);
    row.forEach((v: unknown, j) => {
      if (!isFiniteNumber(v) || v < 0) throw rangeError(`${name}.confusion[${i}][${j}]`, 'count >= 0', v);
    });
  });
  const perClass = plainObject(`${name}.perClass`, m.perClass);
  for (const label of labels as string[]) {
    const c = perClass[label];
    if (typeof c !== 'object' || c === null) throw invalidParameterError(`${name}.perClass[${JSON.stringify(label)}]`, 'object', c);
    for (const key of ['precision', 'recall', 'f1', 'support'] as const) {
      const v = (c as Record<string, unknown>)[key];
      if (!isFiniteNumber(v)) throw invalidParameterError(`${name}.perClass[${JSON.stringify(label)}].${key}`, 'finite number', v);
    }
  }
  return value as ClassificationReport;
}

/** The protocol box: the plain-words sentence first, then the description and speaker lists. */
export function protocolBlock(protocol: Protocol, warnings: readonly string[] = []): string {
  const speakers = (what: string, list?: string[]): string =>
    list && list.length > 0 ? `<p class="muted">${esc(what)} (${list.length}): ${esc(list.join(', '))}</p>` : '';
  return (
    `<div class="protocol ${esc(protocol.name)}">` +
    `<p class="protocol-sentence">${esc(protocolSentence(protocol))}</p>` +
    (protocol.description ? `<p>${esc(protocol.description)}</p>` : '') +
    speakers('Training speakers', protocol.trainSpeakers) +
    speakers('Held-out speakers', protocol.testSpeakers) +
    `</div>` +
    warnings.map((w) => `<div class="warning">${esc(w)}</div>`).join('')
  );
}

export function headlineCards(report: ClassificationReport, extra: readonly Card[] = []): string {
  // Chance UAR is 1 / (classes present): a constant guess recalls one class fully and the rest not at all.
  const present = Math.max(1, report.labels.filter((l) => report.perClass[l].support > 0).length);
  const scored = report.labels.filter((l, j) => report.perClass[l].support > 0 || report.confusion.some((row) => row[j] > 0)).length;
  return cards([
    { label: 'Accuracy', value: percent(report.accuracy), hint: `${report.n} samples` },
    { label: 'UAR', value: percent(report.uar), hint: `unweighted average recall; chance ${percent(1 / present)}` },
    { label: 'Macro-F1', value: percent(report.macroF1), hint: `mean F1 over ${scored} classes` },
    ...extra,
  ]);
}

export function confusionHeatmap(report: ClassificationReport, title = 'Confusion matrix (row-normalised; counts in brackets)'): string {
  return heatmap({ title, rowLabels: report.labels, colLabels: report.labels, values: report.confusion, normalize: 'row', xLabel: 'predicted', yLabel: 'true' });
}

export function perClassTable(report: ClassificationReport): string {
  const rows: Cell[][] = report.labels.map((label) => {
    const c = report.perClass[label];
    return [label, num(c.precision), num(c.recall), num(c.f1), c.support];
  });
  // Macro precision over the classes in yTrue or yPred, as macro-F1 (sklearn); macro recall is the UAR.
  const predicted = report.labels.map((_, j) => report.confusion.reduce((a, row) => a + row[j], 0));
  const seen = report.labels.filter((l, j) => report.perClass[l].support > 0 || predicted[j] > 0);
  const macroPrecision = seen.length === 0 ? NaN : seen.reduce((a, l) => a + report.perClass[l].precision, 0) / seen.length;
  rows.push([raw('Macro average'), num(macroPrecision), num(report.uar), num(report.macroF1), report.n]);
  const absent = report.labels.filter((l) => report.perClass[l].support === 0);
  const note = absent.length > 0 ? `<p class="muted">Not in this set (support 0, left out of UAR): ${esc(absent.join(', '))}.</p>` : '';
  return table(['class', 'precision', 'recall', 'F1', 'support'], rows, { numeric: [1, 2, 3, 4], rowClass: (i) => (i === rows.length - 1 ? 'total' : undefined) }) + note;
}
