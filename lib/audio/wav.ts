/**
 * WAV reading (to mono Float32 in [-1, 1]) and writing (16-bit PCM or 32-bit float).
 *
 * Reading walks the RIFF chunks and decodes the `data` chunk itself through a DataView: wavefile
 * parses every chunk (including the ~55 kB `_PMX` XMP blocks of RAVDESS) and unpacks samples one
 * call at a time, which is ~10 ms per RAVDESS file; this path is ~20x faster. wavefile remains the
 * reference the tests check this reader and the writer against.
 *
 * Supported: RIFF (little-endian) and RIFX (big-endian) containers; PCM 8/16/24/32-bit (and
 * narrower valid-bit depths inside those containers), IEEE float 32/64, A-law and mu-law (decoded
 * with the G.711 tables), WAVE_FORMAT_EXTENSIBLE wrapping any of these; any channel count
 * (averaged to mono) and any sample rate; any extra chunks before or after `data`.
 * Rejected with a WavError: ADPCM, MP3/MPEG, GSM and every other compressed codec, RF64.
 */
import * as fs from 'fs';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../limits';

// Hot loops call Math through a module-level alias: under vm contexts (jest's test environment)
// every global lookup goes through an interceptor and is ~50x slower; elsewhere this costs nothing.
const M = Math;

export type WavErrorCode =
  | 'READ_FAILED' // the file could not be read at all
  | 'NOT_WAV' // no RIFF/RIFX....WAVE header
  | 'TRUNCATED' // a header or the data chunk ends before its declared size
  | 'NO_FMT' // no `fmt ` chunk
  | 'NO_DATA' // no `data` chunk
  | 'BAD_FMT' // the `fmt ` chunk is self-contradictory (0 channels, block size too small, ...)
  | 'UNSUPPORTED' // a valid but compressed or exotic encoding this reader does not decode
  | 'EMPTY'; // a valid file with no sample frames

/** A file or buffer that is not a WAV this reader decodes: code ERR_DATA, and why in `reason`. */
export class WavError extends SerNativeError {
  /** What is wrong with the file, finer than the code (NOT_WAV, TRUNCATED, ...). */
  readonly reason: WavErrorCode;
  readonly file: string;

  constructor(reason: WavErrorCode, file: string, message: string) {
    super('ERR_DATA', `${file}: ${message}`);
    this.name = 'WavError';
    this.reason = reason;
    this.file = file;
  }
}

export type WavSampleFormat = 'pcm' | 'float' | 'alaw' | 'mulaw';

export interface WavFormat {
  sampleRate: number;
  channels: number;
  /** Bits per sample as stored (valid bits for WAVE_FORMAT_EXTENSIBLE). */
  bitDepth: number;
  format: WavSampleFormat;
  /** Sample frames in the data chunk. */
  frames: number;
  /** frames / sampleRate, in seconds. */
  duration: number;
}

export interface WavAudio extends WavFormat {
  /** Mono samples (channels averaged); PCM is scaled to [-1, 1), float data is kept as stored. */
  samples: Float32Array;
}

export interface ReadWavOptions {
  /** Name used in error messages when a buffer is given (default `<buffer>`). */
  name?: string;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names of common codecs we do not decode, so the error says what the file actually is. */
const CODEC_NAMES: Record<number, string> = {
  0x0000: 'unknown format 0',
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0016: 'ITU G.723 ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'ITU G.721 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer 3 (MP3)',
  0x0092: 'Dolby AC-3 SPDIF',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x1610: 'MPEG-4 AAC',
  0x2000: 'Dolby AC-3',
  0xf1ac: 'FLAC',
};

/** Tail (bytes 2..15) of the KSDATAFORMAT_SUBTYPE_* GUIDs whose first two bytes are a format code. */
const KSDATAFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

interface ParsedHeader extends WavFormat {
  littleEndian: boolean;
  /** Bytes per sample of one channel in the data chunk. */
  containerBytes: number;
  blockAlign: number;
  dataOffset: number;
  dataBytes: number;
}

/** Read and decode a WAV file or buffer to mono float samples. Throws WavError naming the file. */
export function readWav(input: string | Uint8Array, options: ReadWavOptions = {}): WavAudio {
  const name = typeof input === 'string' ? options.name ?? input : options.name ?? '<buffer>';
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = fs.readFileSync(input);
    } catch (err) {
      throw new WavError('READ_FAILED', name, `cannot read file (${(err as Error).message})`);
    }
  } else {
    bytes = input;
  }
  const header = parseHeader(bytes, name);
  const samples = decodeMono(bytes, header);
  const { sampleRate, channels, bitDepth, format, frames, duration } = header;
  return { samples, sampleRate, channels, bitDepth, format, frames, duration };
}

