// The thread policy of small forwards (issue 26, native/threads.h): a prediction of at most N windows runs
// on one intra-op thread. It must never change what a prediction says beyond float rounding, and its
// setter checks its argument at the boundary.
import { setNumThreads, setSerialForwardWindows } from '../../lib/device';
import { info } from '../../lib/info';
import { resolveTrainConfig } from '../../lib/model/config';
import { NativeModel } from '../../lib/model/native-model';
import { windowFrames } from '../../lib/model/features';

const c = resolveTrainConfig({});
const nMels = c.features.logMel.nMels;
const frames = windowFrames(c.features);
const input = (windows: number) => new Float32Array(windows * nMels * frames).map((_, i) => 10 * Math.sin(i * 0.37 + windows) - 5);

afterAll(() => {
  setSerialForwardWindows(2);
  setNumThreads(1);
});

test.each([1, 2, 3, 9])('%p window(s) on 2 threads: the same probabilities with the policy on and off (1e-5)', (windows) => {
  setNumThreads(2);
  const net = new NativeModel(c.architecture, nMels, 8, 'cpu', 1);
  const x = input(windows);
  const off = setSerialForwardWindows(0);
  const split = net.predict(x, windows, frames);
  setSerialForwardWindows(8);
  const serial = net.predict(x, windows, frames);
  // The serial forward handed this thread's count back.
  expect(info().threads.intraOp).toBe(2);
  setSerialForwardWindows(off);
  expect(serial.length).toBe(windows * 8);
  let worst = 0;
  for (let i = 0; i < serial.length; i++) worst = Math.max(worst, Math.abs(serial[i] - split[i]));
  expect(worst).toBeLessThan(1e-5);
});

test('setSerialForwardWindows returns the previous value and refuses what is not an integer >= 0', () => {
  const before = setSerialForwardWindows(4);
  expect(setSerialForwardWindows(before)).toBe(4);
  for (const bad of [-1, 1.5, NaN, '2' as unknown as number]) expect(() => setSerialForwardWindows(bad)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/windows/) }));
});
