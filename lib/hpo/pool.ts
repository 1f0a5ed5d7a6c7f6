// A minimal promise pool: runs `task(i)` for i = 0 .. count-1 with at most `concurrency` in flight.
// Results land at their index whatever the completion order, so callers stay deterministic.
import * as is from '../is';

/**
 * Resolves when every started task has settled. Once `signal` is aborted no new task starts (tasks already
 * running finish, and their slots stay undefined if never started). The first rejection is re-thrown after
 * the running tasks settle.
 */
export async function runPool<R>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<(R | undefined)[]> {
  is.positiveInteger('concurrency', concurrency);
  const results = new Array<R | undefined>(count).fill(undefined);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (next < count && failure === null && !signal?.aborted) {
      const index = next++;
      try {
        results[index] = await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(concurrency, count); w++) workers.push(worker());
  await Promise.all(workers);
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
