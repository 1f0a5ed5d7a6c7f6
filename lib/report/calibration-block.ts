// Calibration in a report: the reliability diagram (accuracy against confidence per bin, the
// diagonal is perfect calibration) before and after temperature scaling, and ECE / NLL.
import type { CalibrationReport } from '../metrics/calibration';
import { escapeXml as esc } from './escape';
import { num } from './format';
import { percent } from '../metrics/percent';
import { table } from './html';
import { lineChart } from './svg';

const points = (r: CalibrationReport): Array<[number, number]> => r.bins.filter((b) => b.count > 0).map((b) => [b.confidence! * 100, b.accuracy! * 100]);

/** Reliability diagram and ECE table for predictions before and after calibration. */
export function calibrationBlock(title: string, before: CalibrationReport, after: CalibrationReport, note = ''): string {
  const chart = lineChart({
    title: `${title}: reliability diagram (${before.bins.length} bins)`,
    xLabel: 'confidence (top probability), %',
    yLabel: 'accuracy, %',
    xRange: [0, 100],
    yRange: [0, 100],
    series: [
      { name: 'perfect calibration', points: [[0, 0], [100, 100]], color: '#999999', dashed: true },
      { name: `before (ECE ${percent(before.ece)})`, points: points(before), mode: 'line+points' },
      { name: `after (ECE ${percent(after.ece)})`, points: points(after), mode: 'line+points' },
    ],
    width: 480,
    height: 400,
  });
  const rows = [
    ['before', percent(before.ece), percent(before.mce), num(before.nll, 4), before.n],
    ['after', percent(after.ece), percent(after.mce), num(after.nll, 4), after.n],
  ];
  return (
    (note ? `<p class="muted">${esc(note)}</p>` : '') +
    table(['', `ECE (${before.bins.length} bins)`, 'max bin gap', 'NLL', 'samples'], rows, { numeric: [1, 2, 3, 4] }) +
    `<div class="charts">${chart}</div>`
  );
}
