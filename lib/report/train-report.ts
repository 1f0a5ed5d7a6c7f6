// The training report: one self-contained HTML page (inline CSS and SVG, no script, no network) telling how
// a model was trained and how well it does on validation, and under which protocol that was measured.
import type { ClassificationReport } from '../metrics/classification';
import type { CalibrationReport } from '../metrics/calibration';
import { calibrationBlock } from './calibration-block';
import { invalidParameterError, plainObject } from '../is';
import { DEMO_NOTE } from '../demo/note';
import { escapeXml as esc } from './escape';
import { duration, flatten, num, value as showValue } from './format';
import { percent } from '../metrics/percent';
import { details, list, page, raw, section, table, type Card, type Cell } from './html';
import { checkReport, confusionHeatmap, headlineCards, perClassTable, protocolBlock } from './metrics-blocks';
import { barChart, hoverPercent, lineChart, type LineSeries } from './svg';

export interface TrainingEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss?: number | null;
  valAccuracy?: number | null;
  valUar?: number | null;
  lr: number;
  seconds: number;
}

export interface SplitSummary {
  n: number;
  /** How many speakers, or their ids. */
  speakers: number | readonly string[];
}

/** Validation scores, optionally broken down per corpus. */
export interface TrainingMetrics {
  validation: ClassificationReport;
  perCorpus?: { [corpus: string]: ClassificationReport };
}

export interface TrainingReportInput {
  title: string;
  /** The validation report, or { validation, perCorpus }. */
  metrics: ClassificationReport | TrainingMetrics;
  history: readonly TrainingEpoch[];
  config: Record<string, unknown>;
  dataset: { train: SplitSummary; validation: SplitSummary };
  versions: { package: string; libtorch: string };
  notes?: readonly string[];
  /** Trained on the built-in synthetic demo corpus: the page says so at the top, so no one reads its scores as speech results. */
  synthetic?: boolean;
  /** Shown in the header; omitted by default so the same inputs render the same page. */
  generatedAt?: string | Date;
  /** Validation predictions before and after temperature scaling (reliability diagram, ECE). */
  calibration?: { before: CalibrationReport; after: CalibrationReport; note?: string };
}

/** A value JSON may have turned from NaN into null reads as missing. */
const opt = (v: number | null | undefined): number => (typeof v === 'number' ? v : NaN);

function checkString(name: string, v: unknown): string {
  if (typeof v !== 'string') throw invalidParameterError(name, 'string', v);
  return v;
}

function checkHistory(value: unknown): TrainingEpoch[] {
  if (!Array.isArray(value)) throw invalidParameterError('input.history', 'array of epochs', value);
  return value.map((e: unknown, i) => {
    const o = plainObject(`input.history[${i}]`, e);
    if (typeof o.epoch !== 'number' || !Number.isFinite(o.epoch)) throw invalidParameterError(`input.history[${i}].epoch`, 'finite number', o.epoch);
    for (const key of ['trainLoss', 'trainAccuracy', 'lr', 'seconds']) {
      // NaN is allowed (a diverged epoch still belongs in the history), null too (NaN after a JSON round trip).
      if (typeof o[key] !== 'number' && o[key] !== null) throw invalidParameterError(`input.history[${i}].${key}`, 'number', o[key]);
    }
    for (const key of ['valLoss', 'valAccuracy', 'valUar']) {
      if (o[key] !== undefined && o[key] !== null && typeof o[key] !== 'number') throw invalidParameterError(`input.history[${i}].${key}`, 'number or undefined', o[key]);
    }
    return o as unknown as TrainingEpoch;
  });
}

function checkSplit(name: string, v: unknown): SplitSummary {
  const s = plainObject(name, v);
  if (typeof s.n !== 'number' || !Number.isFinite(s.n)) throw invalidParameterError(`${name}.n`, 'finite number', s.n);
  const ok = typeof s.speakers === 'number' || (Array.isArray(s.speakers) && s.speakers.every((x) => typeof x === 'string'));
  if (!ok) throw invalidParameterError(`${name}.speakers`, 'number or array of speaker ids', s.speakers);
  return s as unknown as SplitSummary;
}

const speakerCount = (s: SplitSummary): number => (typeof s.speakers === 'number' ? s.speakers : s.speakers.length);

/** The epoch to point at: best validation UAR, else accuracy, else lowest validation loss. */
function bestEpoch(history: readonly TrainingEpoch[]): { index: number; by: string } | null {
  const pick = (key: 'valUar' | 'valAccuracy' | 'valLoss', sign: number): number => {
    let best = -1;
    history.forEach((e, i) => {
      const v = opt(e[key]);
      if (Number.isFinite(v) && (best < 0 || sign * v > sign * opt(history[best][key]))) best = i;
    });
    return best;
  };
  for (const [key, sign, by] of [['valUar', 1, 'validation UAR'], ['valAccuracy', 1, 'validation accuracy'], ['valLoss', -1, 'validation loss']] as const) {
    const i = pick(key, sign);
    if (i >= 0) return { index: i, by };
  }
  return null;
}

