// A trained model, loaded from a bundle: predict() on paths, WAV buffers or samples, in batches,
// and timeline() over long audio.
import { AudioInput, checkDuration, decodeAudio, resampleNative } from '../audio/decode';
import { probeWav, readWav } from '../audio/wav';
import { SerNativeError } from '../errors';
import { detectSpeech, trimToSpeech, VadOptions } from '../audio/vad';
import * as is from '../is';
import type { Architecture, FeatureConfig } from './config';
import { readBundle, BundleMeta, Calibration } from './bundle';
import { defaultModelDir } from './default-model';
import { applyTemperature } from '../metrics/calibration';
import { NativeModel } from './native-model';
import { InferenceQueue, QueueStats } from './inference-queue';
import { cutWindow, prepareWindows, rowsToPredictions, timelineStarts, windowSegments } from './windows';
import { checkSmoothing, ProbabilitySmoother, SmoothingOptions } from './smoothing';
import { checkHop, checkScoringOptions } from './predict-options';
import { resolveDevice } from '../device';
import { predictSecondsLimit } from '../limits';
import type { InferencePrecision, NativeClipResult } from '../binding';
import { readFile } from 'fs/promises';
import { scoreClips } from './clip-pipeline';
import { checkVoiceOptions, Voice, VoiceOptions } from './voice';

export interface Prediction {
  /** The most likely emotion; null when the clip has no speech or the model abstains (see `reason`). */
  emotion: string | null;
  /** The top probability; null when there was no speech to score. */
  confidence: number | null;
  /** Per-label probabilities; null when there was no speech to score. */
  probabilities: Record<string, number> | null;
  /** Whether speech was detected (lib/audio/vad.ts), and how much, seconds. */
  speech: boolean;
  speechSeconds: number;
  /** Why `emotion` is null: 'no-speech' (silence, noise or too short) or 'low-confidence' (below minConfidence). */
  reason: 'no-speech' | 'low-confidence' | null;
  /** Only with speaker adaptation (session(), stream(), sameSpeaker): whether the voice's statistics normalised this clip. */
  adapted?: boolean;
  /** Only with speaker adaptation: seconds of the voice's speech heard so far (this clip included). */
  heardSeconds?: number;
}

export interface PredictOptions {
  /** Abstain (emotion null, reason 'low-confidence') when the top probability is below this. Default 0. */
  minConfidence?: number;
  /** Speech-detection settings, or false to score the whole input as it is (no speech check, no trimming). */
  vad?: Partial<VadOptions> | false;
  /** Longest input accepted, seconds (default SER_NATIVE_MAX_SECONDS, else 600); longer audio goes through timeline(). */
  maxSeconds?: number;
}

/** timeline() scores its windows this many at a time, so its memory does not grow with the audio's length. */
export const TIMELINE_BATCH_WINDOWS = 64;

const LONG_AUDIO_HINT = 'use timeline() (CLI: predict --timeline) for long audio, or raise options.maxSeconds / SER_NATIVE_MAX_SECONDS';

export interface Segment extends Prediction {
  /** Start and end of the window, seconds. */
  start: number;
  end: number;
}

export interface LoadModelOptions {
  device?: is.Device;
  /**
   * What prediction computes in: 'float32' (default) or 'bfloat16' copies of the weights, faster on
   * CPUs with bf16 instructions at a rounding cost (docs/api.md gives both, measured).
   */
  precision?: InferencePrecision;
}

export const INFERENCE_PRECISIONS = ['float32', 'bfloat16'] as const;

export class EmotionModel {
  readonly labels: string[];
  readonly features: FeatureConfig;
  readonly architecture: Architecture;
  readonly meta: BundleMeta;
  readonly device: string;
  /** What prediction computes in (options.precision of loadModel). */
  readonly precision: InferencePrecision;
  /** Where the bundle was loaded from. */
  readonly path: string;
  /** Number of member networks whose probabilities are averaged (1 for a single model). */
  readonly members: number;
  /** The temperature applied to probabilities, when the bundle is calibrated. */
  readonly calibration: Calibration | null;
  /** The member networks (one unless an ensemble), scored together by native/pipeline.cc. */
  private readonly nets: NativeModel[];
  /** Asynchronous scoring, one native call at a time, concurrent requests batched (inference-queue.ts). */
  private readonly queue = new InferenceQueue<ScoredClip, Float32Array>(async (clips) =>
    this.rows(await this.pipeline(clips.map((c) => c.samples), true, true, undefined, clips.some((c) => c.stats) ? clips.map((c) => c.stats) : undefined), clips.length),
  );