/**
 * Format and duration of a WAV file without decoding its samples (reads only the chunk headers,
 * so indexing a corpus does not read every byte).
 */
export function probeWav(input: string | Uint8Array, options: ReadWavOptions = {}): WavFormat {
  const name = typeof input === 'string' ? options.name ?? input : options.name ?? '<buffer>';
  if (typeof input !== 'string') return stripHeader(parseHeader(input, name));
  let fd: number;
  try {
    fd = fs.openSync(input, 'r');
  } catch (err) {
    throw new WavError('READ_FAILED', name, `cannot open file (${(err as Error).message})`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    // Walk chunk headers with small positioned reads; only `fmt ` bodies are read in full.
    const view = new SparseFile(fd, size);
    return stripHeader(parseHeader(view, name));
  } catch (err) {
    if (err instanceof WavError) throw err;
    throw new WavError('READ_FAILED', name, `cannot read file (${(err as Error).message})`);
  } finally {
    fs.closeSync(fd);
  }
}

function stripHeader(h: ParsedHeader): WavFormat {
  return {
    sampleRate: h.sampleRate,
    channels: h.channels,
    bitDepth: h.bitDepth,
    format: h.format,
    frames: h.frames,
    duration: h.duration,
  };
}

/** Random access to bytes, either an in-memory buffer or a file read on demand. */
interface ByteSource {
  readonly length: number;
  slice(offset: number, length: number): Uint8Array;
}

class SparseFile implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly length: number,
  ) {}

  slice(offset: number, length: number): Uint8Array {
    const n = M.max(0, M.min(length, this.length - offset));
    const buf = Buffer.alloc(n);
    if (n > 0) fs.readSync(this.fd, buf, 0, n, offset);
    return buf;
  }
}

function asSource(bytes: Uint8Array | ByteSource): ByteSource {
  if (bytes instanceof Uint8Array) {
    return { length: bytes.length, slice: (o, n) => bytes.subarray(o, M.min(bytes.length, o + n)) };
  }
  return bytes;
}

function ascii(b: Uint8Array, offset: number, length = 4): string {
  let s = '';
  for (let i = 0; i < length && offset + i < b.length; i++) s += String.fromCharCode(b[offset + i]);
  return s;
}