function curves(history: readonly TrainingEpoch[], k: number): string {
  const pts = (f: (e: TrainingEpoch) => number): Array<[number, number]> => history.map((e) => [e.epoch, f(e)]);
  const has = (key: keyof TrainingEpoch): boolean => history.some((e) => typeof e[key] === 'number' && Number.isFinite(e[key] as number));
  const loss: LineSeries[] = [{ name: 'train loss', points: pts((e) => opt(e.trainLoss)) }];
  if (has('valLoss')) loss.push({ name: 'validation loss', points: pts((e) => opt(e.valLoss)), dashed: true });
  const acc: LineSeries[] = [{ name: 'train accuracy', points: pts((e) => opt(e.trainAccuracy) * 100) }];
  if (has('valAccuracy')) acc.push({ name: 'validation accuracy', points: pts((e) => opt(e.valAccuracy) * 100), dashed: true });
  if (has('valUar')) acc.push({ name: 'validation UAR', points: pts((e) => opt(e.valUar) * 100), dashed: true });
  if (history.length > 0) {
    const xs = history.map((e) => e.epoch);
    acc.push({ name: `chance UAR (1/${k})`, points: [[Math.min(...xs), 100 / k], [Math.max(...xs), 100 / k]], color: '#999999', dashed: true });
  }
  return (
    '<div class="charts">' +
    lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss', series: loss, integerX: true, width: 540, height: 320 }) +
    lineChart({ title: 'Accuracy and UAR', xLabel: 'epoch', yLabel: '%', series: acc, yRange: [0, 100], integerX: true, width: 540, height: 320, yFormat: hoverPercent }) +
    lineChart({ title: 'Learning rate', xLabel: 'epoch', yLabel: 'learning rate', series: [{ name: 'lr', points: pts((e) => opt(e.lr)), mode: 'step', color: '#555555' }], yLog: true, integerX: true, width: 540, height: 260 }) +
    '</div>'
  );
}

function historyTable(history: readonly TrainingEpoch[], best: number): string {
  const rows = history.map((e) => [e.epoch, num(opt(e.trainLoss), 4), percent(opt(e.trainAccuracy)), num(opt(e.valLoss), 4), percent(opt(e.valAccuracy)), percent(opt(e.valUar)), num(opt(e.lr), 6), duration(opt(e.seconds))]);
  return table(['epoch', 'train loss', 'train acc.', 'val loss', 'val acc.', 'val UAR', 'lr', 'time'], rows, { numeric: [0, 1, 2, 3, 4, 5, 6, 7], rowClass: (i) => (i === best ? 'highlight' : undefined) });
}

function perCorpusSection(perCorpus: Record<string, ClassificationReport>): string {
  const names = Object.keys(perCorpus);
  const rows = names.map((c) => {
    const m = perCorpus[c];
    return [c, m.protocol.name, m.n, percent(m.accuracy), percent(m.uar), percent(m.macroF1)];
  });
  const chart = barChart({
    title: 'Validation scores per corpus',
    categories: names,
    series: [
      { name: 'accuracy', values: names.map((c) => perCorpus[c].accuracy * 100) },
      { name: 'UAR', values: names.map((c) => perCorpus[c].uar * 100) },
      { name: 'macro-F1', values: names.map((c) => perCorpus[c].macroF1 * 100) },
    ],
    yLabel: '%',
    yRange: [0, 100],
    valueFormat: (v) => v.toFixed(0),
    tooltipFormat: hoverPercent,
    width: 640,
    height: 300,
  });
  const each = names
    .map((c) => details(`${c}: confusion matrix and per-class scores`, `<div class="charts">${confusionHeatmap(perCorpus[c], `${c}: confusion matrix (row-normalised)`)}</div>${perClassTable(perCorpus[c])}`))
    .join('\n');
  return table(['corpus', 'protocol', 'samples', 'accuracy', 'UAR', 'macro-F1'], rows, { numeric: [2, 3, 4, 5] }) + `<div class="charts">${chart}</div>` + each;
}

