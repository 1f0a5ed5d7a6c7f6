// A trained model, loaded from a bundle: predict() on paths, WAV buffers or samples, in batches,
// and timeline() over long audio.
import { AudioInput, decodeAudio } from '../audio/decode';
import { detectSpeech, trimToSpeech, VadOptions } from '../audio/vad';
import * as is from '../is';
import type { Architecture, FeatureConfig } from './config';
import { readBundle, BundleMeta, Calibration } from './bundle';
import { Ensemble, WindowScorer } from './ensemble';
import { defaultModelDir } from './default-model';
import { applyTemperature } from '../metrics/calibration';
import { SerNativeError } from '../errors';
import { clipFeatures, evaluationWindows, windowFrames } from './features';
import { cutWindow, prepareWindows, PreparedWindows, rowsToPredictions, timelineStarts, windowSegments } from './windows';
import { checkSmoothing, ProbabilitySmoother, SmoothingOptions } from './smoothing';
import { WindowQueue, WindowQueueStats } from './window-queue';
import { NativeModel } from './native-model';
import { meanByOwner } from '../metrics';
import { resolveDevice } from '../info';

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
}

export interface PredictOptions {
  /** Abstain (emotion null, reason 'low-confidence') when the top probability is below this. Default 0. */
  minConfidence?: number;
  /** Speech-detection settings, or false to score the whole input as it is (no speech check, no trimming). */
  vad?: Partial<VadOptions> | false;
}

export interface Segment extends Prediction {
  /** Start and end of the window, seconds. */
  start: number;
  end: number;
}

export interface TimelineOptions extends PredictOptions, SmoothingOptions {
  /** Window length, seconds: must be the model's (features.clipSeconds). */
  window?: number;
  /** Seconds between window starts (default: the model's windowHopSeconds). */
  hop?: number;
}

export interface LoadModelOptions {
  device?: is.Device;
}

export class EmotionModel {
  readonly labels: string[];
  readonly features: FeatureConfig;
  readonly architecture: Architecture;
  readonly meta: BundleMeta;
  readonly device: string;
  /** Where the bundle was loaded from. */
  readonly path: string;
  /** Number of member networks whose probabilities are averaged (1 for a single model). */
  readonly members: number;
  /** The temperature applied to probabilities, when the bundle is calibrated. */
  readonly calibration: Calibration | null;
  private readonly net: WindowScorer;
  private queue: WindowQueue | null = null;

  private constructor(meta: BundleMeta, net: WindowScorer, members: number, device: string, bundlePath: string) {
    this.meta = meta;
    this.labels = meta.labels;
    this.features = meta.features;
    this.architecture = meta.architecture;
    this.net = net;
    this.members = members;
    this.calibration = meta.calibration ?? null;
    this.device = device;
    this.path = bundlePath;
  }

  /**
   * Loads a bundle folder (or its model.json), or the default model shipped in the package when no
   * path is given; a bundle trained on CUDA loads on CPU. An ensemble's members are loaded and
   * checked one by one: a member that does not fit is an ERR_MODEL naming it and the bundle.
   */
  static load(bundlePath?: string, options: LoadModelOptions = {}): EmotionModel {
    if (bundlePath === undefined) bundlePath = defaultModelDir({ mustExist: true });
    if (typeof bundlePath !== 'string' || bundlePath === '') throw is.invalidParameterError('bundlePath', 'a model folder path', bundlePath);
    const device = resolveDevice(options.device ?? 'cpu');
    const { meta, members } = readBundle(bundlePath);
    const nets = members.map((m, i) => {
      const net = new NativeModel(m.architecture, meta.features.logMel.nMels, meta.labels.length, device, 0);
      try {
        net.setState(m.state);
      } catch (e) {
        const who = meta.formatVersion === 1 ? '' : ` member '${m.name}' (${i + 1} of ${members.length}):`;
        throw new SerNativeError('ERR_MODEL', `${bundlePath}:${who} ${(e as Error).message}`, { cause: e });
      }
      return net;
    });
    return new EmotionModel(meta, nets.length === 1 ? nets[0] : new Ensemble(nets), nets.length, device, bundlePath);
  }

  /**
   * Emotion of one clip: speech is detected first (no speech → emotion null), leading and trailing
   * silence is trimmed, then the clip is scored as the mean over its windows.
   */
  predict(input: AudioInput, options: PredictOptions = {}): Prediction {
    return this.predictBatch([input], options)[0];
  }

