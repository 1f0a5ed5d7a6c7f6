// The viridis table: size, published end points, and the property it is chosen for.
import { VIRIDIS, colormapIndex } from '../../../lib/features/colormap';

const hex = (i: number) => '#' + [...VIRIDIS.subarray(3 * i, 3 * i + 3)].map((v) => v.toString(16).padStart(2, '0')).join('');

test('256 RGB entries from viridis dark purple to yellow, through its teal midpoint', () => {
  expect(VIRIDIS.length).toBe(256 * 3);
  expect(hex(0)).toBe('#440154');
  expect(hex(128)).toBe('#21918c');
  expect(hex(255)).toBe('#fde725');
});

test('lightness rises steadily, so louder always reads brighter (also in greyscale)', () => {
  // CIE L* from sRGB. 8-bit rounding leaves ±0.03 L* wiggles between neighbours, so compare
  // entries two apart (viridis climbs ~0.3 L* per step) and neighbours with that tolerance.
  const lin = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const lightness = (i: number) => {
    const y = 0.2126 * lin(VIRIDIS[3 * i]) + 0.7152 * lin(VIRIDIS[3 * i + 1]) + 0.0722 * lin(VIRIDIS[3 * i + 2]);
    return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
  };
  for (let i = 2; i < 256; i++) expect(lightness(i)).toBeGreaterThan(lightness(i - 2));
  for (let i = 1; i < 256; i++) expect(lightness(i)).toBeGreaterThan(lightness(i - 1) - 0.05);
  expect(lightness(255) - lightness(0)).toBeGreaterThan(60);
});

test('colormapIndex splits [0, 1] into 256 equal bins and clamps', () => {
  expect([-1, 0, 0.5 / 256, 1 / 256, 0.5, 255.5 / 256, 1, 2, NaN].map(colormapIndex)).toEqual([0, 0, 0, 1, 128, 255, 255, 255, 0]);
});
