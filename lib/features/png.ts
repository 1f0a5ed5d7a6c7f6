// Spectrogram pictures: a minimal PNG encoder (8-bit RGB, one IDAT, zlib from node) and the
// mapping from a [nMels, frames] dB matrix to pixels. No image library: PNG needs only a CRC32,
// three chunks and a deflate stream.
import { types } from 'util';
import * as zlib from 'zlib';
import * as is from '../is';
import { VIRIDIS, colormapIndex } from './colormap';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as PNG chunks and zlib.crc32 use. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** length, type, data, CRC over type + data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes 8-bit RGB pixels (row-major, top row first, 3 bytes per pixel) as a PNG file.
 * Each row uses the Sub filter: spectrogram rows change slowly left to right, so byte deltas
 * deflate ~2x smaller than raw bytes.
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  is.positiveInteger('width', width);
  is.positiveInteger('height', height);
  if (!(rgb instanceof Uint8Array) || rgb.length !== width * height * 3) {
    throw is.rangeError('rgb', `Uint8Array of width*height*3 = ${width * height * 3} bytes`, rgb instanceof Uint8Array ? `${rgb.length} bytes` : rgb);
  }
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const src = y * stride;
    const dst = y * (stride + 1);
    raw[dst] = 1; // filter type Sub: each byte minus the same channel of the pixel to its left
    for (let i = 0; i < stride; i++) raw[dst + 1 + i] = (rgb[src + i] - (i >= 3 ? rgb[src + i - 3] : 0)) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour RGB
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0 (adaptive, per-row filter byte)
  ihdr[12] = 0; // no interlace
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

export interface SpectrogramPngOptions {
  /** dB mapped to the first and last colour; values outside are clipped. Default [max − 80, max]. */
  dbRange?: [number, number];
  /** Pixels per frame and per mel band: one number for both, or [perFrame, perMel]. Default 1. */
  scale?: number | [number, number];
}

export interface SpectrogramPng {
  png: Buffer;
  width: number;
  height: number;
  /** The dB range that was mapped onto the colour map. */
  dbRange: [number, number];
}

/**
 * Renders a row-major [nMels, frames] dB matrix (as logMel returns) with the viridis colour map:
 * time runs left to right, the lowest mel band is the bottom row.
 */
export function spectrogramToPng(data: Float32Array, nMels: number, frames: number, options: SpectrogramPngOptions = {}): SpectrogramPng {
  // types.isFloat32Array, not instanceof: arrays made by the addon may come from another realm (jest's vm).
  if (!types.isFloat32Array(data)) throw is.invalidParameterError('data', 'Float32Array', typeof data);
  is.positiveInteger('nMels', nMels);
  is.positiveInteger('frames', frames);
  if (data.length !== nMels * frames) throw is.rangeError('data', `Float32Array of nMels*frames = ${nMels * frames} values`, data);
  const o = is.plainObject('options', options);
  is.knownKeys('options', o, ['dbRange', 'scale']);
  const [sx, sy] = scaleOf(options.scale);
  const [lo, hi] = options.dbRange === undefined ? defaultRange(data) : rangeOf(options.dbRange);

  const width = frames * sx;
  const height = nMels * sy;
  // One colour per matrix cell, then the cells are replicated into sx × sy pixel blocks.
  const rgb = new Uint8Array(width * height * 3);
  const span = hi - lo;
  for (let m = 0; m < nMels; m++) {
    const rowTop = (nMels - 1 - m) * sy; // mel 0 at the bottom
    for (let t = 0; t < frames; t++) {
      const v = data[m * frames + t];
      const c = 3 * colormapIndex((v - lo) / span); // span > 0: rangeOf/defaultRange ensure lo < hi
      for (let dy = 0; dy < sy; dy++) {
        let p = ((rowTop + dy) * width + t * sx) * 3;
        for (let dx = 0; dx < sx; dx++, p += 3) {
          rgb[p] = VIRIDIS[c];
          rgb[p + 1] = VIRIDIS[c + 1];
          rgb[p + 2] = VIRIDIS[c + 2];
        }
      }
    }
  }
  return { png: encodePng(width, height, rgb), width, height, dbRange: [lo, hi] };
}

/** The PNG width and height would exceed what viewers open (and what a Buffer holds) beyond this. */
const MAX_SCALE = 64;

function scaleOf(scale: SpectrogramPngOptions['scale']): [number, number] {
  if (scale === undefined) return [1, 1];
  const pair = Array.isArray(scale) ? scale : [scale, scale];
  if (pair.length !== 2) throw is.invalidParameterError('options.scale', 'a positive integer or [perFrame, perMel]', scale);
  return pair.map((s, i) => {
    is.number(`options.scale${Array.isArray(scale) ? `[${i}]` : ''}`, s, { integer: true, min: 1, max: MAX_SCALE });
    return s;
  }) as [number, number];
}

function rangeOf(r: unknown): [number, number] {
  if (!Array.isArray(r) || r.length !== 2) throw is.invalidParameterError('options.dbRange', '[min, max]', r);
  const lo = is.number('options.dbRange[0]', r[0]);
  const hi = is.number('options.dbRange[1]', r[1]);
  if (!(lo < hi)) throw is.rangeError('options.dbRange[1]', `number > dbRange[0] (${lo})`, hi);
  return [lo, hi];
}

/** [max − 80, max] over the finite values: 80 dB is the span librosa's top_db keeps by default. */
function defaultRange(data: Float32Array): [number, number] {
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > max && data[i] !== Infinity) max = data[i];
  if (max === -Infinity) throw is.rangeError('data', 'at least one finite dB value', data);
  return [max - 80, max];
}
