// One WebSocket stream (GET /v1/stream): settings from the query string or a first JSON message,
// binary PCM messages in, JSON messages out. Anything unexpected closes the socket with a code and
// a reason; nothing a client sends can throw out of here.
import type { WebSocket, RawData } from 'ws';
import type { EmotionModel } from '../model/model';
import * as is from '../is';
import { EmotionStream, StreamSegment } from '../stream/emotion-stream';
import { decodePcm, PcmFormat } from '../stream/transform';
import '../stream';

/** WebSocket close codes used (RFC 6455 §7.4.1). */
export const CLOSE = { normal: 1000, goingAway: 1001, unsupported: 1003, invalid: 1007, policy: 1008, tooBig: 1009, internal: 1011, tryLater: 1013 } as const;

export interface StreamSettings {
  sampleRate: number;
  format: PcmFormat;
  hop?: number;
  smoothing?: number;
  median?: number;
  minConfidence?: number;
  /** Speaker adaptation for this connection's voice (EmotionModel.session()); default on for a model trained for it. */
  adapt?: boolean;
  adaptAfter?: number;
}

const SETTING_KEYS = ['sampleRate', 'format', 'hop', 'smoothing', 'median', 'minConfidence', 'adapt', 'adaptAfter'];
/** Results not yet sent because the client reads slowly: beyond this many bytes queued, results are dropped (and counted). */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** Stream settings from query-string or JSON values (strings are parsed as numbers). */
export function parseStreamSettings(raw: Record<string, unknown>): StreamSettings {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (k !== 'token' && k !== 'type') o[k] = v;
  is.knownKeys('stream settings', o, SETTING_KEYS);
  const num = (k: string) => (o[k] === undefined ? undefined : is.number(k, typeof o[k] === 'string' && o[k] !== '' ? Number(o[k]) : o[k]));
  const sampleRate = num('sampleRate');
  if (sampleRate === undefined) throw is.invalidParameterError('sampleRate', 'the PCM rate in Hz (?sampleRate=16000 or {"sampleRate":16000})', undefined);
  is.positiveInteger('sampleRate', sampleRate);
  const format = o.format === undefined ? 's16le' : is.oneOf('format', o.format, ['s16le', 'f32le'] as const);
  // adapt: false / 'false' / 0 turns speaker adaptation off for this connection (one connection = one voice).
  const adapt = o.adapt === undefined ? undefined : o.adapt === false || o.adapt === 'false' || o.adapt === '0' || o.adapt === 0 ? false : o.adapt === true || o.adapt === 'true' || o.adapt === '1' || o.adapt === 1 ? true : is.boolean('adapt', o.adapt);
  return { sampleRate, format, hop: num('hop'), smoothing: num('smoothing'), median: num('median'), minConfidence: num('minConfidence'), adapt, adaptAfter: num('adaptAfter') };
}

export class StreamSession {
  private stream: EmotionStream | null = null;
  private settings: StreamSettings | null = null;
  private idle: NodeJS.Timeout | null = null;
  private closed = false;
  private unsent = 0;
  private readonly socket: WebSocket;
  private readonly model: EmotionModel;
  private readonly idleMs: number;

  constructor(socket: WebSocket, model: EmotionModel, query: Record<string, unknown>, idleSeconds: number, onClose: () => void) {
    this.socket = socket;
    this.model = model;
    this.idleMs = idleSeconds * 1000;
    socket.on('close', () => {
      this.closed = true;
      if (this.idle) clearTimeout(this.idle);
      onClose();
    });
    socket.on('error', () => this.close(CLOSE.internal, 'socket error'));
    socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    this.touch();
    if (query.sampleRate !== undefined || query.format !== undefined) this.configure(query);
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(CLOSE.goingAway, `idle for ${this.idleMs / 1000} s (the server's --idle-timeout)`), this.idleMs);
  }

  private configure(raw: Record<string, unknown>): void {
    try {
      const s = parseStreamSettings(raw);
      const stream = this.model.stream({ hop: s.hop, smoothing: s.smoothing, median: s.median, minConfidence: s.minConfidence, adapt: s.adapt, adaptAfter: s.adaptAfter });
      stream.on('segment', (seg: StreamSegment) => this.send({ type: 'segment', ...seg }));
      stream.on('error', (e: Error) => this.close(CLOSE.internal, `prediction failed: ${e.message}`));
      this.settings = s;
      this.stream = stream;
      const f = this.model.features;
      this.send({ type: 'ready', sampleRate: s.sampleRate, format: s.format, labels: this.model.labels, windowSeconds: f.clipSeconds, hopSeconds: stream.hopSamples / f.logMel.sampleRate });
    } catch (e) {
      this.close(CLOSE.policy, (e as Error).message);
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.touch();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!isBinary) return this.onText(bytes.toString('utf8'));
    if (!this.stream || !this.settings) return this.close(CLOSE.policy, 'binary PCM before the stream settings: connect with ?sampleRate=16000&format=s16le or send {"sampleRate":16000,"format":"s16le"} first');
    const width = this.settings.format === 's16le' ? 2 : 4;
    if (bytes.length % width !== 0) return this.close(CLOSE.invalid, `a binary message of ${bytes.length} bytes is not a whole number of ${this.settings.format} samples (${width} bytes each)`);
    try {
      this.stream.push(decodePcm(bytes, this.settings.format), this.settings.sampleRate);
    } catch (e) {
      this.close(CLOSE.invalid, (e as Error).message);
    }
  }

  private onText(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.close(CLOSE.invalid, `text messages must be JSON ({"type":"end"} or the stream settings); got ${JSON.stringify(text.slice(0, 40))}`);
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return this.close(CLOSE.invalid, 'text messages must be JSON objects');
    const m = msg as Record<string, unknown>;
    if (m.type === 'end') return void this.finish();
    if (!this.stream && (m.type === undefined || m.type === 'start')) return this.configure(m);
    this.close(CLOSE.policy, `unexpected message ${JSON.stringify(text.slice(0, 60))}: after the settings, send binary PCM and finally {"type":"end"}`);
  }

  private async finish(): Promise<void> {
    if (!this.stream) return this.close(CLOSE.normal, 'ended before any audio');
    try {
      await this.stream.end();
      this.send({ type: 'end', windows: this.stream.stats.windows, dropped: this.stream.stats.dropped + this.unsent, seconds: this.stream.stats.samples / this.model.features.logMel.sampleRate });
      this.close(CLOSE.normal, 'done');
    } catch (e) {
      this.close(CLOSE.internal, `prediction failed: ${(e as Error).message}`);
    }
  }

  private send(obj: Record<string, unknown>): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    // A client that does not read: drop results rather than queue them without bound.
    if (obj.type === 'segment' && this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.unsent++;
      return;
    }
    if (obj.type === 'segment' && this.unsent > 0) {
      obj.dropped = (obj.dropped as number) + this.unsent;
      this.unsent = 0;
    }
    this.socket.send(JSON.stringify(obj));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    if (code !== CLOSE.normal && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify({ type: 'error', code, message: reason }));
    // Close reasons are limited to 123 bytes.
    this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
  }
}
