/**
 * Hand-built WAV files for the reader tests: formats and layouts wavefile cannot write
 * (WAVE_FORMAT_EXTENSIBLE with a 0xFFFE tag, extra chunks, missing pad bytes, broken headers).
 */

export interface Chunk {
  id: string;
  body: Buffer;
  /** Omit the pad byte after an odd-sized body (a common writer bug). */
  noPad?: boolean;
}

export function chunk(id: string, body: Buffer, noPad = false): Chunk {
  return { id, body, noPad };
}

export interface FmtSpec {
  formatCode: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Default channels * ceil(bits / 8). */
  blockAlign?: number;
  /** Build a 40-byte WAVE_FORMAT_EXTENSIBLE body with this sub-format code. */
  extensible?: { subFormat: number; validBits?: number; channelMask?: number };
}

export function fmtChunk(spec: FmtSpec): Chunk {
  const blockAlign = spec.blockAlign ?? spec.channels * Math.ceil(spec.bitsPerSample / 8);
  const body = Buffer.alloc(spec.extensible ? 40 : 16);
  body.writeUInt16LE(spec.extensible ? 0xfffe : spec.formatCode, 0);
  body.writeUInt16LE(spec.channels, 2);
  body.writeUInt32LE(spec.sampleRate, 4);
  body.writeUInt32LE(spec.sampleRate * blockAlign, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(spec.bitsPerSample, 14);
  if (spec.extensible) {
    body.writeUInt16LE(22, 16);
    body.writeUInt16LE(spec.extensible.validBits ?? spec.bitsPerSample, 18);
    body.writeUInt32LE(spec.extensible.channelMask ?? 0, 20);
    body.writeUInt16LE(spec.extensible.subFormat, 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(body, 26);
  }
  return chunk('fmt ', body);
}

/** RIFF/WAVE file from chunks, in order, with the RIFF size set correctly. */
export function riff(chunks: Chunk[], form = 'WAVE'): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.id, 0, 'ascii');
    head.writeUInt32LE(c.body.length, 4);
    parts.push(head, c.body);
    if (c.body.length % 2 === 1 && !c.noPad) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(4 + body.length, 4);
  head.write(form, 8, 'ascii');
  return Buffer.concat([head, body]);
}

/** Interleaved 16-bit little-endian PCM from per-frame channel values (integers). */
export function pcm16(frames: number[][]): Buffer {
  const b = Buffer.alloc(frames.length * frames[0].length * 2);
  let o = 0;
  for (const f of frames) for (const v of f) o = b.writeInt16LE(v, o);
  return b;
}
