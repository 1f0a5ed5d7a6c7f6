// The PNG encoder and spectrogram rendering, checked with an independent decoder written here
// (chunk walk, bit-by-bit CRC, zlib inflate, PNG filter reversal). No addon needed.
import * as zlib from 'zlib';
import { crc32, encodePng, spectrogramToPng } from '../../../lib/features/png';
import { VIRIDIS } from '../../../lib/features/colormap';

/** Bitwise CRC-32 (no table), independent of the encoder's table-driven one. */
function slowCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
  crcOk: boolean;
}

function chunks(png: Buffer): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let pos = 8;
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    const crc = png.readUInt32BE(pos + 8 + len);
    out.push({ type, data, crcOk: crc === slowCrc32(png.subarray(pos + 4, pos + 8 + len)) });
    pos += 12 + len;
  }
  expect(pos).toBe(png.length);
  return out;
}

/** Decodes an 8-bit RGB, non-interlaced PNG to { width, height, rgb } (all five filter types). */
function decode(png: Buffer): { width: number; height: number; rgb: Uint8Array } {
  const cs = chunks(png);
  for (const c of cs) expect({ type: c.type, crcOk: c.crcOk }).toEqual({ type: c.type, crcOk: true });
  expect(cs[0].type).toBe('IHDR');
  expect(cs[cs.length - 1]).toMatchObject({ type: 'IEND' });
  const ihdr = cs[0].data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, filter 0, no interlace
  const raw = zlib.inflateSync(Buffer.concat(cs.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * 3;
  expect(raw.length).toBe((stride + 1) * height);
  const rgb = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= 3 ? rgb[y * stride + i - 3] : 0;
      const b = y > 0 ? rgb[(y - 1) * stride + i] : 0;
      const c = i >= 3 && y > 0 ? rgb[(y - 1) * stride + i - 3] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      expect(pred).toBeDefined();
      rgb[y * stride + i] = (x + pred) & 0xff;
    }
  }
  return { width, height, rgb };
}

const pixel = (img: { width: number; rgb: Uint8Array }, x: number, y: number) => [...img.rgb.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
const colour = (i: number) => [...VIRIDIS.subarray(3 * i, 3 * i + 3)];

describe('crc32', () => {
  test('matches the PNG specification check value and a bitwise implementation', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082); // the CRC every PNG ends with
    const random = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) & 0xff));
    expect(crc32(random)).toBe(slowCrc32(random));
  });

  const nodeCrc = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
  (nodeCrc ? test : test.skip)('agrees with zlib.crc32', () => {
    const b = Buffer.from('spectrogram');
    expect(crc32(b)).toBe(nodeCrc!(b));
  });
});

describe('encodePng', () => {
  test('round-trips arbitrary pixels through an independent decoder', () => {
    const width = 7;
    const height = 5;
    const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 37 + (i >> 3)) & 0xff);
    const img = decode(encodePng(width, height, rgb));
    expect([img.width, img.height]).toEqual([width, height]);
    expect(Buffer.from(img.rgb).equals(Buffer.from(rgb))).toBe(true);
  });

  test('a corrupted byte is caught by the chunk CRC', () => {
    const png = encodePng(4, 4, new Uint8Array(48).fill(200));
    expect(chunks(png).every((c) => c.crcOk)).toBe(true);
    const bad = Buffer.from(png);
    const idat = bad.indexOf('IDAT', 8, 'latin1');
    bad[idat + 6] ^= 0x01; // flip one bit inside the compressed data
    const after = chunks(bad);
    expect(after.find((c) => c.type === 'IDAT')!.crcOk).toBe(false);
    expect(after.filter((c) => c.type !== 'IDAT').every((c) => c.crcOk)).toBe(true);
  });

  test('rejects a pixel buffer of the wrong size, naming it', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow(/width\*height\*3 = 12 bytes for rgb/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/positive integer for width/);
  });
});

describe('spectrogramToPng', () => {
  const nMels = 8;
  const frames = 6;

  test('time runs left to right and the lowest mel band is the bottom row', () => {
    // Quiet everywhere (-100 dB) except a "tone" in mel band 1 over frames 3..5.
    const data = new Float32Array(nMels * frames).fill(-100);
    for (let t = 3; t < frames; t++) data[1 * frames + t] = 0;
    const r = spectrogramToPng(data, nMels, frames);
    expect([r.width, r.height]).toEqual([frames, nMels]);
    expect(r.dbRange).toEqual([-80, 0]);
    const img = decode(r.png);
    const bright = colour(255);
    const dark = colour(0);
    for (let y = 0; y < nMels; y++) {
      for (let x = 0; x < frames; x++) {
        const expected = y === nMels - 2 && x >= 3 ? bright : dark; // mel 1 is the second row from the bottom
        expect({ x, y, rgb: pixel(img, x, y) }).toEqual({ x, y, rgb: expected });
      }
    }
  });

  test('scale replicates cells into blocks; [perFrame, perMel] scales each axis', () => {
    const data = new Float32Array(nMels * frames).fill(-100);
    data[0] = 0; // mel 0, frame 0: bottom-left cell
    const r = spectrogramToPng(data, nMels, frames, { scale: [3, 2] });
    expect([r.width, r.height]).toEqual([frames * 3, nMels * 2]);
    const img = decode(r.png);
    for (let y = 0; y < r.height; y++) {
      for (let x = 0; x < r.width; x++) {
        const inCell = x < 3 && y >= r.height - 2;
        expect(pixel(img, x, y)).toEqual(inCell ? colour(255) : colour(0));
      }
    }
    expect(spectrogramToPng(data, nMels, frames, { scale: 4 })).toMatchObject({ width: frames * 4, height: nMels * 4 });
  });

  test('dbRange maps linearly onto the colour map and clips outside it', () => {
    const data = Float32Array.from([-50, -40, -30, -20, -10, 0, 10, 99]);
    const img = decode(spectrogramToPng(data, 1, data.length, { dbRange: [-40, 0] }).png);
    const idx = [0, 0, 64, 128, 192, 255, 255, 255];
    idx.forEach((i, x) => expect(pixel(img, x, 0)).toEqual(colour(i)));
  });

  test('the default range is the 80 dB below the maximum; NaN takes the floor colour', () => {
    const data = Float32Array.from([20, -60, -100, NaN]);
    const r = spectrogramToPng(data, 1, 4);
    expect(r.dbRange).toEqual([-60, 20]);
    const img = decode(r.png);
    expect([0, 1, 2, 3].map((x) => pixel(img, x, 0))).toEqual([colour(255), colour(0), colour(0), colour(0)]);
  });

  test('bad arguments fail with messages naming the argument', () => {
    const data = new Float32Array(nMels * frames);
    expect(() => spectrogramToPng(data, nMels, frames + 1)).toThrow(/nMels\*frames = 56 values for data/);
    expect(() => spectrogramToPng(Array.from(data) as unknown as Float32Array, nMels, frames)).toThrow(/Float32Array for data/);
    expect(() => spectrogramToPng(data, nMels, frames, { dbRange: [0, -80] })).toThrow(/dbRange\[1\]/);
    expect(() => spectrogramToPng(data, nMels, frames, { scale: 0 })).toThrow(/options.scale/);
    expect(() => spectrogramToPng(data, nMels, frames, { scale: [2, 1.5] })).toThrow(/options.scale\[1\]/);
    expect(() => spectrogramToPng(data, nMels, frames, { dbrange: [0, 1] } as never)).toThrow(/did you mean dbRange/);
    expect(() => spectrogramToPng(new Float32Array(4).fill(NaN), 2, 2)).toThrow(/finite dB value/);
  });
});
