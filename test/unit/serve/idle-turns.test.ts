// The serve helpers that keep the service responsive and lean: one request's JS-thread work per
// event-loop turn, and memory given back once work has stopped for a while.
import { IdleRelease } from '../../../lib/serve/idle-release';
import { Turns } from '../../../lib/serve/turns';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('Turns: callers resume one per event-loop turn, in order, so a timer fires between them (not after all)', async () => {
  const turns = new Turns();
  const done: number[] = [];
  let timerAfter = -1;
  const busy = (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end);
  };
  const all = Array.from({ length: 20 }, (_, i) => turns.next().then(() => {
    busy(5);
    done.push(i);
  }));
  setTimeout(() => (timerAfter = done.length), 1);
  await Promise.all(all);
  expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
  // All 20 in one go would take 100 ms before the timer could run.
  expect(timerAfter).toBeGreaterThanOrEqual(0);
  expect(timerAfter).toBeLessThan(5);
});

test('IdleRelease: releases once work has stopped for the delay, not while work goes on, again after each burst, never after stop()', async () => {
  let released = 0;
  const idle = new IdleRelease(() => released++, 40);
  idle.begin();
  idle.begin();
  idle.end();
  await sleep(80);
  expect(released).toBe(0); // one piece of work still running
  idle.end();
  await sleep(20);
  idle.begin(); // new work within the delay cancels the pending release
  await sleep(60);
  expect(released).toBe(0);
  idle.end();
  await sleep(80);
  expect(released).toBe(1);
  idle.begin();
  idle.end();
  await sleep(80);
  expect(released).toBe(2);
  idle.begin();
  idle.end();
  idle.stop();
  await sleep(80);
  expect(released).toBe(2);
});
