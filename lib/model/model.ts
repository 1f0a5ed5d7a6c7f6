// A trained model, loaded from a bundle: predict() on paths, WAV buffers or samples, in batches,
// and timeline() over long audio.
import { AudioInput, decodeAudio } from '../audio/decode';
import * as is from '../is';
import type { Architecture, FeatureConfig } from './config';
import { readBundle, BundleMeta } from './bundle';
import { clipFeatures, evaluationWindows, windowFrames, copyWindow, windowStartFrames } from './features';
import { NativeModel } from './native-model';
import { argmax, meanByOwner } from '../metrics';
import { resolveDevice } from '../info';

export interface Prediction {
  emotion: string;
  confidence: number;
  probabilities: Record<string, number>;
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

  /** Emotion of one clip (scored as the mean over windows when longer than one window). */
  predict(input: AudioInput): Prediction {
    return this.predictBatch([input])[0];
  }

  predictBatch(inputs: AudioInput[]): Prediction[] {
    if (!Array.isArray(inputs) || inputs.length === 0) throw is.invalidParameterError('inputs', 'a non-empty array', inputs);
    const clips = inputs.map((x, i) => decodeAudio(x, this.features.logMel.sampleRate, `inputs[${i}]`));
    return this.probabilitiesToPredictions(this.probabilities(clips), clips.length);
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
  timeline(input: AudioInput, options: { window?: number; hop?: number } = {}): Segment[] {
    const window = options.window ?? this.features.clipSeconds;
    const hop = options.hop ?? this.features.windowHopSeconds;
    if (window !== this.features.clipSeconds) {
      throw is.rangeError('options.window', `the model's window (${this.features.clipSeconds} s): it was trained on windows of that length`, window);
    }
    is.number('options.hop', hop, { min: 0.01, max: 600 });
    const sr = this.features.logMel.sampleRate;
    const samples = decodeAudio(input, sr);
    const [feat] = clipFeatures([samples], this.features, this.device);
    const len = windowFrames(this.features);
    const hopFrames = Math.max(1, Math.round((hop * sr) / this.features.logMel.hopLength));
    const starts = windowStartFrames(feat.frames, len, hopFrames);
    const data = new Float32Array(starts.length * feat.nMels * len);
    starts.forEach((s, i) => copyWindow(feat, s, len, data, i * feat.nMels * len));
    const probs = this.net.predict(data, starts.length, len);
    const preds = this.probabilitiesToPredictions(probs, starts.length);
    const secondsPerFrame = this.features.logMel.hopLength / sr;
    const duration = samples.length / sr;
    return preds.map((p, i) => ({ ...p, start: starts[i] * secondsPerFrame, end: Math.min(duration, starts[i] * secondsPerFrame + window) }));
  }

  private probabilitiesToPredictions(probs: Float32Array, n: number): Prediction[] {
    const k = this.labels.length;
    // argmax also turns a diverged model's NaN into an error rather than a silent class 0.
    return argmax(probs.subarray(0, n * k), k).map((best, i) => {
      const row = probs.subarray(i * k, (i + 1) * k);
      const probabilities: Record<string, number> = {};
      this.labels.forEach((l, j) => (probabilities[l] = row[j]));
      return { emotion: this.labels[best], confidence: row[best], probabilities };
    });
  }
}

/** Loads a model bundle (see EmotionModel.load). */
export function loadModel(bundlePath: string, options: LoadModelOptions = {}): EmotionModel {
  return EmotionModel.load(bundlePath, options);
}

const cache = new Map<string, EmotionModel>();

/** One-shot convenience: loads (and caches) the bundle, then predicts one input. */
export function predict(bundlePath: string, input: AudioInput, options: LoadModelOptions = {}): Prediction {
  const key = `${bundlePath}|${options.device ?? 'cpu'}`;
  let model = cache.get(key);
  if (!model) {
    model = loadModel(bundlePath, options);
    cache.set(key, model);
  }
  return model.predict(input);
}
