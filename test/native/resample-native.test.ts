// The addon's polyphase loop applies lib/audio/resample.ts's kernel: both paths must agree.
import { resample } from '../../lib/audio/resample';
import { resampleNative } from '../../lib/audio/decode';

test.each([
  [48000, 16000],
  [44100, 16000],
  [8000, 16000],
  [22050, 16000],
])('%i Hz → %i Hz: native equals TypeScript to float rounding', (from, to) => {
  const x = new Float32Array(Math.round(from * 0.7));
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / from) + 0.2 * Math.sin((2 * Math.PI * 3100 * i) / from) + 0.05 * Math.cos(i * 0.37);
  const a = resample(x, from, to);
  const b = resampleNative(x, from, to);
  expect(b.length).toBe(a.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(2e-6);
});

test('same rate returns the input unchanged', () => {
  const x = new Float32Array([0.1, 0.2, 0.3]);
  expect(resampleNative(x, 16000, 16000)).toBe(x);
});
