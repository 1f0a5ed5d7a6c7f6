// The Node stream form: raw PCM bytes in, StreamSegment objects out, with backpressure end to end
// (a slow reader pauses the writer instead of dropping windows):
//   fs.createReadStream('call.pcm').pipe(model.createStream({ sampleRate: 8000, format: 's16le' }))
import { Transform, TransformCallback } from 'stream';
import * as is from '../is';
import type { EmotionModel } from '../model/model';
import { EmotionStream, StreamOptions, StreamSegment } from './emotion-stream';

export type PcmFormat = 's16le' | 'f32le';

export interface CreateStreamOptions extends StreamOptions {
  /** Rate of the incoming PCM, Hz (required). */
  sampleRate: number;
  /** Sample encoding: 's16le' (default) or 'f32le', mono. */
  format?: PcmFormat;
}

export class EmotionTransform extends Transform {
  readonly stream: EmotionStream;
  readonly sampleRate: number;
  readonly format: PcmFormat;
  private carry = Buffer.alloc(0);

  constructor(model: EmotionModel, options: CreateStreamOptions) {
    super({ readableObjectMode: true, writableObjectMode: false });
    const o = is.plainObject('options', options) as unknown as CreateStreamOptions;
    const { sampleRate, format, ...rest } = o;
    this.sampleRate = is.positiveInteger('options.sampleRate', sampleRate);
    this.format = format === undefined ? 's16le' : is.oneOf('options.format', format, ['s16le', 'f32le'] as const);
    this.stream = new EmotionStream(model, rest);
    this.stream.on('segment', (s: StreamSegment) => this.push(s));
    this.stream.on('error', (e: Error) => this.destroy(e));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      const width = this.format === 's16le' ? 2 : 4;
      const usable = bytes.length - (bytes.length % width);
      // A sample split across chunks waits for the rest of its bytes.
      this.carry = Buffer.from(bytes.subarray(usable));
      const ok = this.stream.push(decodePcm(bytes.subarray(0, usable), this.format), this.sampleRate);
      if (ok) done();
      else this.stream.once('drain', () => done());
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.stream.end().then(() => done(), (e: Error) => done(e));
  }
}

/** Little-endian PCM bytes (a whole number of samples) → samples. */
export function decodePcm(bytes: Uint8Array, format: PcmFormat): Float32Array | Int16Array {
  const width = format === 's16le' ? 2 : 4;
  if (bytes.length % width !== 0) throw is.rangeError('bytes.length', `a multiple of ${width} (${format})`, bytes.length);
  const n = bytes.length / width;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 's16le') {
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
    return out;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}
