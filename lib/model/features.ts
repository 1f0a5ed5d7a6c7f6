// Audio → model input: the window length, padding a clip to one window, the raw log-mel of whole
// clips, and where evaluation windows start. The normalisation and windowing themselves run
// natively (native/feature_norm.cc, native/pipeline.cc, native/epoch_pipeline.cc); their
// TypeScript twins, kept as references for tests and the 'js' training baseline, are in
// reference.ts.
import { LogMel, logMelResolved } from '../features/logmel';
import type { FeatureConfig } from './config';

/** Frames in one window (the training crop length). */
export function windowFrames(f: FeatureConfig): number {
  return 1 + Math.floor((f.clipSeconds * f.logMel.sampleRate) / f.logMel.hopLength);
}

/** Zero-pads a clip to at least one window, so every clip yields ≥ windowFrames frames. */
export function padToWindow(samples: Float32Array, f: FeatureConfig): Float32Array {
  const need = Math.round(f.clipSeconds * f.logMel.sampleRate);
  if (samples.length >= need) return samples;
  const out = new Float32Array(need);
  out.set(samples);
  return out;
}

/** Log-mel of whole clips (already at the feature sample rate, padded to one window), not normalised. */
export function rawClipFeatures(clips: Float32Array[], f: FeatureConfig, device = 'cpu'): LogMel[] {
  const out: LogMel[] = [];
  // Batches of similar size keep the padding small; 32 clips at a time bounds memory.
  for (let i = 0; i < clips.length; i += 32) out.push(...logMelResolved(clips.slice(i, i + 32).map((c) => padToWindow(c, f)), f.logMel, device, true));
  return out;
}

/** Smallest standard deviation divided by, dB (native/feature_norm.h kMinFeatureStd). */
export const MIN_FEATURE_STD = 1e-2;

/**
 * Window start frames covering a clip: every hop, plus one aligned to the end. A clip at most one
 * hop longer than a window is scored on its centre window alone (the evaluation crop), which halves
 * the work for typical 3–4 s utterances.
 */
export function windowStartFrames(frames: number, len: number, hop: number): number[] {
  if (frames <= len) return [0];
  if (frames <= len + hop) return [Math.floor((frames - len) / 2)];
  const starts: number[] = [];
  for (let s = 0; s + len <= frames; s += hop) starts.push(s);
  if (starts[starts.length - 1] + len < frames) starts.push(frames - len);
  return starts;
}