  predictBatch(inputs: AudioInput[], options: PredictOptions = {}): Prediction[] {
    if (!Array.isArray(inputs) || inputs.length === 0) throw is.invalidParameterError('inputs', 'a non-empty array', inputs);
    const o = checkPredictOptions(options);
    const sr = this.features.logMel.sampleRate;
    const clips = inputs.map((x, i) => decodeAudio(x, sr, `inputs[${i}]`));
    const found = clips.map((c) => (o.vad === false ? null : detectSpeech(c, sr, o.vad)));
    const scored = clips.map((_, i) => i).filter((i) => found[i] === null || found[i]!.speech);
    const probs = scored.length > 0 ? this.probabilities(scored.map((i) => (found[i] ? trimToSpeech(clips[i], sr, found[i]!, { minSeconds: this.features.clipSeconds }) : clips[i]))) : new Float32Array(0);
    const preds = this.probabilitiesToPredictions(probs, scored.length, o.minConfidence);
    return clips.map((c, i) => {
      const d = found[i];
      const speechSeconds = d ? d.speechSeconds : c.length / sr;
      const j = scored.indexOf(i);
      if (j < 0) return { emotion: null, confidence: null, probabilities: null, speech: false, speechSeconds, reason: 'no-speech' };
      return { ...preds[j], speechSeconds };
    });
  }

  /**
   * Probabilities of decoded clips at the model's rate, [clips, classes]: the mean over each clip's
   * windows (and over the members of an ensemble), at the bundle's temperature unless
   * `{ calibrated: false }`.
   */
  probabilities(clips: Float32Array[], options: { calibrated?: boolean } = {}): Float32Array {
    const feats = clipFeatures(clips, this.features, this.device);
    const w = evaluationWindows(feats, this.features);
    const probs = this.net.predict(w.data, w.n, w.frames);
    return this.calibrate(meanByOwner(probs, w.owner, clips.length, this.labels.length), options.calibrated);
  }

  /** Same as probabilities() off the JS thread, for large evaluation sets. */
  async probabilitiesAsync(clips: Float32Array[], options: { calibrated?: boolean } = {}): Promise<Float32Array> {
    const feats = clipFeatures(clips, this.features, this.device);
    const w = evaluationWindows(feats, this.features);
    const probs = await this.net.predictAsync(w.data, w.n, w.frames);
    return this.calibrate(meanByOwner(probs, w.owner, clips.length, this.labels.length), options.calibrated);
  }

  private calibrate(probs: Float32Array, calibrated = true): Float32Array {
    const t = this.calibration?.temperature;
    return calibrated && t !== undefined && t !== 1 ? applyTemperature(probs, this.labels.length, t) : probs;
  }

  /**
   * Emotion over time: one segment per window of the model's length every `hop` seconds, each window
   * judged on its own samples (speech detection, features, scoring; see lib/model/windows.ts), so a
   * live stream of the same audio gives the same segments. `smoothing`/`median` smooth speech windows over time.
   */
  timeline(input: AudioInput, options: TimelineOptions = {}): Segment[] {
    const o = this.timelineOptions(options);
    const samples = decodeAudio(input, this.features.logMel.sampleRate);
    const { prep, times } = this.timelineWindows(samples, o.hop, o.vad);
    return windowSegments(prep, this.scoreWindows(prep.data, prep.n, prep.frames), times, this.labels, o.minConfidence, new ProbabilitySmoother(o));
  }

  /** timeline() with the scoring off the JS thread (and batched with other async calls). */
  async timelineAsync(input: AudioInput, options: TimelineOptions = {}): Promise<Segment[]> {
    const o = this.timelineOptions(options);
    const samples = decodeAudio(input, this.features.logMel.sampleRate);
    const { prep, times } = this.timelineWindows(samples, o.hop, o.vad);
    return windowSegments(prep, await this.scoreWindowsAsync(prep.data, prep.n), times, this.labels, o.minConfidence, new ProbabilitySmoother(o));
  }

  private timelineOptions(options: TimelineOptions): { hop: number; minConfidence: number; vad: Partial<VadOptions> | false } & Required<SmoothingOptions> {
    const o = is.plainObject('options', options) as TimelineOptions;
    is.knownKeys('options', o as Record<string, unknown>, ['window', 'hop', 'minConfidence', 'vad', 'smoothing', 'median']);
    const window = o.window ?? this.features.clipSeconds;
    const hop = o.hop ?? this.features.windowHopSeconds;
    if (window !== this.features.clipSeconds) {
      throw is.rangeError('options.window', `the model's window (${this.features.clipSeconds} s): it was trained on windows of that length`, window);
    }
    is.number('options.hop', hop, { min: 0.01, max: 600 });
    const p = checkPredictOptions({ minConfidence: o.minConfidence, vad: o.vad });
    return { hop, ...p, ...checkSmoothing(o) };
  }

  private timelineWindows(samples: Float32Array, hop: number, vad: Partial<VadOptions> | false): { prep: PreparedWindows; times: { start: number; end: number }[] } {
    const sr = this.features.logMel.sampleRate;
    const starts = timelineStarts(samples.length, this.features, hop);
    const prep = prepareWindows(starts.map((s) => cutWindow(samples, s, this.features)), this.features, vad, this.device);
    const duration = samples.length / sr;
    return { prep, times: starts.map((s) => ({ start: s / sr, end: Math.min(duration, s / sr + this.features.clipSeconds) })) };
  }

