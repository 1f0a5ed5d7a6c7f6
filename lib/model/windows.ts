// Emotion over time, window by window: where the windows of a recording start, and how one window
// of samples becomes a segment (speech detection here; log-mel with utterance normalisation and the
// network in the native pipeline, which scores each window as a clip of exactly one window).
// Every window is processed from its own samples alone, so timeline() of a file and a live stream
// (lib/stream/) of the same audio give the same segments: nothing depends on audio not yet heard.
import { detectSpeech, VadOptions } from '../audio/vad';
import type { FeatureConfig } from './config';
import { windowFrames, windowStartFrames } from './features';
import { argmax } from '../metrics';
import { ProbabilitySmoother } from './smoothing';
import type { Prediction, Segment } from './model';

/** Samples in one window at the model's rate. */
export function windowSamples(f: FeatureConfig): number {
  return Math.round(f.clipSeconds * f.logMel.sampleRate);
}

/** Samples between window starts for a hop in seconds (a whole number of feature frames, at least one). */
export function hopSamples(f: FeatureConfig, hopSeconds: number): number {
  const hl = f.logMel.hopLength;
  return Math.max(1, Math.round((hopSeconds * f.logMel.sampleRate) / hl)) * hl;
}

/** Window starts (samples) over a recording of n samples, as timeline() places them (see windowStartFrames). */
export function timelineStarts(n: number, f: FeatureConfig, hopSeconds: number): number[] {
  const hl = f.logMel.hopLength;
  const frames = 1 + Math.floor(Math.max(n, windowSamples(f)) / hl);
  return windowStartFrames(frames, windowFrames(f), hopSamples(f, hopSeconds) / hl).map((s) => s * hl);
}

/** Samples [start, start + window) of a recording, zero-padded past its end. */
export function cutWindow(samples: Float32Array, start: number, f: FeatureConfig): Float32Array {
  const w = windowSamples(f);
  if (start + w <= samples.length) return samples.subarray(start, start + w);
  const out = new Float32Array(w);
  out.set(samples.subarray(start, Math.min(samples.length, start + w)));
  return out;
}

export interface PreparedWindows {
  /** Per window: speech found (always true without speech detection), and its seconds of speech. */
  speech: boolean[];
  speechSeconds: number[];
  /** The speech windows, in order: what gets scored (each window is a clip with exactly one model window). */
  scored: Float32Array[];
}

/** Speech detection for windows of windowSamples() samples at `sampleRate`: which of them to score. */
export function prepareWindows(windows: Float32Array[], sampleRate: number, vad: Partial<VadOptions> | false): PreparedWindows {
  const found = windows.map((w) => (vad === false ? null : detectSpeech(w, sampleRate, vad)));
  const speech = found.map((d) => d === null || d.speech);
  const speechSeconds = found.map((d, i) => (d ? d.speechSeconds : windows[i].length / sampleRate));
  return { speech, speechSeconds, scored: windows.filter((_, i) => speech[i]) };
}

/** Rows of probabilities [n, labels] → predictions (emotion null below minConfidence). */
export function rowsToPredictions(probs: Float32Array, n: number, labels: string[], minConfidence = 0): Prediction[] {
  const k = labels.length;
  // argmax also turns a diverged model's NaN into an error rather than a silent class 0.
  return argmax(probs.subarray(0, n * k), k).map((best, i) => {
    const row = probs.subarray(i * k, (i + 1) * k);
    const probabilities: Record<string, number> = {};
    labels.forEach((l, j) => (probabilities[l] = row[j]));
    const sure = row[best] >= minConfidence;
    return { emotion: sure ? labels[best] : null, confidence: row[best], probabilities, speech: true, speechSeconds: 0, reason: sure ? null : ('low-confidence' as const) };
  });
}

/**
 * Segments for prepared windows given the probabilities of their speech windows; `smoother` (kept
 * by the caller across calls for a stream) smooths speech windows in order.
 */
export function windowSegments(prep: PreparedWindows, probs: Float32Array, times: { start: number; end: number }[], labels: string[], minConfidence: number, smoother: ProbabilitySmoother): Segment[] {
  const k = labels.length;
  let j = 0;
  return prep.speech.map((speech, i) => {
    const { start, end } = times[i];
    const speechSeconds = prep.speechSeconds[i];
    if (!speech) {
      smoother.next(null);
      return { emotion: null, confidence: null, probabilities: null, speech: false, speechSeconds, reason: 'no-speech' as const, start, end };
    }
    const row = smoother.next(probs.subarray(j * k, (j + 1) * k))!;
    j++;
    return { ...rowsToPredictions(row, 1, labels, minConfidence)[0], speechSeconds, start, end };
  });
}
