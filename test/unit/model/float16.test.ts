import { float16ToFloat32, float32ToFloat16 } from '../../../lib/model/float16';

test('exact values and their bit patterns', () => {
  const x = new Float32Array([0, -0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 1 / 3, Infinity, -Infinity]);
  const h = float32ToFloat16(x);
  expect(Array.from(h.slice(0, 9))).toEqual([0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0400, 0x0001, 0x3555]);
  expect(h[9]).toBe(0x7c00);
  expect(h[10]).toBe(0xfc00);
  expect(Array.from(float16ToFloat32(h))).toEqual([0, -0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 0.333251953125, Infinity, -Infinity]);
  expect(float16ToFloat32(float32ToFloat16(new Float32Array([NaN])))[0]).toBeNaN();
});

test('rounds to nearest even, overflows to infinity, underflows to zero', () => {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
  expect(float32ToFloat16(new Float32Array([1 + 2 ** -11]))[0]).toBe(0x3c00);
  expect(float32ToFloat16(new Float32Array([1 + 3 * 2 ** -11]))[0]).toBe(0x3c02);
  expect(float32ToFloat16(new Float32Array([70000]))[0]).toBe(0x7c00);
  expect(float32ToFloat16(new Float32Array([2 ** -26]))[0]).toBe(0);
});

test('relative error of normal numbers is at most 2^-11', () => {
  let worst = 0;
  for (let i = 0; i < 10000; i++) {
    const v = (Math.sin(i * 12.9898) * 43758.5453) % 8;
    if (Math.abs(v) < 1e-4) continue;
    const back = float16ToFloat32(float32ToFloat16(new Float32Array([v])))[0];
    worst = Math.max(worst, Math.abs(back - Math.fround(v)) / Math.abs(Math.fround(v)));
  }
  expect(worst).toBeLessThanOrEqual(2 ** -11);
});