  private constructor(meta: BundleMeta, nets: NativeModel[], device: string, bundlePath: string, precision: InferencePrecision) {
    this.meta = meta;
    this.labels = meta.labels;
    this.features = meta.features;
    this.architecture = meta.architecture;
    this.nets = nets;
    this.members = nets.length;
    this.calibration = meta.calibration ?? null;
    this.device = device;
    this.path = bundlePath;
    this.precision = precision;
  }

  private pipeline(clips: Float32Array[], mean: boolean, async: true, hop?: number, stats?: readonly (Float32Array | null)[]): Promise<NativeClipResult>;
  private pipeline(clips: Float32Array[], mean: boolean, async: false, hop?: number, stats?: readonly (Float32Array | null)[]): NativeClipResult;
  private pipeline(clips: Float32Array[], mean: boolean, async: boolean, hop?: number, stats?: readonly (Float32Array | null)[]): NativeClipResult | Promise<NativeClipResult> {
    const o = { mean, hopSeconds: hop, stats };
    return async ? scoreClips(this.nets, clips, this.features, o, true) : scoreClips(this.nets, clips, this.features, o, false);
  }

  private rows(r: NativeClipResult, n: number): Float32Array[] {
    const k = this.labels.length;
    return Array.from({ length: n }, (_, i) => r.probabilities.slice(i * k, (i + 1) * k));
  }

  /**
   * Loads a bundle folder (or its model.json), or the default model shipped in the package when no
   * path is given; a bundle trained on CUDA loads on CPU. An ensemble's members are loaded and
   * checked one by one: a member that does not fit is an ERR_MODEL naming it and the bundle.
   */
  static load(bundlePath?: string, options: LoadModelOptions = {}): EmotionModel {
    if (bundlePath === undefined) bundlePath = defaultModelDir({ mustExist: true });
    if (typeof bundlePath !== 'string' || bundlePath === '') throw is.invalidParameterError('bundlePath', 'a model folder path', bundlePath);
    const o = is.options<LoadModelOptions>('options', options, { device: true, precision: true });
    const precision = o.precision === undefined ? 'float32' : is.oneOf('options.precision', o.precision, INFERENCE_PRECISIONS);
    const device = resolveDevice(o.device ?? 'cpu');
    const { meta, members } = readBundle(bundlePath);
    const nets = members.map((m, i) => {
      const net = new NativeModel(m.architecture, meta.features.logMel.nMels, meta.labels.length, device, 0);
      try {
        net.setState(m.state);
      } catch (e) {
        const who = meta.formatVersion === 1 ? '' : ` member '${m.name}' (${i + 1} of ${members.length}):`;
        throw new SerNativeError('ERR_MODEL', `${bundlePath}:${who} ${(e as Error).message}`, { cause: e });
      }
      if (precision !== 'float32') net.setInferencePrecision(precision);
      return net;
    });
    return new EmotionModel(meta, nets, device, bundlePath, precision);
  }

  /**
   * Emotion of one clip: speech is detected first (no speech → emotion null), leading and trailing
   * silence is trimmed, then the clip is scored as the mean over its windows.
   */
  predict(input: AudioInput, options: PredictOptions = {}): Prediction {
    return this.predictBatch([input], options)[0];
  }

  /**
   * Emotions of several clips. With `sameSpeaker: true` the clips are one voice: once their speech
   * adds up to `adaptAfter` seconds, every clip is normalised with the voice's statistics instead of
   * its own (speaker adaptation; see session()), and each result says whether it was (`adapted`).
   */
  predictBatch(inputs: AudioInput[], options: BatchPredictOptions = {}): Prediction[] {
    const o = checkPredictOptions(options);
    return this.predictInVoice(inputs, o, o.sameSpeaker ? this.voice(o) : null);
  }

  /**
   * A session for one voice (a caller, a speaker in a recording): each prediction adds the clip's
   * speech frames to the voice's running statistics, and once `adaptAfter` seconds of speech have
   * been heard clips are normalised with them (results carry `adapted` and `heardSeconds`). Needs a
   * model trained with speaker normalisation (features.speakerNorm > 0); other models' sessions
   * score every clip alone (`adapted: false`).
   */
  session(options: VoiceOptions = {}): VoiceSession {
    return new VoiceSession(this, this.voice(is.options<VoiceOptions>('options', options, { adapt: true, adaptAfter: true })));
  }