/** A chunk id or form type as it may appear in a message: control and non-ASCII bytes escaped as \\xNN (a NUL in a message breaks terminals and logs). */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function isChunkId(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  for (let i = 0; i < 4; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}

/** Guess what a non-WAV file is from its magic bytes, for the error message. */
function sniff(b: Uint8Array): string {
  const m = ascii(b, 0, 4);
  if (m === 'fLaC') return ' (looks like FLAC)';
  if (m === 'OggS') return ' (looks like Ogg)';
  if (m === 'FORM') return ' (looks like AIFF)';
  if (m.startsWith('ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0)) return ' (looks like MP3)';
  if (m === 'RF64' || m === 'BW64') return ' (RF64/BW64 64-bit WAV, which is not supported)';
  return '';
}

function parseHeader(input: Uint8Array | ByteSource, name: string): ParsedHeader {
  const src = asSource(input);
  const size = src.length;
  if (size === 0) throw new WavError('EMPTY', name, 'file is empty (0 bytes)');
  const head = src.slice(0, 12);
  const riff = ascii(head, 0);
  if (riff !== 'RIFF' && riff !== 'RIFX') {
    throw new WavError('NOT_WAV', name, `not a WAV file: no RIFF header${sniff(head)}`);
  }
  if (size < 12) throw new WavError('TRUNCATED', name, `file ends inside the RIFF header (${size} bytes)`);
  if (ascii(head, 8) !== 'WAVE') {
    throw new WavError('NOT_WAV', name, `not a WAV file: RIFF form type is '${printable(ascii(head, 8))}', not 'WAVE'`);
  }
  const le = riff === 'RIFF';

  let fmt: Uint8Array | null = null;
  let dataOffset = -1;
  let dataBytes = 0;
  let dataDeclared = 0;
  let overrun = '';
  let pos = 12;
  while (pos + 8 <= size && (fmt === null || dataOffset < 0)) {
    const ch = src.slice(pos, 8);
    const id = ascii(ch, 0);
    const chunkSize = new DataView(ch.buffer, ch.byteOffset, 8).getUint32(4, le);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (chunkSize < 16) throw new WavError('BAD_FMT', name, `'fmt ' chunk is ${chunkSize} bytes, needs at least 16`);
      if (body + chunkSize > size) throw new WavError('TRUNCATED', name, `file ends inside the 'fmt ' chunk`);
      fmt = src.slice(body, chunkSize);
    } else if (id === 'data') {
      dataOffset = body;
      // 0xFFFFFFFF is what streaming writers (e.g. ffmpeg to a pipe) leave: data runs to the end.
      dataDeclared = chunkSize === 0xffffffff ? size - body : chunkSize;
      dataBytes = M.min(dataDeclared, size - body);
      if (dataDeclared > dataBytes) overrun = `'data' chunk declares ${dataDeclared} bytes but only ${dataBytes} are present`;
    }
    if (body + chunkSize > size && id !== 'data') {
      overrun = `chunk '${printable(id)}' at byte ${pos} declares ${chunkSize} bytes but the file ends at byte ${size}`;
      break;
    }
    let next = body + chunkSize + (chunkSize & 1);
    // Some writers forget the pad byte after odd-sized chunks; accept either layout.
    if ((chunkSize & 1) === 1 && next + 4 <= size && !isChunkId(src.slice(next, 4)) && isChunkId(src.slice(next - 1, 4))) {
      next -= 1;
    }
    pos = next;
  }

  if (fmt === null) {
    if (overrun) throw new WavError('TRUNCATED', name, `no 'fmt ' chunk before the file ends: ${overrun}`);
    throw new WavError('NO_FMT', name, `no 'fmt ' chunk (not a valid WAV file)`);
  }
  if (dataOffset < 0) {
    if (overrun) throw new WavError('TRUNCATED', name, `no 'data' chunk before the file ends: ${overrun}`);
    throw new WavError('NO_DATA', name, `no 'data' chunk`);
  }

  const fv = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
  let code = fv.getUint16(0, le);
  const channels = fv.getUint16(2, le);
  const sampleRate = fv.getUint32(4, le);
  const blockAlign = fv.getUint16(12, le);
  let bits = fv.getUint16(14, le);
  if (code === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.length < 40) throw new WavError('BAD_FMT', name, `WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${fmt.length} bytes, needs 40`);
    const validBits = fv.getUint16(18, le);
    for (let i = 0; i < KSDATAFORMAT_TAIL.length; i++) {
      if (fmt[26 + i] !== KSDATAFORMAT_TAIL[i]) {
        throw new WavError('UNSUPPORTED', name, 'WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID (e.g. ambisonic) is not supported');
      }
    }
    code = fv.getUint16(24, le);
    if (validBits > 0 && validBits <= bits) bits = validBits;
  }

  let format: WavSampleFormat;
  if (code === WAVE_FORMAT_PCM) format = 'pcm';
  else if (code === WAVE_FORMAT_IEEE_FLOAT) format = 'float';
  else if (code === WAVE_FORMAT_ALAW) format = 'alaw';
  else if (code === WAVE_FORMAT_MULAW) format = 'mulaw';
  else {
    const codec = CODEC_NAMES[code] ?? `format code 0x${code.toString(16).padStart(4, '0')}`;
    throw new WavError('UNSUPPORTED', name, `compressed or unsupported WAV encoding: ${codec} (only PCM, IEEE float, A-law and mu-law are decoded)`);
  }
  if (channels === 0) throw new WavError('BAD_FMT', name, `'fmt ' chunk declares 0 channels`);
  if (sampleRate === 0) throw new WavError('BAD_FMT', name, `'fmt ' chunk declares a sample rate of 0`);
  if (bits === 0) throw new WavError('BAD_FMT', name, `'fmt ' chunk declares 0 bits per sample`);
  // Checked before any sample is decoded: a 1 Hz header over a few hundred frames would be resampled to millions of samples.
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new WavError('UNSUPPORTED', name, `sample rate ${sampleRate} Hz is outside the supported range [${MIN_SAMPLE_RATE}, ${MAX_SAMPLE_RATE}] Hz`);
  }

  // The container width comes from blockAlign (e.g. 20-bit samples in 3 bytes); fall back to the
  // bit depth when blockAlign is missing, as some writers leave it 0.
  let containerBytes = M.ceil(bits / 8);
  if (blockAlign !== 0) {
    if (blockAlign % channels !== 0 || blockAlign / channels < containerBytes) {
      throw new WavError('BAD_FMT', name, `block size ${blockAlign} does not fit ${channels} channel(s) of ${bits}-bit samples`);
    }
    containerBytes = blockAlign / channels;
  }
  // Fewer than 8 significant bits is not audio any writer produces (a 7-bit header is corruption, not a format).
  if (format === 'pcm' && bits < 8) {
    throw new WavError('UNSUPPORTED', name, `PCM with ${bits}-bit samples is not supported (bitsPerSample must be 8 to 32)`);
  }
  if (format === 'float' && bits !== 32 && bits !== 64) {
    throw new WavError('UNSUPPORTED', name, `IEEE float with ${bits}-bit samples is not supported (bitsPerSample must be 32 or 64)`);
  }
  const supported =
    (format === 'pcm' && containerBytes >= 1 && containerBytes <= 4) ||
    (format === 'float' && (containerBytes === 4 || containerBytes === 8)) ||
    ((format === 'alaw' || format === 'mulaw') && containerBytes === 1);
  if (!supported) {
    throw new WavError('UNSUPPORTED', name, `${format === 'pcm' ? 'PCM' : format} with ${containerBytes * 8}-bit samples is not supported`);
  }

  const frameBytes = containerBytes * channels;
  if (dataDeclared > dataBytes) {
    throw new WavError('TRUNCATED', name, `'data' chunk declares ${dataDeclared} bytes but only ${dataBytes} are present (file cut off)`);
  }
  const frames = M.floor(dataBytes / frameBytes);
  if (frames === 0) throw new WavError('EMPTY', name, `'data' chunk holds no sample frames (${dataBytes} bytes)`);
  return {
    sampleRate,
    channels,
    bitDepth: bits,
    format,
    frames,
    duration: frames / sampleRate,
    littleEndian: le,
    containerBytes,
    blockAlign: frameBytes,
    dataOffset,
    dataBytes: frames * frameBytes,
  };
}

