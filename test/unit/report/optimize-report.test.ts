import { convergence, renderOptimizeReport, type OptimizeEvaluation } from '../../../lib/report/optimize-report';
import { optimizeInput, raceInput, recheckInput } from './fixtures';

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

describe('the race and the recheck', () => {
  const input = { ...optimizeInput(), race: raceInput(), recheck: recheckInput() };
  const html = renderOptimizeReport(input);
  const sectionOf = (title: string) => {
    const start = html.indexOf(`<h2>${title}</h2>`);
    expect(start).toBeGreaterThan(0);
    return html.slice(start, html.indexOf('</section>', start));
  };

  it('draws the incumbent\'s trajectory: leader, gain over the recipe, rungs, new seeds', () => {
    const race = sectionOf('Race: the incumbent iteration by iteration');
    expect(race).toContain('aria-label="Incumbent against the starting recipe"');
    expect(race).toContain('<div class="label">Incumbent</div><div class="value">#31</div><div class="hint">took the lead in iteration 1</div>');
    expect(race).toContain('<div class="label">Gain over the recipe</div><div class="value">+2.3</div>');
    expect(race).toContain('<div class="label">Challengers</div><div class="value">16</div><div class="hint">3 dropped by the paired test</div>');
    expect(race).toContain('<div class="label">New seeds earned</div><div class="value">1</div>');
    expect(race).toContain('<th>rung 1 (6 ep., 1 seed)</th><th>rung 2 (6 ep., 2 seeds)</th>');
    // Iteration 1: a challenger took the lead; iteration 2: the leader was proposed again and earned seed 2.
    expect(race).toContain('<tr class="highlight"><td class="num">1</td><td>#31 (new)</td><td class="num">+2.3</td><td>1–2</td><td>no</td><td>6 raced: 2 dropped, 3 cut</td><td>1 raced</td><td>#31 by +2.3 ± 0.8 points (6 pairs)</td><td class="num">21</td></tr>');
    expect(race).toContain('<tr><td class="num">2</td><td>#31</td><td class="num">+2.3</td><td>2–3</td><td>yes: the leader was proposed again</td><td>5 raced: 4 cut</td><td>1 raced</td><td>none</td><td class="num">24</td></tr>');
    expect(race).toContain('× 3 folds');
    expect(race).not.toContain('not shown');
  });

  it('gives the recheck\'s paired gain, its 90 % interval, the pairs and a plain verdict', () => {
    const recheck = sectionOf('Recheck on fresh seeds');
    expect(recheck).toContain('<p class="protocol-sentence">The 90 % interval includes 0: no gain shown.</p>');
    expect(recheck).toContain('<div class="label">Recheck gain</div><div class="value">+1.0</div>');
    expect(recheck).toContain('<div class="label">90 % interval</div><div class="value">[−1.6, +3.6]</div>');
    expect(recheck).toContain('<div class="label">Pairs</div><div class="value">4</div><div class="hint">2 fresh seeds (100001, 100002) × 2 fresh folds</div>');
    expect(recheck).toContain('evaluation #31');
    expect(recheck).toContain('aria-label="Paired differences on fresh seeds"');
    expect(recheck).toContain('<tr><td class="num">100002</td><td class="num">1</td><td class="num">0.4500</td><td class="num">0.4100</td><td class="num">+4.0</td></tr>');
    // The headline cards carry the number to quote.
    expect(html.slice(0, html.indexOf('<section>'))).toContain('<div class="label">Recheck gain</div><div class="value">+1.0</div><div class="hint">UAR points, 90 % interval [−1.6, +3.6]</div>');
  });

  it('says when the interval is above or below zero, and when the best is the recipe', () => {
    const g = recheckInput().gainPoints;
    const verdict = (over: object) => renderOptimizeReport({ ...input, recheck: { ...recheckInput(), ...over } });
    expect(verdict({ gainPoints: { ...g, low: 0.4 } })).toContain('The 90 % interval is above zero: the best configuration beats the starting recipe on fresh seeds.');
    expect(verdict({ gainPoints: { ...g, mean: -2, high: -0.1 } })).toContain('The 90 % interval is below zero');
    expect(verdict({ bestIsRecipe: true })).toContain('The best configuration is the starting recipe: the gain is 0 by construction.');
    expect(verdict({ folds: null })).toContain("2 fresh seeds (100001, 100002) on the split&#39;s validation speakers");
  });

  it('notes iterations that were not recorded, and shows no race or recheck section when there is none', () => {
    expect(renderOptimizeReport({ ...input, race: { ...raceInput(), unrecorded: 2 } })).toContain('2 earlier iteration(s) ran before their summaries were recorded');
    const plain = renderOptimizeReport(optimizeInput());
    expect(plain).not.toContain('Race:');
    expect(plain).not.toContain('Recheck');
  });

  it('names the bad field of a malformed race or recheck', () => {
    const bad = raceInput();
    expect(() => renderOptimizeReport({ ...input, race: { ...bad, iterations: [{ ...bad.iterations[0], newSeed: 'always' as 'leader' }] } })).toThrow(/input\.race\.iterations\[0\]\.newSeed/);
    expect(() => renderOptimizeReport({ ...input, recheck: { ...recheckInput(), gainPoints: { mean: NaN, low: 0, high: 0, n: 1 } } })).toThrow(/input\.recheck\.gainPoints\.mean/);
  });
});