  /** A voice (lib/model/voice.ts) with this model's features. */
  voice(options: VoiceOptions = {}): Voice {
    return new Voice(this.features, { adapt: options.adapt, adaptAfter: options.adaptAfter }, this.device);
  }

  /** predictBatch with a voice that hears every clip first (null: each clip alone); sessions use it. */
  predictInVoice(inputs: AudioInput[], options: PredictOptions, voice: Voice | null): Prediction[] {
    const o = checkPredictOptions(options);
    const sr = this.features.logMel.sampleRate;
    const clips = checkInputs(inputs).map((x, i) => decodeAudio(x, sr, `inputs[${i}]`, { maxSeconds: o.maxSeconds, hint: LONG_AUDIO_HINT }));
    const job = this.prepare(clips, o);
    const stats = this.hear(voice, job);
    return this.finish(job, job.scored.length > 0 ? this.probabilities(job.toScore, { stats }) : new Float32Array(0), o.minConfidence, voice);
  }

  /** The async twin of predictInVoice. */
  async predictInVoiceAsync(inputs: AudioInput[], options: PredictOptions, voice: Voice | null): Promise<Prediction[]> {
    const o = checkPredictOptions(options);
    const sr = this.features.logMel.sampleRate;
    const read = await Promise.all(checkInputs(inputs).map(readInput));
    const clips = read.map((x, i) => decodeRead(x, sr, `inputs[${i}]`, o.maxSeconds));
    const job = this.prepare(clips, o);
    const stats = this.hear(voice, job);
    return this.finish(job, job.scored.length > 0 ? await this.probabilitiesAsync(job.toScore, { stats }) : new Float32Array(0), o.minConfidence, voice);
  }

  /** Lets `voice` hear the clips of a job (their speech only); the statistics each scored clip is normalised with. */
  private hear(voice: Voice | null, job: ReturnType<EmotionModel['prepare']>): (Float32Array | null)[] | undefined {
    if (!voice) return undefined;
    // The job's own speech detection when it ran with the default settings (the voice's frame rule); else the voice detects.
    for (const i of job.scored) voice.hear(job.clips[i], 0, job.defaultVad ? job.found[i] ?? undefined : undefined);
    const stats = voice.stats();
    return stats ? job.toScore.map(() => stats) : undefined;
  }

  /**
   * predict() off the JS thread: the file is read asynchronously, the log-mel, windows and network
   * run on the libuv pool; concurrent calls on one model are queued and batched into one native call.
   * (WAV parsing, resampling and speech detection stay on the JS thread: about 3 ms for a 3.5 s 48 kHz
   * clip, measured in docs/benchmarks.md.)
   */
  async predictAsync(input: AudioInput, options: PredictOptions = {}): Promise<Prediction> {
    return (await this.predictBatchAsync([input], options))[0];
  }

  async predictBatchAsync(inputs: AudioInput[], options: BatchPredictOptions = {}): Promise<Prediction[]> {
    const o = checkPredictOptions(options);
    return this.predictInVoiceAsync(inputs, o, o.sameSpeaker ? this.voice(o) : null);
  }

  /** Speech detection and trimming: which clips get scored, and what of them. */
  private prepare(clips: Float32Array[], o: { vad: Partial<VadOptions> | false }) {
    const sr = this.features.logMel.sampleRate;
    // Without speech detection nothing else stops a few samples padded with silence from being scored.
    const minSamples = this.features.logMel.nFft;
    if (o.vad === false) clips.forEach((c, i) => {
      if (c.length < minSamples) throw new SerNativeError('ERR_AUDIO', `inputs[${i}] has ${c.length} samples at ${sr} Hz, fewer than one analysis frame (${minSamples}): too short to score`);
    });
    const found = clips.map((c) => (o.vad === false ? null : detectSpeech(c, sr, o.vad)));
    const scored = clips.map((_, i) => i).filter((i) => found[i] === null || found[i]!.speech);
    const toScore = scored.map((i) => (found[i] ? trimToSpeech(clips[i], sr, found[i]!, { minSeconds: this.features.clipSeconds }) : clips[i]));
    // Whether `found` used the default speech-detection settings (a voice's statistics use those).
    const defaultVad = o.vad !== false && Object.keys(o.vad).length === 0;
    return { clips, found, scored, toScore, defaultVad };
  }