export function renderTrainingReport(input: TrainingReportInput): string {
  const o = plainObject('input', input);
  const title = checkString('input.title', o.title);
  const metricsObj = plainObject('input.metrics', o.metrics);
  const nested = 'validation' in metricsObj;
  const validation = checkReport(nested ? 'input.metrics.validation' : 'input.metrics', nested ? metricsObj.validation : metricsObj);
  const perCorpusRaw = nested && metricsObj.perCorpus !== undefined ? plainObject('input.metrics.perCorpus', metricsObj.perCorpus) : {};
  const perCorpus = Object.fromEntries(Object.entries(perCorpusRaw).map(([c, m]) => [c, checkReport(`input.metrics.perCorpus[${JSON.stringify(c)}]`, m)]));
  const history = checkHistory(o.history);
  const config = plainObject('input.config', o.config);
  const dataset = plainObject('input.dataset', o.dataset);
  const train = checkSplit('input.dataset.train', dataset.train);
  const val = checkSplit('input.dataset.validation', dataset.validation);
  const versions = plainObject('input.versions', o.versions);
  const pkg = checkString('input.versions.package', versions.package);
  const libtorch = checkString('input.versions.libtorch', versions.libtorch);
  if (o.notes !== undefined && !Array.isArray(o.notes)) throw invalidParameterError('input.notes', 'array of strings', o.notes);
  const notes = o.notes === undefined ? [] : (o.notes as unknown[]).map((n, i) => checkString(`input.notes[${i}]`, n));
  if (o.synthetic !== undefined && typeof o.synthetic !== 'boolean') throw invalidParameterError('input.synthetic', 'boolean', o.synthetic);

  // A protocol that claims speaker independence while the splits share a voice is the one mistake that makes
  // every number on the page wrong, so say it loudly at the top.
  const warnings: string[] = [];
  if (o.synthetic) warnings.push(`Data: ${DEMO_NOTE}. These scores show that the pipeline runs end to end; they say nothing about recognising emotion in real speech.`);
  if (validation.protocol.name === 'speaker-independent' && Array.isArray(train.speakers) && Array.isArray(val.speakers)) {
    const trainSet = new Set(train.speakers);
    const shared = (val.speakers as readonly string[]).filter((s) => trainSet.has(s));
    if (shared.length > 0) warnings.push(`The protocol says speaker-independent, but ${shared.length} validation speaker(s) are also in training: ${shared.slice(0, 10).join(', ')}${shared.length > 10 ? ', ...' : ''}.`);
  }

  const best = bestEpoch(history);
  const extra: Card[] = [];
  if (best) extra.push({ label: 'Best epoch', value: String(history[best.index].epoch), hint: `by ${best.by}` });
  if (history.length > 0) extra.push({ label: 'Training time', value: duration(history.reduce((a, e) => a + (Number.isFinite(opt(e.seconds)) ? e.seconds : 0), 0)), hint: `${history.length} epochs` });

  const generated = o.generatedAt instanceof Date ? o.generatedAt.toISOString() : typeof o.generatedAt === 'string' ? o.generatedAt : '';
  const subtitle = [`ser-native ${pkg}`, `LibTorch ${libtorch}`, generated && `generated ${generated}`].filter(Boolean).join(' · ');

  const speakersCell = (s: SplitSummary): Cell =>
    Array.isArray(s.speakers) && s.speakers.length > 0 ? raw(`${speakerCount(s)} <span class="muted">(${esc(s.speakers.join(', '))})</span>`) : String(speakerCount(s));

  const body = [
    `<header><h1>${esc(title)}</h1><p class="subtitle">${esc(subtitle)}</p></header>`,
    protocolBlock(validation.protocol, warnings),
    headlineCards(validation, extra),
    section('Data', table(['split', 'samples', 'speakers'], [['train', train.n, speakersCell(train)], ['validation', val.n, speakersCell(val)]], { numeric: [1] })),
    section('Training curves', history.length > 0 ? curves(history, validation.labels.length) : '<p class="muted">No training history was recorded.</p>'),
    section(
      'Validation: confusion matrix',
      `<p class="muted">Rows are true classes, columns predicted ones; each cell shows its share of the row (the class's recall on the diagonal) and the count.</p><div class="charts">${confusionHeatmap(validation)}</div>`,
    ),
    section(
      'Validation: per-class scores',
      perClassTable(validation) +
        `<div class="charts">${barChart({
          title: 'Per-class precision, recall and F1',
          categories: validation.labels,
          series: (['precision', 'recall', 'f1'] as const).map((k) => ({ name: k === 'f1' ? 'F1' : k, values: validation.labels.map((l) => validation.perClass[l][k] * 100) })),
          yLabel: '%',
          yRange: [0, 100],
          tooltipFormat: hoverPercent,
          width: 720,
          height: 340,
        })}</div>`,
    ),
    Object.keys(perCorpus).length > 0 ? section('Validation per corpus', perCorpusSection(perCorpus)) : '',
    input.calibration ? section('Calibration', calibrationBlock('Validation', input.calibration.before, input.calibration.after, input.calibration.note)) : '',
    history.length > 0 ? section('Epochs', details(`All ${history.length} epochs${best ? ` (best highlighted, by ${best.by})` : ''}`, historyTable(history, best ? best.index : -1), history.length <= 30)) : '',
    section('Configuration', table(['setting', 'value'], flatten(config).map(([k, v]) => [k, raw(`<code>${esc(showValue(v))}</code>`)]))),
    notes.length > 0 ? section('Notes', list(notes)) : '',
    `<footer>Self-contained report: no scripts, no external resources. Scores: accuracy, UAR (unweighted average recall over the classes present), macro-F1 (zero division counts as 0).</footer>`,
  ];
  return page(title, body.filter(Boolean).join('\n'));
}
