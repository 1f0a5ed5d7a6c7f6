// The report of a K-fold ensemble training (trainFolds): out-of-fold scores with mean ± std over
// folds, per fold and per corpus, calibration before/after, and the ensemble on held-out speakers.
import type { FoldsResult } from './folds';
import { escapeXml as esc } from '../report/escape';
import { flatten, num, value as showValue } from '../report/format';
import { percent } from '../metrics/percent';
import { page, raw, section, table } from '../report/html';
import { calibrationBlock } from '../report/calibration-block';
import { confusionHeatmap, headlineCards, perClassTable, protocolBlock } from '../report/metrics-blocks';
import { barChart } from '../report/svg';

export interface FoldsReportInput {
  title: string;
  result: FoldsResult;
  versions: { package: string; libtorch: string };
  config: Record<string, unknown>;
}

export function renderFoldsReport(input: FoldsReportInput): string {
  const r = input.result;
  const oof = r.outOfFold;
  const pm = `${percent(oof.uarMean)} ± ${percent(oof.uarStd)}`;
  const foldTable = table(
    ['fold', 'held-out speakers', 'clips', 'best epoch', 'epochs run', 'UAR'],
    r.folds.map((f) => [f.fold, f.speakers.join(', '), f.n, f.bestEpoch, f.epochsRun, percent(f.uar)]),
    { numeric: [2, 3, 4, 5] },
  );
  const foldChart = barChart({ title: 'Out-of-fold UAR per fold', categories: r.folds.map((f) => `fold ${f.fold}`), series: [{ name: 'UAR', values: r.folds.map((f) => f.uar * 100) }], yLabel: '%', yRange: [0, 100], valueFormat: (v) => v.toFixed(1), width: 560, height: 280 });
  const corpora = Object.entries(oof.perCorpus);
  const body = [
    `<header><h1>${esc(input.title)}</h1><p class="subtitle">${esc(`ser-native ${input.versions.package} · LibTorch ${input.versions.libtorch} · ${r.folds.length} folds · temperature ${num(r.calibration.temperature, 3)}`)}</p></header>`,
    protocolBlock(oof.report.protocol),
    headlineCards(oof.report, [{ label: 'UAR per fold', value: pm, hint: `mean ± sample std over ${r.folds.length} folds` }]),
    section('Folds', foldTable + `<div class="charts">${foldChart}</div><p class="muted">Each fold's model picked its best epoch on its own held-out speakers, so out-of-fold figures include that selection; the ensemble's held-out validation figures below do not.</p>`),
    corpora.length ? section('Out-of-fold per corpus', table(['corpus', 'samples', 'accuracy', 'UAR', 'macro-F1'], corpora.map(([c, m]) => [c, m.n, percent(m.accuracy), percent(m.uar), percent(m.macroF1)]), { numeric: [1, 2, 3, 4] })) : '',
    section('Out-of-fold: confusion matrix', `<div class="charts">${confusionHeatmap(oof.report)}</div>`),
    section('Out-of-fold: per-class scores', perClassTable(oof.report)),
    section('Calibration (out-of-fold)', calibrationBlock('Out-of-fold', oof.calibration.before, oof.calibration.after, `Temperature ${num(r.calibration.temperature, 3)} fitted by minimising NLL on ${r.calibration.fittedOn}.`)),
    r.validation
      ? section(
          'Ensemble on held-out validation speakers',
          protocolBlock(r.validation.report.protocol) +
            headlineCards(r.validation.report) +
            (Object.keys(r.validation.perCorpus).length
              ? table(['corpus', 'samples', 'accuracy', 'UAR', 'macro-F1'], Object.entries(r.validation.perCorpus).map(([c, m]) => [c, m.n, percent(m.accuracy), percent(m.uar), percent(m.macroF1)]), { numeric: [1, 2, 3, 4] })
              : '') +
            `<div class="charts">${confusionHeatmap(r.validation.report)}</div>` +
            perClassTable(r.validation.report) +
            calibrationBlock(
              'Held-out validation',
              r.validation.calibration.before,
              r.validation.calibration.after,
              r.validation.calibration.crossFitted
                ? `The ensemble's temperature was fitted on these speakers' predictions; the ECE after is leave-one-speaker-out (each speaker at the temperature fitted on the others). At the out-of-fold temperature (${num(r.validation.calibration.oofTemperature.temperature, 3)}) it would be ${percent(r.validation.calibration.oofTemperature.ece)}.`
                : 'The temperature was fitted on out-of-fold predictions, not on these speakers.',
            ),
        )
      : '',
    section('Configuration', table(['setting', 'value'], flatten(input.config).map(([k, v]) => [k, raw(`<code>${esc(showValue(v))}</code>`)]))),
    `<footer>Self-contained report: no scripts, no external resources. UAR: unweighted average recall. ECE: expected calibration error over 15 equal-width confidence bins.</footer>`,
  ];
  return page(input.title, body.filter(Boolean).join('\n'));
}