  private finish(job: ReturnType<EmotionModel['prepare']>, probs: Float32Array, minConfidence: number, voice: Voice | null = null): Prediction[] {
    const sr = this.features.logMel.sampleRate;
    const preds = this.probabilitiesToPredictions(probs, job.scored.length, minConfidence);
    const adaptation = voice ? { adapted: voice.adapted, heardSeconds: voice.heardSeconds } : {};
    return job.clips.map((c, i) => {
      const d = job.found[i];
      const speechSeconds = d ? d.speechSeconds : c.length / sr;
      const j = job.scored.indexOf(i);
      if (j < 0) return { emotion: null, confidence: null, probabilities: null, speech: false, speechSeconds, reason: 'no-speech', ...adaptation };
      return { ...preds[j], speechSeconds, ...adaptation };
    });
  }

  /**
   * Probabilities of decoded clips at the model's rate, [clips, classes]: the mean over each clip's
   * windows (and over the members of an ensemble), at the bundle's temperature unless
   * `{ calibrated: false }`. `stats[i]` (lib/model/speaker-stats.ts: a voice's per-mel statistics)
   * normalises clip i instead of its own statistics; null keeps its own.
   */
  probabilities(clips: Float32Array[], options: ProbabilityOptions = {}): Float32Array {
    checkClips(clips);
    const stats = this.checkStats(options.stats, clips.length);
    return this.calibrate(this.pipeline(clips, true, false, undefined, stats).probabilities, options.calibrated);
  }

  /** Same as probabilities() off the JS thread; concurrent calls are queued and batched. */
  async probabilitiesAsync(clips: Float32Array[], options: ProbabilityOptions = {}): Promise<Float32Array> {
    checkClips(clips);
    const stats = this.checkStats(options.stats, clips.length);
    const rows = await this.queue.submit(clips.map((samples, i) => ({ samples, stats: stats?.[i] ?? null })));
    const out = new Float32Array(rows.length * this.labels.length);
    rows.forEach((r, i) => out.set(r, i * this.labels.length));
    return this.calibrate(out, options.calibrated);
  }

  private checkStats(stats: ProbabilityOptions['stats'], n: number): (Float32Array | null)[] | undefined {
    if (stats === undefined) return undefined;
    const nMels = this.features.logMel.nMels;
    if (!Array.isArray(stats) || stats.length !== n) throw is.invalidParameterError('options.stats', `an array of ${n} entries (one per clip)`, stats);
    stats.forEach((s, i) => {
      if (s !== null && !(s instanceof Float32Array && s.length === 2 * nMels)) throw is.invalidParameterError(`options.stats[${i}]`, `null or a Float32Array of 2 × ${nMels} values (mean, then std)`, s);
    });
    if (!this.features.utteranceNorm) throw is.rangeError('options.stats', 'nothing (this model does not normalise its features)', stats);
    return stats;
  }

  private calibrate(probs: Float32Array, calibrated = true): Float32Array {
    const t = this.calibration?.temperature;
    return calibrated && t !== undefined && t !== 1 ? applyTemperature(probs, this.labels.length, t) : probs;
  }

  /**
   * Emotion over time: one segment per window of the model's length every `hop` seconds, each window
   * judged on its own samples (speech detection, log-mel with utterance normalisation, network; see
   * lib/model/windows.ts), so a live stream of the same audio (model.stream()) gives the same segments.
   * `smoothing` (exponential) or `median` smooth the probabilities of speech windows over time.
   */
  timeline(input: AudioInput, options: TimelineOptions = {}): Segment[] {
    const t = this.timelineJob(input, options);
    if (this.queue.busy) throw new SerNativeError('ERR_BUSY', 'the model is busy with predictAsync() calls; use timelineAsync() alongside them');
    return this.segments(t, this.inBatches(t.prep.scored, (w) => this.probabilities(w)));
  }

  /** timeline() with the log-mel and network on the libuv pool (batched with other async calls on this model). */
  async timelineAsync(input: AudioInput, options: TimelineOptions = {}): Promise<Segment[]> {
    const t = this.timelineJob(await readInput(input), options);
    const parts: Float32Array[] = [];
    for (let i = 0; i < t.prep.scored.length; i += TIMELINE_BATCH_WINDOWS) parts.push(await this.probabilitiesAsync(t.prep.scored.slice(i, i + TIMELINE_BATCH_WINDOWS)));
    return this.segments(t, concat(parts));
  }

