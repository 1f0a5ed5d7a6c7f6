// Emotion of live audio: PCM chunks of any size in, one segment per hop out once a window is full.
// Memory is bounded everywhere: a buffer of one window plus one hop, at most `maxQueuedWindows`
// windows waiting for the network (older ones are dropped and counted when the producer outruns
// it), at most `maxPending` results waiting for an async-iterator consumer (older ones are
// coalesced away and counted). Windows are scored off the JS thread in batches
// (EmotionModel.scoreWindowsAsync) and each is judged on its own samples exactly as timeline() does.
import { EventEmitter } from 'events';
import { ChunkResampler } from '../audio/chunk-resampler';
import type { VadOptions } from '../audio/vad';
import { SerNativeError } from '../errors';
import * as is from '../is';
import type { EmotionModel, Segment } from '../model/model';
import { cutWindow, hopSamples, prepareWindows, timelineStarts, windowSamples, windowSegments } from '../model/windows';
import { checkSmoothing, ProbabilitySmoother, SmoothingOptions } from '../model/smoothing';
import { checkVoiceOptions, type Voice } from '../model/voice';
import { checkHop, checkScoringOptions } from '../model/predict-options';

export interface StreamOptions extends SmoothingOptions {
  /** Seconds between window starts (default: the model's windowHopSeconds). */
  hop?: number;
  /** Abstain (emotion null, reason 'low-confidence') below this top probability (default 0). */
  minConfidence?: number;
  /** Speech-detection settings, or false to score every window. */
  vad?: Partial<VadOptions> | false;
  /** Windows waiting for the network before the oldest is dropped (default 32); push() returns false from half of it. */
  maxQueuedWindows?: number;
  /** Results waiting for an async-iterator consumer before the oldest is coalesced away (default 64). */
  maxPending?: number;
  /** Adapt to the stream's voice once it has been heard for `adaptAfter` seconds of speech (default true; see EmotionModel.session()). */
  adapt?: boolean;
  adaptAfter?: number;
}

export interface StreamSegment extends Segment {
  /** Window number since the start of the stream (gaps mean dropped windows). */
  index: number;
  /** Windows dropped (never scored, or scored but never delivered) since the previous result. */
  dropped: number;
}

export type PcmChunk = Float32Array | Int16Array;

const STREAM_OPTIONS = ['hop', 'minConfidence', 'vad', 'smoothing', 'median', 'maxQueuedWindows', 'maxPending', 'adapt', 'adaptAfter'] as const;

export class EmotionStream extends EventEmitter implements AsyncIterable<StreamSegment> {
  readonly model: EmotionModel;
  /** Window and hop at the model's rate, samples. */
  readonly windowSamples: number;
  readonly hopSamples: number;
  private readonly hopSeconds: number;
  private readonly minConfidence: number;
  private readonly vad: Partial<VadOptions> | false;
  private readonly maxQueued: number;
  private readonly maxPending: number;
  private readonly smoother: ProbabilitySmoother;
  /** The stream's voice: one speaker per stream (lib/model/voice.ts). */
  private readonly voice: Voice;
  /** Sample (at the model's rate) up to which the voice has heard the stream: windows overlap. */
  private heardUntil = 0;
  private resampler: ChunkResampler | null = null;
  // The buffer: samples [bufStart, bufStart + bufLen) of the stream at the model's rate.
  private readonly buf: Float32Array;
  private bufStart = 0;
  private bufLen = 0;
  private nextStart = 0;
  private lastStart = -1;
  private windowIndex = 0;
  private queued: { index: number; start: number; samples: Float32Array }[] = [];
  private busy: Promise<void> | null = null;
  private droppedSinceLast = 0;
  private needDrain = false;
  private ended = false;
  private finished = false;
  private failure: unknown = null;
  // Async-iterator side.
  private pending: StreamSegment[] = [];
  private iterating = false;
  private wake: (() => void) | null = null;
  /** Totals since the start: windows scored, windows dropped. */
  readonly stats = { windows: 0, dropped: 0, samples: 0 };