  /** Probabilities [n, labels] of n prepared windows [n, nMels, frames]. */
  scoreWindows(data: Float32Array, n: number, frames: number): Float32Array {
    return n === 0 ? new Float32Array(0) : this.calibrate(this.net.predict(data, n, frames));
  }

  /** scoreWindows() on the libuv pool; windows asked for while a call runs are scored together by the next one. */
  async scoreWindowsAsync(data: Float32Array, n: number): Promise<Float32Array> {
    return this.calibrate(await this.rawScoresAsync(data, n));
  }

  /** Uncalibrated window probabilities through the micro-batching queue. */
  private rawScoresAsync(data: Float32Array, n: number): Promise<Float32Array> {
    if (!this.queue) {
      const frames = windowFrames(this.features);
      this.queue = new WindowQueue((d, k, f) => this.net.predictAsync(d, k, f), this.features.logMel.nMels * frames, frames, this.labels.length);
    }
    return this.queue.run(data, n);
  }

  /** Calls and windows scored through scoreWindowsAsync (micro-batching at work). */
  queueStats(): WindowQueueStats {
    return this.queue ? this.queue.stats() : { calls: 0, windows: 0, maxBatch: 0, pending: 0 };
  }

  /** predict() with the network off the JS thread; concurrent calls share native calls. */
  async predictAsync(input: AudioInput, options: PredictOptions = {}): Promise<Prediction> {
    return (await this.predictBatchAsync([input], options))[0];
  }

  async predictBatchAsync(inputs: AudioInput[], options: PredictOptions = {}): Promise<Prediction[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) throw is.invalidParameterError('inputs', 'a non-empty array', inputs);
    const o = checkPredictOptions(options);
    const sr = this.features.logMel.sampleRate;
    const clips = inputs.map((x, i) => decodeAudio(x, sr, `inputs[${i}]`));
    const found = clips.map((c) => (o.vad === false ? null : detectSpeech(c, sr, o.vad)));
    const scored = clips.map((_, i) => i).filter((i) => found[i] === null || found[i]!.speech);
    let probs: Float32Array = new Float32Array(0);
    if (scored.length > 0) {
      const feats = clipFeatures(scored.map((i) => (found[i] ? trimToSpeech(clips[i], sr, found[i]!, { minSeconds: this.features.clipSeconds }) : clips[i])), this.features, this.device);
      const w = evaluationWindows(feats, this.features);
      // As probabilities(): the mean over windows, then the temperature.
      probs = this.calibrate(meanByOwner(await this.rawScoresAsync(w.data, w.n), w.owner, scored.length, this.labels.length));
    }
    const preds = this.probabilitiesToPredictions(probs, scored.length, o.minConfidence);
    return clips.map((c, i) => {
      const d = found[i];
      const speechSeconds = d ? d.speechSeconds : c.length / sr;
      const j = scored.indexOf(i);
      if (j < 0) return { emotion: null, confidence: null, probabilities: null, speech: false, speechSeconds, reason: 'no-speech' };
      return { ...preds[j], speechSeconds };
    });
  }

  private probabilitiesToPredictions(probs: Float32Array, n: number, minConfidence = 0): Prediction[] {
    return rowsToPredictions(probs, n, this.labels, minConfidence);
  }
}

function checkPredictOptions(options: PredictOptions): { minConfidence: number; vad: Partial<VadOptions> | false } {
  const o = is.plainObject('options', options);
  is.knownKeys('options', o, ['minConfidence', 'vad', 'device', 'window', 'hop']);
  const minConfidence = o.minConfidence === undefined ? 0 : is.number('options.minConfidence', o.minConfidence, { min: 0, max: 1 });
  const vad = o.vad === undefined ? {} : o.vad === false ? false : (is.plainObject('options.vad', o.vad) as Partial<VadOptions>);
  return { minConfidence, vad };
}

/** Seconds of speech frames (smoothed mask) overlapping [start, end). */
function speechWithin(frames: { hopSeconds: number; mask: Uint8Array }, start: number, end: number): number {
  let n = 0;
  const a = Math.max(0, Math.floor(start / frames.hopSeconds));
  const b = Math.min(frames.mask.length, Math.ceil(end / frames.hopSeconds));
  for (let i = a; i < b; i++) n += frames.mask[i];
  return n * frames.hopSeconds;
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
  const key = `${bundlePath}|${options.device ?? 'cpu'}`;
  let model = cache.get(key);
  if (!model) {
    model = loadModel(bundlePath, { device: options.device });
    cache.set(key, model);
  }
  const { device: _device, ...rest } = options;
  return model.predict(input, rest);
}