  /**
   * Window probabilities TIMELINE_BATCH_WINDOWS at a time: each window is scored as its own clip, so
   * the result is the same as one call, but the native features and activations of an hour of audio
   * are never held at once.
   */
  private inBatches(windows: Float32Array[], score: (w: Float32Array[]) => Float32Array): Float32Array {
    const parts: Float32Array[] = [];
    for (let i = 0; i < windows.length; i += TIMELINE_BATCH_WINDOWS) parts.push(score(windows.slice(i, i + TIMELINE_BATCH_WINDOWS)));
    return concat(parts);
  }

  private timelineJob(input: AudioInput | ReadFile, options: TimelineOptions) {
    const o = is.options<TimelineOptions>('options', options, ['window', 'hop', 'minConfidence', 'vad', 'smoothing', 'median']); // not maxSeconds: timeline is for long audio
    const window = o.window ?? this.features.clipSeconds;
    if (window !== this.features.clipSeconds) {
      throw is.rangeError('options.window', `the model's window (${this.features.clipSeconds} s): it was trained on windows of that length`, window);
    }
    const hop = checkHop(o.hop, this.features);
    const smoothing = checkSmoothing(o);
    const p = checkScoringOptions(o);
    const sr = this.features.logMel.sampleRate;
    const samples = decodeRead(input, sr, 'input');
    const starts = timelineStarts(samples.length, this.features, hop);
    const prep = prepareWindows(starts.map((s) => cutWindow(samples, s, this.features)), sr, p.vad);
    const duration = samples.length / sr;
    const times = starts.map((s) => ({ start: s / sr, end: Math.min(duration, s / sr + window) }));
    return { prep, times, p, smoothing };
  }

  private segments(t: ReturnType<EmotionModel['timelineJob']>, probs: Float32Array): Segment[] {
    return windowSegments(t.prep, probs, t.times, this.labels, t.p.minConfidence, new ProbabilitySmoother(t.smoothing));
  }

  /**
   * Window probabilities for windows of exactly the model's length, [windows, labels], calibrated,
   * off the JS thread and batched with other async calls (each window is a clip with one window).
   */
  scoreWindowsAsync(windows: Float32Array[], stats?: (Float32Array | null)[]): Promise<Float32Array> {
    return windows.length > 0 ? this.probabilitiesAsync(windows, { stats }) : Promise.resolve(new Float32Array(0));
  }

  /** Native calls and clips scored through the async queue (micro-batching at work), and whether one runs now. */
  queueStats(): QueueStats {
    return this.queue.stats();
  }

  private probabilitiesToPredictions(probs: Float32Array, n: number, minConfidence = 0): Prediction[] {
    return rowsToPredictions(probs, n, this.labels, minConfidence);
  }
}

/** One clip for the async queue: its samples and, for an adapted voice, the statistics that normalise it. */
interface ScoredClip {
  samples: Float32Array;
  stats: Float32Array | null;
}

export interface ProbabilityOptions {
  /** Apply the bundle's temperature (default true). */
  calibrated?: boolean;
  /** Per clip, a voice's per-mel statistics [2·nMels] to normalise it with (null: its own); see lib/model/speaker-stats.ts. */
  stats?: (Float32Array | null)[];
}

/** A file read asynchronously (bytes null when it could not be read: decodeAudio then reports why). */
interface ReadFile {
  path: string;
  bytes: Buffer | null;
}

async function readInput(x: AudioInput): Promise<AudioInput | ReadFile> {
  return typeof x === 'string' ? { path: x, bytes: await readFile(x).catch(() => null) } : x;
}

