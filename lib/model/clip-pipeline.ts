// The one path from decoded clips to probabilities: the native clip pipeline (native/pipeline.cc:
// log-mel, normalisation with each clip's own statistics or given ones, evaluation windows, the
// member networks, the per-clip mean). Prediction (EmotionModel) and training validation
// (lib/train/validation.ts) both call it, so a model is validated exactly as it will predict.
import { native, NativeClipOptions, NativeClipResult } from '../binding';
import type { FeatureConfig } from './config';
import { windowFrames } from './features';
import type { NativeModel } from './native-model';
import { ownSpeechStats, packStats } from './speaker-stats';

export interface ClipScoring {
  /** Per-clip mean over windows (default), or one row per window. */
  mean?: boolean;
  /** Hop between evaluation windows, seconds (default: the features' windowHopSeconds). */
  hopSeconds?: number;
  /** Per clip, statistics [2·nMels] that replace its own (a voice's); null keeps its own. */
  stats?: readonly (Float32Array | null)[];
}

/** The native pipeline's settings for a model's features. */
export function clipPipelineOptions(f: FeatureConfig, o: ClipScoring = {}): NativeClipOptions {
  const hopSeconds = o.hopSeconds ?? f.windowHopSeconds;
  return {
    logMel: f.logMel,
    utteranceNorm: f.utteranceNorm,
    utteranceStd: f.utteranceStd,
    ...(o.stats ? { stats: packStats(o.stats, f.logMel.nMels) } : {}),
    windowFrames: windowFrames(f),
    hopFrames: Math.max(1, Math.round((hopSeconds * f.logMel.sampleRate) / f.logMel.hopLength)),
    padSamples: Math.round(f.clipSeconds * f.logMel.sampleRate),
    mean: o.mean ?? true,
  };
}

/** Scores clips with the networks of a model (their probabilities averaged), synchronously or on the libuv pool. */
export function scoreClips(nets: readonly NativeModel[], clips: Float32Array[], f: FeatureConfig, o: ClipScoring, async: true): Promise<NativeClipResult>;
export function scoreClips(nets: readonly NativeModel[], clips: Float32Array[], f: FeatureConfig, o: ClipScoring, async: false): NativeClipResult;
export function scoreClips(nets: readonly NativeModel[], clips: Float32Array[], f: FeatureConfig, o: ClipScoring, async: boolean): NativeClipResult | Promise<NativeClipResult> {
  const handles = nets.map((n) => n.handle());
  const options = clipPipelineOptions(f, f.speechStats ? { ...o, stats: withOwnSpeechStats(clips, f, o.stats) } : o);
  return async ? native().predictClips(handles, clips, options, true) : native().predictClips(handles, clips, options, false);
}

/** features.speechStats: clips without given statistics get their own over their speech frames (the same rule training used). */
function withOwnSpeechStats(clips: Float32Array[], f: FeatureConfig, given: ClipScoring['stats']): (Float32Array | null)[] {
  const need = clips.map((_, i) => i).filter((i) => !given?.[i]);
  const own = ownSpeechStats(need.map((i) => clips[i]), f);
  const out: (Float32Array | null)[] = clips.map((_, i) => given?.[i] ?? null);
  need.forEach((i, j) => (out[i] = own[j]));
  return out;
}