let alawTable: Float32Array | null = null;
let mulawTable: Float32Array | null = null;

/** G.711 A-law byte -> linear sample in [-1, 1). */
function getAlawTable(): Float32Array {
  if (alawTable) return alawTable;
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const a = i ^ 0x55;
    const exponent = (a >> 4) & 7;
    const mantissa = a & 0x0f;
    const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
    t[i] = ((a & 0x80) !== 0 ? magnitude : -magnitude) / 32768;
  }
  return (alawTable = t);
}

/** G.711 mu-law byte -> linear sample in [-1, 1). */
function getMulawTable(): Float32Array {
  if (mulawTable) return mulawTable;
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const exponent = (u >> 4) & 7;
    const mantissa = u & 0x0f;
    const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    t[i] = ((u & 0x80) !== 0 ? -magnitude : magnitude) / 32768;
  }
  return (mulawTable = t);
}

/** Decode the data chunk to mono, averaging channels. One tight loop per encoding, no allocations. */
function decodeMono(bytes: Uint8Array, h: ParsedHeader): Float32Array {
  const { frames, channels, containerBytes, littleEndian: le, format } = h;
  const out = new Float32Array(frames);
  const u8 = bytes.subarray(h.dataOffset, h.dataOffset + h.dataBytes);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const n = frames * channels;
  const inv = 1 / channels;

  // Each branch sums channel values into out[frame]; the scale (full scale and 1/channels) is
  // applied once at the end.
  let scale = inv;
  if (format === 'alaw' || format === 'mulaw') {
    const table = format === 'alaw' ? getAlawTable() : getMulawTable();
    for (let i = 0; i < n; i++) out[(i / channels) | 0] += table[u8[i]];
  } else if (format === 'float') {
    if (containerBytes === 4) {
      if (channels === 1) for (let f = 0; f < frames; f++) out[f] = dv.getFloat32(f * 4, le);
      else for (let i = 0; i < n; i++) out[(i / channels) | 0] += dv.getFloat32(i * 4, le);
    } else {
      for (let i = 0; i < n; i++) out[(i / channels) | 0] += dv.getFloat64(i * 8, le);
    }
  } else if (containerBytes === 1) {
    // 8-bit WAV PCM is unsigned with 128 as zero.
    for (let i = 0; i < n; i++) out[(i / channels) | 0] += u8[i] - 128;
    scale /= 128;
  } else if (containerBytes === 2) {
    if (channels === 1) for (let f = 0; f < frames; f++) out[f] = dv.getInt16(f * 2, le);
    else for (let i = 0; i < n; i++) out[(i / channels) | 0] += dv.getInt16(i * 2, le);
    scale /= 32768;
  } else if (containerBytes === 3) {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const v = le ? u8[o] | (u8[o + 1] << 8) | (u8[o + 2] << 16) : u8[o + 2] | (u8[o + 1] << 8) | (u8[o] << 16);
      out[(i / channels) | 0] += (v << 8) >> 8; // sign-extend 24 -> 32 bits
    }
    scale /= 8388608;
  } else {
    for (let i = 0; i < n; i++) out[(i / channels) | 0] += dv.getInt32(i * 4, le);
    scale /= 2147483648;
  }
  if (scale !== 1) for (let f = 0; f < frames; f++) out[f] *= scale;
  return out;
}

