import { benchmarkSpace, rastrigin, scaleToBounds, sphere } from '../../../lib/hpo/functions';
import {
  type EvaluationRecord,
  type MinimizeCheckpoint,
  minimize,
  resumeMinimize,
} from '../../../lib/hpo/minimize';
import { ALGORITHMS } from '../../../lib/hpo/optimizer';
import type { Space } from '../../../lib/hpo/space';

const space = benchmarkSpace(rastrigin, 4);
const objective = (c: Record<string, number>) => rastrigin.evaluate(Object.values(c));

/** History without the wall-clock times, which legitimately differ between runs. */
const timeless = <C>(h: EvaluationRecord<C>[]) => h.map(({ timeMs: _t, ...rest }) => rest);

describe('minimize', () => {
  it.each(ALGORITHMS)('%s: never exceeds the budget, also when it is not a multiple of the batch', async (algorithm) => {
    for (const maxEvaluations of [1, 7, 50, 123]) {
      let calls = 0;
      const result = await minimize(
        (c) => {
          calls++;
          return objective(c);
        },
        space,
        { algorithm, population: 6, maxEvaluations, seed: 2 },
      );
      expect(calls).toBe(maxEvaluations);
      expect(result.evaluations).toBe(maxEvaluations);
      expect(result.history.map((r) => r.evaluation)).toEqual([...Array(maxEvaluations).keys()]);
    }
  });

  it.each(ALGORITHMS)('%s: resumes from a JSON checkpoint with the identical history and best', async (algorithm) => {
    const options = { algorithm, population: 6, iterations: 10, seed: 5 } as const;
    const checkpoints: string[] = [];
    const straight = await minimize(objective, space, {
      ...options,
      onIteration: (p) => {
        checkpoints.push(JSON.stringify(p.state));
      },
    });
    expect(checkpoints).toHaveLength(straight.iterations);
    const afterFour = JSON.parse(checkpoints[3]) as MinimizeCheckpoint;
    const resumed = await resumeMinimize(objective, space, afterFour);
    const firstFour = straight.history.filter((r) => r.iteration < 4);
    expect(timeless([...firstFour, ...resumed.history])).toEqual(timeless(straight.history));
    expect(resumed.history[0].iteration).toBe(4);
    expect(resumed.best).toEqual(straight.best);
    expect(resumed.evaluations).toBe(straight.evaluations);
    expect(resumed.state).toEqual(straight.state);
  });

  it('survives a kill: abort after 4 iterations, then resume for the remaining 6', async () => {
    const options = { population: 6, iterations: 10, seed: 3, maxEvaluations: 1000 } as const;
    const straight = await minimize(objective, space, options);
    const controller = new AbortController();
    let saved = '';
    const head: EvaluationRecord<Record<string, number>>[] = [];
    const killed = minimize(objective, space, {
      ...options,
      signal: controller.signal,
      onIteration: (p) => {
        saved = JSON.stringify(p.state);
        head.push(...p.records);
        if (p.iteration === 3) controller.abort();
      },
    });
    await expect(killed).rejects.toMatchObject({ name: 'AbortError' });
    expect(head.at(-1)!.iteration).toBe(3);
    const resumed = await resumeMinimize(objective, space, JSON.parse(saved));
    expect(timeless([...head, ...resumed.history])).toEqual(timeless(straight.history));
    expect(resumed.best).toEqual(straight.best);
  });

  it('on an abort mid-iteration starts nothing new, drops the partial iteration and stays resumable', async () => {
    const options = { algorithm: 'random', population: 10, iterations: 5, seed: 8 } as const;
    const straight = await minimize(objective, space, options);
    const controller = new AbortController();
    let saved = '';
    let started = 0;
    const killed = minimize(
      async (c, context) => {
        started++;
        if (context.evaluation === 23) controller.abort(new Error('shutting down'));
        await new Promise((resolve) => setTimeout(resolve, 1));
        return objective(c);
      },
      space,
      { ...options, concurrency: 2, signal: controller.signal, onIteration: (p) => void (saved = JSON.stringify(p.state)) },
    );
    await expect(killed).rejects.toThrow('shutting down');
    expect(started).toBe(24); // 0 .. 23: evaluation 22 was in flight beside 23, nothing started after the abort
    const checkpoint = JSON.parse(saved) as MinimizeCheckpoint;
    expect(checkpoint.evaluations).toBe(20);
    const resumed = await resumeMinimize(objective, space, checkpoint);
    expect(timeless(resumed.history)).toEqual(timeless(straight.history.slice(20)));
  });

  it('records a failing evaluation with its message and keeps searching', async () => {
    const s = { a: { type: 'float', min: 0, max: 1 }, b: { type: 'choice', values: ['ok', 'bad'] } } as const satisfies Space;
    const result = await minimize(
      async (c) => {
        if (c.b === 'bad') throw new Error(`diverged at a=${c.a.toFixed(2)}`);
        if (c.a > 0.9) return 'oops' as unknown as number;
        return (c.a - 0.3) ** 2;
      },
      s,
      { maxEvaluations: 200, population: 8, seed: 4, penalty: 1e9 },
    );
    const failed = result.history.filter((r) => r.error !== undefined);
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.value).toBe(1e9);
      if (r.config.b === 'bad') expect(r.error).toBe(`diverged at a=${r.config.a.toFixed(2)}`);
      else expect(r.error).toBe("Expected number for objective value but received 'oops' of type string");
    }
    expect(result.evaluations).toBe(200);
    expect(result.best!.config.b).toBe('ok');
    expect(result.best!.value).toBeLessThan(1e-3);
  });

  it('reports best = null when every evaluation fails, and a JSON-safe state with infinite penalties', async () => {
    const result = await minimize(
      () => {
        throw new Error('no GPU');
      },
      space,
      { algorithm: 'random', maxEvaluations: 30, seed: 1 },
    );
    expect(result.best).toBeNull();
    expect(result.history.every((r) => r.error === 'no GPU' && r.value === Infinity)).toBe(true);
    const resumed = await resumeMinimize(() => 1, space, JSON.parse(JSON.stringify(result.state)), { maxEvaluations: 40 });
    expect(resumed.evaluations).toBe(40);
    expect(resumed.best!.value).toBe(1);
  });

  it('keeps at most `concurrency` evaluations in flight, and uses that many', async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await minimize(
      async (c, context) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        // Uneven delays so that completions come back out of order.
        await new Promise((resolve) => setTimeout(resolve, (context.evaluation * 7) % 5));
        inFlight--;
        return objective(c);
      },
      space,
      { maxEvaluations: 60, population: 10, concurrency: 3, seed: 6 },
    );
    expect(peak).toBe(3);
    // Records follow ask order, not completion order.
    expect(result.history.map((r) => r.evaluation)).toEqual([...Array(60).keys()]);
    const sequential = await minimize(objective, space, { maxEvaluations: 60, population: 10, seed: 6 });
    expect(timeless(result.history)).toEqual(timeless(sequential.history));
  });

  it('calls onIteration after every iteration with the best so far', async () => {
    const seen: { iteration: number; evaluations: number; best: number }[] = [];
    const result = await minimize(objective, space, {
      algorithm: 'woa',
      population: 5,
      iterations: 6,
      onIteration: async (p) => {
        seen.push({ iteration: p.iteration, evaluations: p.evaluations, best: p.best!.value });
      },
    });
    expect(seen.map((s) => s.iteration)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.map((s) => s.evaluations)).toEqual([5, 10, 15, 20, 25, 30]);
    for (let i = 1; i < seen.length; i++) expect(seen[i].best).toBeLessThanOrEqual(seen[i - 1].best);
    expect(seen.at(-1)!.best).toBe(result.best!.value);
  });

  it('decodes the best point to the best configuration', async () => {
    const s = benchmarkSpace(sphere, 3);
    const result = await minimize((c) => sphere.evaluate(Object.values(c)), s, { maxEvaluations: 300 });
    const { x, config, value } = result.best!;
    expect(Object.values(config)).toEqual(scaleToBounds(sphere, x));
    expect(value).toBe(sphere.evaluate(Object.values(config)));
    expect(value).toBe(Math.min(...result.history.map((r) => r.value)));
  });

  it('rejects bad options with errors naming them', async () => {
    await expect(minimize(objective, space, {})).rejects.toThrow(/iterations, maxEvaluations or maxBudget/);
    await expect(minimize(objective, space, { maxEvaluations: -1 })).rejects.toThrow(
      new RangeError('Expected positive integer for maxEvaluations but received -1 of type number'),
    );
    await expect(minimize(objective, space, { maxEvaluations: 10, concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(
      minimize(objective, space, { maxEvaluations: 10, algorithm: 'pso' as unknown as 'woa' }),
    ).rejects.toThrow(/algorithm/);
    await expect(minimize(objective, space, { maxEvaluations: 10, algorithm: 'woa', walks: 3 })).rejects.toThrow(
      /walks applies to algorithm "sfs-woa" only/,
    );
    await expect(minimize(objective, space, { maxEvaluations: 10, penalty: NaN })).rejects.toThrow(/penalty/);
    await expect(minimize('f' as unknown as typeof objective, space, { maxEvaluations: 10 })).rejects.toThrow(
      /function for objective/,
    );
    const done = await minimize(objective, space, { maxEvaluations: 10 });
    await expect(resumeMinimize(objective, benchmarkSpace(rastrigin, 3), done.state)).rejects.toThrow(/state\.names/);
    await expect(resumeMinimize(objective, space, { kind: 'other' })).rejects.toThrow(/checkpoint/);
  });
});
