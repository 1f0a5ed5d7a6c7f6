// Building blocks of the self-contained HTML reports: the page shell with inline CSS, tables, headline
// cards and sections. Plain strings are escaped; markup the code built itself is passed as { html }.
// The Content-Security-Policy forbids every fetch and script, so a report that reached for the network
// would show it as broken rather than phone home.
import { escapeXml as esc } from './escape';

/** Markup that is already safe (built by this module or the SVG helpers), passed through unescaped. */
export interface Html {
  html: string;
}

export const raw = (html: string): Html => ({ html });

export type Cell = string | number | null | undefined | Html;

const isHtml = (c: unknown): c is Html => typeof c === 'object' && c !== null && typeof (c as Html).html === 'string';

export function cell(c: Cell): string {
  if (isHtml(c)) return c.html;
  if (c === null || c === undefined) return '–';
  return esc(c);
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1c1e21; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #dde1e6; }
h3 { font-size: 15px; margin: 18px 0 8px; }
.subtitle { color: #5a6270; margin: 0 0 16px; }
.protocol { border-left: 5px solid #2e7d32; background: #eef7ee; padding: 10px 14px; margin: 14px 0; border-radius: 4px; }
.protocol.speaker-dependent { border-color: #b26a00; background: #fff6e5; }
.protocol .protocol-sentence { font-weight: 600; font-size: 15px; margin: 0; }
.protocol p { margin: 4px 0 0; }
.warning { border-left: 5px solid #c62828; background: #fdecea; padding: 8px 14px; margin: 10px 0; border-radius: 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 12px 18px; min-width: 150px; }
.card .label { color: #5a6270; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 28px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .hint { color: #5a6270; font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 16px; align-items: start; }
svg.chart { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; width: 100%; height: auto; }
svg.chart.heatmap { max-width: 820px; }
.charts.small { grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr)); }
table { border-collapse: collapse; background: #fff; border: 1px solid #dde1e6; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid #eceef1; text-align: left; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.num, th.num { text-align: right; }
tr.highlight td { background: #fff8d6; }
tr.total td { font-weight: 600; border-top: 2px solid #dde1e6; }
td code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; max-width: 640px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #2a5db0; }
.muted { color: #5a6270; }
ul.notes { margin: 6px 0; padding-left: 20px; }
footer { margin-top: 36px; color: #8a919c; font-size: 12px; }
@media print { body { background: #fff; } details { display: block; } }
`;

export function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    body,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}

export interface TableOptions {
  /** Indices of right-aligned (numeric) columns. */
  numeric?: readonly number[];
  /** Per-row CSS class, e.g. 'highlight' for the best epoch. */
  rowClass?: (index: number) => string | undefined;
  className?: string;
}

export function table(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>, options: TableOptions = {}): string {
  const numeric = new Set(options.numeric ?? []);
  const cls = (j: number): string => (numeric.has(j) ? ' class="num"' : '');
  const head = `<thead><tr>${headers.map((h, j) => `<th${cls(j)}>${esc(h)}</th>`).join('')}</tr></thead>`;
  const body = rows
    .map((row, i) => {
      const rc = options.rowClass?.(i);
      return `<tr${rc ? ` class="${esc(rc)}"` : ''}>${row.map((c, j) => `<td${cls(j)}>${cell(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table${options.className ? ` class="${esc(options.className)}"` : ''}>${head}<tbody>\n${body}\n</tbody></table>`;
}

export interface Card {
  label: string;
  value: string;
  hint?: string;
}

export function cards(items: readonly Card[]): string {
  const one = (c: Card): string =>
    `<div class="card"><div class="label">${esc(c.label)}</div><div class="value">${esc(c.value)}</div>${c.hint ? `<div class="hint">${esc(c.hint)}</div>` : ''}</div>`;
  return `<div class="cards">${items.map(one).join('')}</div>`;
}

export function section(title: string, content: string): string {
  return `<section><h2>${esc(title)}</h2>\n${content}\n</section>`;
}

/** Collapsed block (native <details>, no script) for long tables. */
export function details(summary: string, content: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${esc(summary)}</summary>\n${content}\n</details>`;
}

export function list(items: readonly string[], className = 'notes'): string {
  return `<ul class="${esc(className)}">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
}