export type WavWriteFormat = 'pcm16' | 'float32';

export interface WriteWavOptions {
  /** Sample encoding (default `pcm16`; values outside [-1, 1] are clipped for PCM). */
  format?: WavWriteFormat;
}

/**
 * Encode mono samples as a canonical 44-byte-header WAV (RIFF, PCM 16-bit or IEEE float 32-bit).
 * Written directly rather than through wavefile's per-sample packer, which is ~10x slower and
 * dominates demo-corpus generation; the tests check wavefile parses the result identically.
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number, options: WriteWavOptions = {}): Buffer {
  const format = options.format ?? 'pcm16';
  is.oneOf('options.format', format, ['pcm16', 'float32']);
  is.integer('sampleRate', sampleRate, 1, 0xffffffff);
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const dataBytes = samples.length * bytesPerSample;
  if (44 + dataBytes - 8 > 0xffffffff) throw is.rangeError('samples.length', `at most ${Math.floor((0xffffffff - 36) / bytesPerSample)} samples (a RIFF file's 4 GiB limit)`, samples.length);
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(format === 'pcm16' ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * bytesPerSample, 28);
  buf.writeUInt16LE(bytesPerSample, 32);
  buf.writeUInt16LE(bytesPerSample * 8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  const dv = new DataView(buf.buffer, buf.byteOffset + 44, dataBytes);
  if (format === 'pcm16') {
    // Scale by 32768 (the reader's divisor) so reading then writing 16-bit audio is lossless.
    for (let i = 0; i < samples.length; i++) {
      let v = M.round(samples[i] * 32768);
      if (v > 32767) v = 32767;
      else if (v < -32768) v = -32768;
      else if (v !== v) v = 0; // NaN
      dv.setInt16(i * 2, v, true);
    }
  } else {
    for (let i = 0; i < samples.length; i++) dv.setFloat32(i * 4, samples[i], true);
  }
  return buf;
}

/** Write mono samples to a WAV file (see encodeWav). */
export function writeWav(path: string, samples: ArrayLike<number>, sampleRate: number, options: WriteWavOptions = {}): void {
  const buf = encodeWav(samples, sampleRate, options);
  try {
    fs.writeFileSync(path, buf);
  } catch (err) {
    throw new SerNativeError('ERR_IO', `${path}: cannot write WAV file (${(err as Error).message})`, { cause: err });
  }
}