  constructor(model: EmotionModel, options: StreamOptions = {}) {
    super();
    const o = is.plainObject('options', options) as StreamOptions;
    is.knownKeys('options', o as Record<string, unknown>, STREAM_OPTIONS);
    this.model = model;
    const f = model.features;
    this.hopSeconds = checkHop(o.hop, f);
    const scoring = checkScoringOptions(o);
    this.minConfidence = scoring.minConfidence;
    this.vad = scoring.vad;
    this.maxQueued = o.maxQueuedWindows === undefined ? 32 : is.integer('options.maxQueuedWindows', o.maxQueuedWindows, 1, 4096);
    this.maxPending = o.maxPending === undefined ? 64 : is.integer('options.maxPending', o.maxPending, 1, 1 << 20);
    this.smoother = new ProbabilitySmoother(checkSmoothing(o));
    this.voice = model.voice(checkVoiceOptions(o));
    this.windowSamples = windowSamples(f);
    this.hopSamples = hopSamples(f, this.hopSeconds);
    this.buf = new Float32Array(this.windowSamples + this.hopSamples);
  }

  /** The stream's input rate (set by the first push). */
  get sampleRate(): number | null {
    return this.resampler ? this.resampler.fromRate : null;
  }

  /**
   * Adds PCM (mono; Float32Array in [-1, 1] or Int16Array) at `sampleRate`, which must stay the same
   * for the whole stream. Returns false when windows are waiting for the network: wait for 'drain'
   * to keep every window (pushing on anyway drops the oldest waiting ones, counted in `dropped`).
   */
  push(samples: PcmChunk, sampleRate: number): boolean {
    if (this.ended) throw new SerNativeError('ERR_STATE', 'EmotionStream.push() after end(): start a new stream with model.stream()');
    if (this.failure) throw this.failure;
    is.positiveInteger('sampleRate', sampleRate);
    if (sampleRate < 1000 || sampleRate > 384000) throw is.rangeError('sampleRate', 'a rate between 1000 and 384000 Hz', sampleRate);
    const x = toFloat(samples);
    if (!this.resampler) this.resampler = new ChunkResampler(sampleRate, this.model.features.logMel.sampleRate);
    else if (sampleRate !== this.resampler.fromRate) {
      throw is.rangeError('sampleRate', `the stream's rate, ${this.resampler.fromRate} Hz (one rate per stream; start a new stream for another)`, sampleRate);
    }
    this.append(this.resampler.push(x));
    return this.accepting();
  }

