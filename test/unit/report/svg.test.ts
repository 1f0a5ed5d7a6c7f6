import { barChart, blue, heatmap, hoverNumber, hoverPercent, lineChart } from '../../../lib/report/svg';
import { logAxis, niceAxis, tickLabel } from '../../../lib/report/scale';
import { escapeXml } from '../../../lib/report/escape';
import { duration, flatten, num, signed } from '../../../lib/report/format';
import { percent } from '../../../lib/metrics/percent';

describe('escapeXml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('axes', () => {
  it('picks nice ticks without float noise', () => {
    expect(niceAxis(0.12, 0.87, 5).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceAxis(0.1, 0.3, 2).ticks).toEqual([0.1, 0.2, 0.3]);
    expect(niceAxis(3, 3).ticks.length).toBeGreaterThan(1);
  });

  it('labels ticks with the decimals the step needs', () => {
    expect(tickLabel(0.5, 0.1)).toBe('0.5');
    expect(tickLabel(10, 5)).toBe('10');
    expect(tickLabel(0.0002, 0.0001)).toBe('2e-4');
  });

  it('puts log ticks on decades, with 2x and 5x over short ranges', () => {
    const a = logAxis(Math.log10(1e-4), Math.log10(1e-2));
    expect(a.labels).toEqual(['1e-4', '2e-4', '5e-4', '1e-3', '2e-3', '5e-3', '1e-2']);
    expect(logAxis(-1, 1).labels).toEqual(['0.1', '0.2', '0.5', '1', '2', '5', '10']);
    const flat = logAxis(-3, -3); // a constant learning rate
    expect(flat.ticks.length).toBeGreaterThanOrEqual(2);
    expect(flat.min).toBe(-3);
    expect(flat.max).toBeGreaterThan(-3);
  });
});

describe('format', () => {
  it('formats percentages, numbers and durations, and shows missing values as a dash', () => {
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(NaN)).toBe('–');
    expect(percent(undefined, { missing: '-' })).toBe('-');
    expect(percent(0.257, { digits: 0 })).toBe('26%');
    expect(percent(0.5, { unit: '' })).toBe('50.0');
    expect(num(0.123456, 3)).toBe('0.123');
    expect(num(0.00025, 3)).toBe('2.5e-4');
    expect(num(Infinity)).toBe('∞');
    expect(duration(4.24)).toBe('4.2 s');
    expect(duration(305)).toBe('5 min 05 s');
    expect(duration(3725)).toBe('1 h 02 min');
    expect(signed(1.26)).toBe('+1.3');
    expect(signed(-0.8)).toBe('−0.8');
    expect(signed(-0.04)).toBe('0.0');
    expect(signed(NaN)).toBe('–');
  });

  it('flattens nested config with dotted keys, keeping arrays whole', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(flatten({ m: { d: 0.3, sizes: [1, 2] }, x: 'y', e: {} })).toEqual([
      ['m.d', 0.3],
      ['m.sizes', [1, 2]],
      ['x', 'y'],
      ['e', {}],
    ]);
    expect(flatten(cyclic)).toEqual([
      ['a', 1],
      ['self', '[circular]'],
    ]);
  });
});

describe('lineChart', () => {
  const base = { title: 'T <1>', xLabel: 'epoch', yLabel: 'loss', width: 400, height: 300 };

  it('draws one path per line series, breaking at gaps', () => {
    const svg = lineChart({
      ...base,
      series: [
        { name: 'a', points: [[1, 1], [2, NaN], [3, 0.5], [4, 0.4]] },
        { name: 'b & c', points: [[1, 2], [4, 1]], dashed: true },
      ],
    });
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg).not.toContain('xmlns');
    const paths = svg.match(/<path d="[^"]*"/g) ?? [];
    expect(paths).toHaveLength(2);
    expect((String(paths[0]).match(/M/g) ?? []).length).toBe(2); // a gap at x=2 restarts the line
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('T &lt;1&gt;');
    expect(svg).toContain('b &amp; c');
  });

  it('draws a step path and scatter points', () => {
    const svg = lineChart({ ...base, series: [{ name: 's', points: [[1, 3], [2, 1]], mode: 'step' }, { name: 'p', points: [[1, 2], [2, 2], [3, 1]], mode: 'points' }] });
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+H[\d.]+V[\d.]+"/);
    expect((svg.match(/<circle [^>]*fill-opacity="0.8"/g) ?? []).length).toBe(3); // legend markers have no opacity
  });

  it('says so when there is nothing to draw', () => {
    expect(lineChart({ ...base, series: [{ name: 'a', points: [[1, NaN]] }] })).toContain('no data');
  });

  it('adds the SVG namespace only for standalone files', () => {
    expect(lineChart({ ...base, series: [], standalone: true })).toContain('xmlns="http://www.w3.org/2000/svg"');
  });

  it('rejects malformed series with the offending path', () => {
    expect(() => lineChart({ ...base, series: [{ name: 'a', points: [[1]] as never }] })).toThrow(/options\.series\[0\]\.points\[0\]/);
    expect(() => lineChart({ ...base, series: [{ name: 'a', points: [], mode: 'bars' as never }] })).toThrow(/options\.series\[0\]\.mode/);
    expect(() => lineChart({ ...base, width: 10, series: [] })).toThrow(RangeError);
  });
});

