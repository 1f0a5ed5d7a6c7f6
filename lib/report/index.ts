// Self-contained HTML reports (training, hyper-parameter search) and the SVG charts they are drawn with.
export { renderTrainingReport } from './train-report';
export type { TrainingEpoch, TrainingMetrics, TrainingReportInput, SplitSummary } from './train-report';
export { renderOptimizeReport, convergence } from './optimize-report';
export type { OptimizeEvaluation, OptimizeReportInput } from './optimize-report';
export { lineChart, heatmap, barChart } from './svg';
export type { LineChartOptions, LineSeries, HeatmapOptions, BarChartOptions, BarSeries } from './svg';
export { escapeXml } from './escape';
