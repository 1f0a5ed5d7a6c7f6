import { renderTrainingReport } from '../../../lib/report/train-report';
import { LABELS, trainingInput, validationReport } from './fixtures';

const count = (html: string, re: RegExp): number => (html.match(re) ?? []).length;

describe('renderTrainingReport', () => {
  const input = trainingInput();
  const html = renderTrainingReport(input);

  it('is a complete HTML page', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<title>CNN+LSTM on RAVDESS</title>');
  });

  it('says when the data is the synthetic demo corpus, and only then', () => {
    expect(html).not.toMatch(/synthetic demo corpus/);
    const demo = renderTrainingReport({ ...input, synthetic: true });
    expect(demo).toMatch(/<div class="warning">Data: synthetic demo corpus, not real speech\./);
    expect(() => renderTrainingReport({ ...input, synthetic: 'yes' as unknown as boolean })).toThrow(/input\.synthetic/);
  });

  it('lays the charts out on a grid that fills the page width', () => {
    expect(html).toMatch(/\.charts \{ display: grid; grid-template-columns: repeat\(auto-fit, minmax\(min\(100%, 460px\), 1fr\)\)/);
    expect(html).toMatch(/svg\.chart \{[^}]*width: 100%; height: auto;/);
  });

  it('states the protocol in plain words', () => {
    expect(html).toContain('speaker-independent: validation speakers never heard in training');
    expect(html).toContain('RAVDESS actors 01-16 train, 17-20 validation');
  });

  it('shows the headline numbers as percentages', () => {
    const v = validationReport();
    expect(v.accuracy).toBeCloseTo(0.725);
    expect(html).toContain('<div class="label">Accuracy</div><div class="value">72.5%</div>');
    expect(html).toContain(`<div class="label">UAR</div><div class="value">${(v.uar * 100).toFixed(1)}%</div>`);
    expect(html).toContain(`<div class="label">Macro-F1</div><div class="value">${(v.macroF1 * 100).toFixed(1)}%</div>`);
    expect(html).toContain('chance 20.0%');
  });

  it('draws the curves and the confusion matrix as inline SVG', () => {
    expect(html).toContain('<svg');
    expect(html).toContain('aria-label="Loss"');
    expect(html).toContain('aria-label="Accuracy and UAR"');
    expect(html).toContain('validation loss');
    // Validation matrix plus one per corpus (two corpora), each 5 x 5.
    expect(count(html, /class="cell"/g)).toBe(3 * LABELS.length ** 2);
  });

  it('has one confusion cell per class pair for a single report', () => {
    const single = renderTrainingReport({ ...input, metrics: validationReport() });
    expect(count(single, /class="cell"/g)).toBe(LABELS.length ** 2);
    expect(single).not.toContain('Validation per corpus');
  });

  it('lists per-class scores with support', () => {
    const v = validationReport();
    expect(html).toContain('<th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">support</th>');
    expect(html).toContain(`<td>sad</td><td class="num">${v.perClass.sad.precision.toFixed(3)}</td><td class="num">${v.perClass.sad.recall.toFixed(3)}</td>`);
    expect(html).toContain('Macro average');
  });

  it('shows the config flattened, and the per-corpus breakdown', () => {
    expect(html).toContain('<td>model.lstmHidden</td><td><code>128</code></td>');
    expect(html).toContain('<td>model.conv</td><td><code>[32,64]</code></td>');
    expect(html).toContain('<td>ravdess</td><td>speaker-independent</td>');
  });

  it('escapes every piece of user text', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('savee &amp; &lt;co&gt;');
    const evil = renderTrainingReport({ ...input, title: '</title><script>x()</script>', notes: ['<img src=x onerror=alert(1)>'] });
    expect(evil).not.toMatch(/<script|<img/);
  });

  it('is self-contained: no network references and no scripts', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|src=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('marks the best epoch by validation UAR', () => {
    expect(html).toContain('<div class="label">Best epoch</div><div class="value">12</div>');
    expect(html).toMatch(/<tr class="highlight"><td class="num">12<\/td>/);
  });

  it('warns when a speaker-independent claim meets overlapping speaker lists', () => {
    const overlap = renderTrainingReport({ ...input, dataset: { train: { n: 10, speakers: ['a', 'b'] }, validation: { n: 5, speakers: ['b'] } } });
    expect(overlap).toMatch(/class="warning">The protocol says speaker-independent, but 1 validation speaker\(s\) are also in training: b\./);
    expect(html).not.toContain('class="warning"');
  });

  it('renders a speaker-dependent protocol as such', () => {
    const sd = validationReport({ name: 'speaker-dependent', description: 'utterance-level split' });
    const out = renderTrainingReport({ ...input, metrics: sd });
    expect(out).toContain('speaker-dependent: the same speakers are heard in training and validation');
    expect(out).not.toContain('never heard in training');
  });

  it('copes with an empty history and NaN losses (null after JSON)', () => {
    expect(renderTrainingReport({ ...input, history: [] })).toContain('No training history was recorded.');
    const diverged = JSON.parse(JSON.stringify({ ...input, history: [{ ...input.history[0], trainLoss: NaN, valLoss: NaN }, input.history[1]] }));
    const out = renderTrainingReport(diverged);
    expect(out).toContain('<svg');
    expect(out).not.toContain('NaN');
  });

  it('names the bad field of malformed input', () => {
    expect(() => renderTrainingReport({ ...input, title: 3 as unknown as string })).toThrow(/input\.title/);
    expect(() => renderTrainingReport({ ...input, history: [{ ...input.history[0], epoch: 'one' as unknown as number }] })).toThrow(/input\.history\[0\]\.epoch/);
    const broken = { ...validationReport(), confusion: [[1]] };
    expect(() => renderTrainingReport({ ...input, metrics: broken })).toThrow(RangeError);
    expect(() => renderTrainingReport({ ...input, metrics: broken })).toThrow(/input\.metrics\.confusion/);
    expect(() => renderTrainingReport({ ...input, dataset: { train: { n: 1, speakers: 2 } } as never })).toThrow(/input\.dataset\.validation/);
  });

  it('renders the same page for the same input', () => {
    expect(renderTrainingReport(trainingInput())).toBe(html);
  });
});