describe('heatmap', () => {
  const opts = { title: 'cm', rowLabels: ['a', 'b'], colLabels: ['a', 'b'], values: [[3, 1], [0, 0]] };

  it('row-normalises colours and numbers, keeping counts', () => {
    const svg = heatmap({ ...opts, normalize: 'row' });
    expect((svg.match(/class="cell"/g) ?? []).length).toBe(4);
    expect(svg).toContain('>75%<');
    expect(svg).toContain('>(3)<');
    expect(svg).toContain('fill="#eeeeee"'); // the empty row has no shares to colour
    expect(svg).toContain(`fill="${blue(0.75)}"`);
  });

  it('shows raw values when not normalised', () => {
    const svg = heatmap({ ...opts, values: [[0.5, 2], [1, 4]], normalize: 'none' });
    expect(svg).toContain('>0.50<');
    expect(svg).toContain(`fill="${blue(1)}"`);
  });

  it('rejects shape mismatches and negative counts', () => {
    expect(() => heatmap({ ...opts, values: [[1, 2]], normalize: 'row' })).toThrow(/2 rows \(one per row label\) for options\.values/);
    expect(() => heatmap({ ...opts, values: [[1], [2]], normalize: 'row' })).toThrow(/options\.values\[0\]/);
    expect(() => heatmap({ ...opts, values: [[1, -1], [0, 0]], normalize: 'row' })).toThrow(RangeError);
    expect(() => heatmap({ ...opts, normalize: 'col' as never })).toThrow(/options\.normalize/);
  });
});

describe('barChart', () => {
  it('draws one bar per finite value', () => {
    const svg = barChart({ title: 'b', categories: ['x', 'y'], series: [{ name: 'p', values: [0.5, 0.7] }, { name: 'q', values: [0.2, NaN] }], yLabel: '%' });
    expect((svg.match(/class="bar"/g) ?? []).length).toBe(3);
    expect(() => barChart({ title: 'b', categories: ['x'], series: [{ name: 'p', values: [1, 2] }], yLabel: '' })).toThrow(/options\.series\[0\]\.values/);
  });
});

describe('lineChart with integer x', () => {
  it('labels a one-epoch run with whole numbers only', () => {
    const svg = lineChart({ title: 't', xLabel: 'epoch', yLabel: 'y', series: [{ name: 'a', points: [[1, 0.5]] }], integerX: true });
    const xTicks = [...svg.matchAll(/text-anchor="middle" fill="#444">([^<]*)</g)].map((m) => m[1]);
    expect(xTicks).toEqual(['0', '1', '2']);
    expect((svg.match(/<circle [^>]*fill-opacity="0.8"/g) ?? []).length).toBe(1); // a lone point is drawn as a dot
  });
});

describe('lineChart gaps', () => {
  it('marks a point isolated by gaps with a dot, since a line through it would not show', () => {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[1, 1], [2, 2], [3, NaN], [4, 3], [5, NaN]] }] });
    expect((svg.match(/<circle [^>]*fill-opacity="0.8"/g) ?? []).length).toBe(1);
  });
});

describe('hover text', () => {
  it('rounds to 4 significant digits, percentages to one decimal', () => {
    expect([hoverNumber(0.123456789), hoverNumber(1234.5678), hoverNumber(2.0e-4 / 3), hoverNumber(12), hoverNumber(NaN)]).toEqual(['0.1235', '1235', '0.00006667', '12', 'NaN']);
    expect(hoverPercent(66.66666666666667)).toBe('66.7%');
  });

  it('every point of a line can be hovered, with its rounded value', () => {
    const svg = lineChart({ title: 't', xLabel: 'epoch', yLabel: '%', series: [{ name: 'UAR', points: [[1, 33.33333333], [2, 66.6666666], [3, 50]] }], yFormat: hoverPercent });
    const tips = [...svg.matchAll(/<circle class="hover"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(tips).toEqual(['UAR · epoch 1: 33.3%', 'UAR · epoch 2: 66.7%', 'UAR · epoch 3: 50.0%']);
    expect(svg).not.toMatch(/33\.333/);
  });

  it('bar tooltips are rounded', () => {
    const svg = barChart({ title: 't', categories: ['a'], series: [{ name: 'F1', values: [100 / 3] }], yLabel: '%', tooltipFormat: hoverPercent });
    expect(svg).toContain('<title>a · F1: 33.3%</title>');
    expect(barChart({ title: 't', categories: ['a'], series: [{ name: 'x', values: [2 / 3] }], yLabel: 'y' })).toContain('<title>a · x: 0.6667</title>');
  });
});
