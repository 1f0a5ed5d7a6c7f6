import { convergence, renderOptimizeReport, type OptimizeEvaluation } from '../../../lib/report/optimize-report';
import { optimizeInput } from './fixtures';

const ev = (index: number, fitness: number | null): OptimizeEvaluation => ({ index, iteration: 0, config: {}, fitness, status: fitness === null ? 'failed' : 'ok', seconds: 1 });

describe('convergence', () => {
  it('is the best fitness so far, in start order, ignoring failures', () => {
    const evals = [ev(2, 0.5), ev(0, null), ev(1, 0.7), ev(3, 0.6), ev(4, 0.2)];
    expect(convergence(evals)).toEqual([
      [1, NaN],
      [2, 0.7],
      [3, 0.5],
      [4, 0.5],
      [5, 0.2],
    ]);
    expect(convergence(evals, 'maximize').map((p) => p[1])).toEqual([NaN, 0.7, 0.7, 0.7, 0.7]);
  });

  it('treats an ok evaluation with a non-finite fitness as failed', () => {
    expect(convergence([ev(0, Infinity), ev(1, 1)])).toEqual([
      [1, NaN],
      [2, 1],
    ]);
  });
});

describe('renderOptimizeReport', () => {
  const input = optimizeInput();
  const html = renderOptimizeReport(input);

  it('is a complete, self-contained HTML page', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|src=/i);
  });

  it('draws the convergence curve against random search, and every evaluation', () => {
    expect(html).toContain('aria-label="Best fitness so far"');
    expect(html).toContain('aria-label="Every evaluation"');
    expect(html).toContain('data-name="random search"');
    expect(html).toContain('stroke-dasharray');
    // 15 ok evaluations and 16 random-search ones are plotted as points (legend markers have no opacity).
    const scatter = html.slice(html.indexOf('aria-label="Every evaluation"'));
    expect((scatter.slice(0, scatter.indexOf('</svg>')).match(/<circle [^>]*fill-opacity/g) ?? []).length).toBe(15 + 16);
  });

  it('summarises the search in the headline cards', () => {
    expect(html).toContain(`<div class="label">Best fitness</div><div class="value">${input.best.fitness.toFixed(4)}</div>`);
    expect(html).toContain('15 ok, 1 failed');
    expect(html).toMatch(/sfs-woa matched it after \d+ of 16 evaluations/);
  });

  it('lists the best configuration and its scores with their protocol', () => {
    expect(html).toContain('<td>hidden</td><td><code>');
    expect(html).toContain('speaker-independent: validation speakers never heard in training');
    expect((html.match(/class="cell"/g) ?? []).length).toBe(25);
  });

  it('lists failed evaluations with their escaped errors', () => {
    expect(html).toContain('Failed evaluations (1)');
    expect(html).toContain('<pre>SerNativeError: CUDA out of memory &lt;tried 2.0 GiB&gt;</pre>');
    expect(html).not.toContain('<tried');
  });

  it('describes the search space and budget', () => {
    expect(html).toContain('<td>lr</td><td>float</td><td>[0.0001, 0.01]</td><td>log</td>');
    expect(html).toContain('<td>hidden</td><td>choice</td><td>64 | 128 | 256</td>');
    expect(html).toContain('<td>epochsPerEvaluation</td><td>10</td>');
  });

  it('plots fitness against each numeric hyper-parameter, on a log axis for log dimensions', () => {
    expect(html).toContain('aria-label="lr"');
    expect(html).toContain('lr (log scale)');
    expect(html).toContain('aria-label="dropout"');
  });

  it('works without a baseline and with every evaluation failed', () => {
    const failedOnly = renderOptimizeReport({ ...input, baseline: undefined, evaluations: [ev(0, null), ev(1, null)], best: { config: {}, fitness: Infinity } });
    expect(failedOnly).toContain('0 ok, 2 failed');
    expect(failedOnly).toContain('no data');
    expect(failedOnly).not.toContain('random search');
  });

  it('escapes the algorithm name and names the bad field of malformed input', () => {
    expect(renderOptimizeReport({ ...input, algorithm: '<script>' })).not.toContain('<script>');
    expect(() => renderOptimizeReport({ ...input, evaluations: [{ ...ev(0, 1), status: 'done' as 'ok' }] })).toThrow(/input\.evaluations\[0\]\.status/);
    expect(() => renderOptimizeReport({ ...input, evaluations: [ev(0, null), { ...ev(1, 1), fitness: null }] })).toThrow(/input\.evaluations\[1\]\.fitness/);
    expect(() => renderOptimizeReport({ ...input, best: { config: {}, fitness: '0.3' as unknown as number } })).toThrow(TypeError);
  });
});