  /** Flushes: the last window (aligned to the end, as in timeline()), then 'end'. Resolves when every result is out. */
  async end(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      if (this.resampler) this.append(this.resampler.flush());
      const total = this.bufStart + this.bufLen;
      if (total > 0) {
        // The windows timeline() would add at the end: the end-aligned one, or the only one of a short stream.
        for (const s of timelineStarts(total, this.model.features, this.hopSeconds)) {
          if (s > this.lastStart && s >= this.bufStart) this.enqueue(s);
        }
      }
      this.pump();
    }
    while (this.busy) await this.busy;
    if (!this.finished) {
      this.finished = true;
      this.emit('end');
      this.wakeUp();
    }
    if (this.failure) throw this.failure;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamSegment> {
    this.iterating = true;
    try {
      for (;;) {
        if (this.pending.length > 0) {
          yield this.pending.shift()!;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      this.iterating = false;
    }
  }

  private accepting(): boolean {
    const ok = this.queued.length < Math.max(1, this.maxQueued >> 1);
    if (!ok) this.needDrain = true;
    return ok;
  }

  private append(x: Float32Array): void {
    this.stats.samples += x.length;
    const cap = this.buf.length;
    let off = 0;
    while (off < x.length) {
      const take = Math.min(cap - this.bufLen, x.length - off);
      this.buf.set(x.subarray(off, off + take), this.bufLen);
      this.bufLen += take;
      off += take;
      while (this.bufStart + this.bufLen >= this.nextStart + this.windowSamples) {
        this.enqueue(this.nextStart);
        this.nextStart += this.hopSamples;
      }
      // Keep from the last window's start on: the end-aligned window of end() may start there.
      const drop = Math.min(this.bufLen, Math.max(0, this.lastStart) - this.bufStart);
      if (drop > 0) {
        this.buf.copyWithin(0, drop, this.bufLen);
        this.bufLen -= drop;
        this.bufStart += drop;
      }
    }
    this.pump();
  }

  private enqueue(start: number): void {
    const view = this.buf.subarray(0, this.bufLen);
    const samples = Float32Array.from(cutWindow(view, start - this.bufStart, this.model.features));
    this.queued.push({ index: this.windowIndex++, start, samples });
    this.lastStart = start;
    if (this.queued.length > this.maxQueued) {
      this.queued.shift();
      this.droppedSinceLast++;
      this.stats.dropped++;
    }
  }

  private pump(): void {
    if (this.busy || this.queued.length === 0 || this.failure) return;
    this.busy = this.scoreQueued().finally(() => {
      this.busy = null;
      this.pump();
      if (!this.busy && this.needDrain && this.queued.length === 0) {
        this.needDrain = false;
        this.emit('drain');
      }
    });
  }

  private async scoreQueued(): Promise<void> {
    const batch = this.queued.splice(0, this.queued.length);
    const f = this.model.features;
    const sr = f.logMel.sampleRate;
    const total = this.bufStart + this.bufLen;
    try {
      const prep = prepareWindows(batch.map((w) => w.samples), sr, this.vad);
      batch.forEach((w, i) => {
        if (prep.speech[i]) this.voice.hear(w.samples, Math.max(0, this.heardUntil - w.start));
        this.heardUntil = Math.max(this.heardUntil, w.start + this.windowSamples);
      });
      const stats = this.voice.stats();
      const probs = await this.model.scoreWindowsAsync(prep.scored, stats ? prep.scored.map(() => stats) : undefined);
      // The end of a window is where its audio ends (the last window of a stream may be padded).
      const times = batch.map((w) => ({ start: w.start / sr, end: Math.min(this.ended ? total : Infinity, w.start + this.windowSamples) / sr }));
      const segments = windowSegments(prep, probs, times, this.model.labels, this.minConfidence, this.smoother);
      const adaptation = { adapted: this.voice.adapted, heardSeconds: this.voice.heardSeconds };
      segments.forEach((s, i) => this.deliver({ ...s, ...adaptation, index: batch[i].index, dropped: 0 }));
    } catch (e) {
      this.failure = e;
      if (this.listenerCount('error') > 0) this.emit('error', e);
      this.wakeUp();
    }
  }

  private deliver(s: StreamSegment): void {
    s.dropped = this.droppedSinceLast;
    this.droppedSinceLast = 0;
    this.stats.windows++;
    this.emit('segment', s);
    if (this.iterating || this.listenerCount('segment') === 0) {
      this.pending.push(s);
      if (this.pending.length > this.maxPending) {
        // A slow consumer: coalesce by dropping the oldest undelivered result, counted on the next one.
        const gone = this.pending.shift()!;
        this.pending[0].dropped += gone.dropped + 1;
        this.stats.dropped++;
      }
      this.wakeUp();
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** Float32Array as is (checked finite), Int16Array scaled by 1/32768 as readWav does. */
export function toFloat(samples: PcmChunk): Float32Array {
  const tag = Object.prototype.toString.call(samples);
  if (tag === '[object Int16Array]') {
    const s = samples as Int16Array;
    const out = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i] / 32768;
    return out;
  }
  if (tag !== '[object Float32Array]') throw is.invalidParameterError('samples', 'Float32Array or Int16Array (mono PCM)', samples);
  const f = samples as Float32Array;
  for (let i = 0; i < f.length; i++) {
    if (!Number.isFinite(f[i])) throw is.rangeError(`samples[${i}]`, 'a finite sample', f[i]);
  }
  return f;
}