function decodeRead(x: AudioInput | ReadFile, sampleRate: number, name: string, maxSeconds?: number): Float32Array {
  const limits = maxSeconds === undefined ? {} : { maxSeconds, hint: LONG_AUDIO_HINT };
  if (typeof x === 'object' && x !== null && 'path' in x) {
    if (x.bytes === null) return decodeAudio(x.path, sampleRate, name, limits);
    if (maxSeconds !== undefined) checkDuration(x.path, probeWav(x.bytes, { name: x.path }).duration, limits);
    const wav = readWav(x.bytes, { name: x.path });
    return resampleNative(wav.samples, wav.sampleRate, sampleRate);
  }
  return decodeAudio(x, sampleRate, name, limits);
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface BatchPredictOptions extends PredictOptions, VoiceOptions {
  /** The inputs are one voice: adapt to it (see EmotionModel.session()). Default false. */
  sameSpeaker?: boolean;
}

/** One voice's predictions over time (EmotionModel.session()). */
export class VoiceSession {
  constructor(readonly model: EmotionModel, readonly voice: Voice) {}

  /** Seconds of the voice's speech heard so far. */
  get heardSeconds(): number {
    return this.voice.heardSeconds;
  }

  /** Whether predictions are now normalised with the voice's statistics. */
  get adapted(): boolean {
    return this.voice.adapted;
  }

  predict(input: AudioInput, options: PredictOptions = {}): Prediction {
    return this.model.predictInVoice([input], options, this.voice)[0];
  }

  async predictAsync(input: AudioInput, options: PredictOptions = {}): Promise<Prediction> {
    return (await this.model.predictInVoiceAsync([input], options, this.voice))[0];
  }
}

export interface TimelineOptions extends PredictOptions, SmoothingOptions {
  /** Window length, seconds: must be the model's (features.clipSeconds). */
  window?: number;
  /** Seconds between window starts (default: the model's windowHopSeconds). */
  hop?: number;
}

function checkInputs(inputs: AudioInput[]): AudioInput[] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw is.invalidParameterError('inputs', 'a non-empty array', inputs);
  return inputs;
}

function checkClips(clips: Float32Array[]): void {
  // Element types are checked natively (instanceof fails across realms, e.g. under jest).
  if (!Array.isArray(clips) || clips.length === 0) throw is.invalidParameterError('clips', 'a non-empty array of Float32Array', clips);
}

function checkPredictOptions(options: BatchPredictOptions): { minConfidence: number; vad: Partial<VadOptions> | false; maxSeconds: number; sameSpeaker: boolean } & VoiceOptions {
  const o = is.options<BatchPredictOptions>('options', options, { minConfidence: true, vad: true, maxSeconds: true, sameSpeaker: true, adapt: true, adaptAfter: true });
  const voice = checkVoiceOptions(o);
  const sameSpeaker = o.sameSpeaker === undefined ? false : is.boolean('options.sameSpeaker', o.sameSpeaker);
  const { minConfidence, vad } = checkScoringOptions(o);
  const maxSeconds = o.maxSeconds === undefined ? predictSecondsLimit() : is.number('options.maxSeconds', o.maxSeconds, { min: 0, exclusiveMin: true });
  return { minConfidence, vad, maxSeconds, sameSpeaker, ...voice };
}

/** Loads a model bundle, or the default model when no path is given (see EmotionModel.load). */
export function loadModel(bundlePath?: string, options: LoadModelOptions = {}): EmotionModel {
  return EmotionModel.load(bundlePath, options);
}

const cache = new Map<string, EmotionModel>();

function isAudioInput(v: unknown): v is AudioInput {
  return typeof v === 'string' || v instanceof Uint8Array || (typeof v === 'object' && v !== null && 'samples' in v);
}

/**
 * One-shot convenience: loads (and caches) the bundle, then predicts one input.
 * `predict('clip.wav')` / `predict('clip.wav', options)` use the default model;
 * `predict(bundlePath, 'clip.wav', options)` another bundle.
 */
export function predict(input: AudioInput, options?: LoadModelOptions & PredictOptions): Prediction;
export function predict(bundlePath: string, input: AudioInput, options?: LoadModelOptions & PredictOptions): Prediction;
export function predict(a: AudioInput, b?: AudioInput | (LoadModelOptions & PredictOptions), c: LoadModelOptions & PredictOptions = {}): Prediction {
  const withPath = isAudioInput(b);
  const bundlePath = withPath ? (a as string) : defaultModelDir({ mustExist: true });
  const input = withPath ? b : a;
  const options = (withPath ? c : b) ?? {};
  is.options<LoadModelOptions & PredictOptions>('options', options, { device: true, precision: true, minConfidence: true, vad: true, maxSeconds: true });
  const key = `${bundlePath}|${options.device ?? 'cpu'}|${options.precision ?? 'float32'}`;
  let model = cache.get(key);
  if (!model) {
    model = loadModel(bundlePath, { device: options.device, precision: options.precision });
    cache.set(key, model);
  }
  const { device: _device, precision: _precision, ...rest } = options;
  return model.predict(input, rest);
}
