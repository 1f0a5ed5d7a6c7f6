// A trained model, loaded from a bundle: predict() on paths, WAV buffers or samples, in batches,
// and timeline() over long audio.
import { AudioInput, decodeAudio } from '../audio/decode';
import { DEFAULT_VAD_OPTIONS, detectSpeech, trimToSpeech, VadOptions } from '../audio/vad';
import * as is from '../is';
import type { Architecture, FeatureConfig } from './config';
import { readBundle, BundleMeta } from './bundle';
import { clipFeatures, evaluationWindows, windowFrames, copyWindow, windowStartFrames } from './features';
import { NativeModel } from './native-model';
import { argmax, meanByOwner } from '../metrics';
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

export interface LoadModelOptions {
  device?: is.Device;
}

export class EmotionModel {
  readonly labels: string[];
  readonly features: FeatureConfig;
  readonly architecture: Architecture;
  readonly meta: BundleMeta;
  readonly device: string;
  private readonly net: NativeModel;

  private constructor(meta: BundleMeta, net: NativeModel, device: string) {
    this.meta = meta;
    this.labels = meta.labels;
    this.features = meta.features;
    this.architecture = meta.architecture;
    this.net = net;
    this.device = device;
  }

  /** Loads a bundle folder (or its model.json); a bundle trained on CUDA loads on CPU. */
  static load(bundlePath: string, options: LoadModelOptions = {}): EmotionModel {
    if (typeof bundlePath !== 'string' || bundlePath === '') throw is.invalidParameterError('bundlePath', 'a model folder path', bundlePath);
    const device = resolveDevice(options.device ?? 'cpu');
    const { meta, state } = readBundle(bundlePath);
    const net = new NativeModel(meta.architecture, meta.features.logMel.nMels, meta.labels.length, device, 0);
    net.setState(state);
    return new EmotionModel(meta, net, device);
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

  /** Mean window probabilities for decoded clips at the model's rate: [clips, classes]. */
  probabilities(clips: Float32Array[]): Float32Array {
    const feats = clipFeatures(clips, this.features, this.device);
    const w = evaluationWindows(feats, this.features);
    const probs = this.net.predict(w.data, w.n, w.frames);
    return meanByOwner(probs, w.owner, clips.length, this.labels.length);
  }

  /** Same as probabilities() off the JS thread, for large evaluation sets. */
  async probabilitiesAsync(clips: Float32Array[]): Promise<Float32Array> {
    const feats = clipFeatures(clips, this.features, this.device);
    const w = evaluationWindows(feats, this.features);
    const probs = await this.net.predictAsync(w.data, w.n, w.frames);
    return meanByOwner(probs, w.owner, clips.length, this.labels.length);
  }

  /** Emotion over time: one segment per window of `window` seconds every `hop` seconds. */
  timeline(input: AudioInput, options: { window?: number; hop?: number } & PredictOptions = {}): Segment[] {
    const window = options.window ?? this.features.clipSeconds;
    const hop = options.hop ?? this.features.windowHopSeconds;
    if (window !== this.features.clipSeconds) {
      throw is.rangeError('options.window', `the model's window (${this.features.clipSeconds} s): it was trained on windows of that length`, window);
    }
    is.number('options.hop', hop, { min: 0.01, max: 600 });
    const sr = this.features.logMel.sampleRate;
    const samples = decodeAudio(input, sr);
    const p = checkPredictOptions({ minConfidence: options.minConfidence, vad: options.vad });
    const found = p.vad === false ? null : detectSpeech(samples, sr, p.vad);
    const [feat] = clipFeatures([samples], this.features, this.device);
    const len = windowFrames(this.features);
    const hopFrames = Math.max(1, Math.round((hop * sr) / this.features.logMel.hopLength));
    const starts = windowStartFrames(feat.frames, len, hopFrames);
    const data = new Float32Array(starts.length * feat.nMels * len);
    starts.forEach((s, i) => copyWindow(feat, s, len, data, i * feat.nMels * len));
    const probs = this.net.predict(data, starts.length, len);
    const preds = this.probabilitiesToPredictions(probs, starts.length, p.minConfidence);
    const secondsPerFrame = this.features.logMel.hopLength / sr;
    const duration = samples.length / sr;
    const minSpeech = p.vad === false ? 0 : (p.vad.minSpeechSeconds ?? DEFAULT_VAD_OPTIONS.minSpeechSeconds);
    return preds.map((pred, i) => {
      const start = starts[i] * secondsPerFrame;
      const end = Math.min(duration, start + window);
      // Speech inside this window, from the whole clip's frame mask.
      const speechSeconds = found ? speechWithin(found.frames, start, end) : end - start;
      if (found && speechSeconds < minSpeech) return { emotion: null, confidence: null, probabilities: null, speech: false, speechSeconds, reason: 'no-speech' as const, start, end };
      return { ...pred, speechSeconds, start, end };
    });
  }

  private probabilitiesToPredictions(probs: Float32Array, n: number, minConfidence = 0): Prediction[] {
    const k = this.labels.length;
    // argmax also turns a diverged model's NaN into an error rather than a silent class 0.
    return argmax(probs.subarray(0, n * k), k).map((best, i) => {
      const row = probs.subarray(i * k, (i + 1) * k);
      const probabilities: Record<string, number> = {};
      this.labels.forEach((l, j) => (probabilities[l] = row[j]));
      const sure = row[best] >= minConfidence;
      return { emotion: sure ? this.labels[best] : null, confidence: row[best], probabilities, speech: true, speechSeconds: 0, reason: sure ? null : ('low-confidence' as const) };
    });
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

/** Loads a model bundle (see EmotionModel.load). */
export function loadModel(bundlePath: string, options: LoadModelOptions = {}): EmotionModel {
  return EmotionModel.load(bundlePath, options);
}

const cache = new Map<string, EmotionModel>();

/** One-shot convenience: loads (and caches) the bundle, then predicts one input. */
export function predict(bundlePath: string, input: AudioInput, options: LoadModelOptions & PredictOptions = {}): Prediction {
  const key = `${bundlePath}|${options.device ?? 'cpu'}`;
  let model = cache.get(key);
  if (!model) {
    model = loadModel(bundlePath, { device: options.device });
    cache.set(key, model);
  }
  const { device: _device, ...rest } = options;
  return model.predict(input, rest);
}
