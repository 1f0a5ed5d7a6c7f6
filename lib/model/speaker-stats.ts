// A voice's per-mel log-mel statistics, for speaker normalisation (FeatureConfig.speakerNorm): the
// mean and standard deviation of every mel bin over the *speech* frames heard from one speaker
// (frames that speech detection, lib/audio/vad.ts, marks as speech: silence and pauses never move
// them). Training computes them from each speaker's clips, evaluation from each test speaker's, and
// a session (VoiceSession) keeps them running over what it has heard; the same accumulator and the
// same frame rule serve all three, so they cannot disagree.
import { detectSpeech, type SpeechDetection } from '../audio/vad';
import type { LogMel } from '../features/logmel';
import { frameCount } from '../features/options';
import type { FeatureConfig } from './config';
import { rawClipFeatures } from './features';

export class FeatureStats {
  private readonly sum: Float64Array;
  private readonly sq: Float64Array;
  /** Frames accumulated so far. */
  frames = 0;

  constructor(readonly nMels: number) {
    this.sum = new Float64Array(nMels);
    this.sq = new Float64Array(nMels);
  }

  /** Adds the frames of a raw (not normalised) log-mel, or only those where `keep` is true. */
  add(m: LogMel, keep?: (frame: number) => boolean): this {
    if (m.nMels !== this.nMels) throw new RangeError(`a log-mel with ${m.nMels} mel bins cannot join statistics of ${this.nMels}`);
    let n = 0;
    for (let t = 0; t < m.frames; t++) {
      if (keep && !keep(t)) continue;
      n++;
      for (let k = 0; k < this.nMels; k++) {
        const v = m.data[k * m.frames + t];
        this.sum[k] += v;
        this.sq[k] += v * v;
      }
    }
    this.frames += n;
    return this;
  }

  /** [2·nMels]: per-mel mean, then standard deviation (population); null before any frame. */
  stats(): Float32Array | null {
    if (this.frames === 0) return null;
    const out = new Float32Array(2 * this.nMels);
    for (let k = 0; k < this.nMels; k++) {
      const mean = this.sum[k] / this.frames;
      out[k] = mean;
      out[this.nMels + k] = Math.sqrt(Math.max(0, this.sq[k] / this.frames - mean * mean));
    }
    return out;
  }
}

/**
 * Which log-mel frames of a clip are speech: frame t (centred at t·hopLength samples) is kept when
 * the speech-detection frame it falls in is speech (`detection`: the clip's, when already made).
 * Null when the clip has no speech at all.
 */
export function speechFrameMask(clip: Float32Array, f: FeatureConfig, detection?: SpeechDetection): ((t: number) => boolean) | null {
  const sr = f.logMel.sampleRate;
  const d = detection ?? detectSpeech(clip, sr);
  const { mask, hopSeconds } = d.frames;
  if (!mask.some((v) => v === 1)) return null;
  return (t) => {
    const i = Math.floor((t * f.logMel.hopLength) / sr / hopSeconds);
    return i < mask.length && mask[i] === 1;
  };
}

/**
 * Each speaker's statistics over the speech frames of their clips' raw log-mel, and each clip's
 * row: [clips][2·nMels]. A speaker in whose clips no speech is detected gets the statistics of all
 * their frames (so every clip has a row).
 */
export function speakerStats(clips: Float32Array[], speakers: readonly string[], f: FeatureConfig, device = 'cpu'): { bySpeaker: Map<string, Float32Array>; perClip: Float32Array[] } {
  if (clips.length !== speakers.length) throw new RangeError(`speakerStats: ${clips.length} clips but ${speakers.length} speaker ids`);
  const speech = new Map<string, FeatureStats>();
  const all = new Map<string, FeatureStats>();
  const of = (m: Map<string, FeatureStats>, s: string) => m.get(s) ?? m.set(s, new FeatureStats(f.logMel.nMels)).get(s)!;
  // In batches, so the raw features of a whole corpus are never held at once.
  for (let i = 0; i < clips.length; i += 64) {
    rawClipFeatures(clips.slice(i, i + 64), f, device).forEach((m, j) => {
      const s = speakers[i + j];
      const keep = speechFrameMask(clips[i + j], f);
      if (keep) of(speech, s).add(m, keep);
      of(all, s).add(m);
    });
  }
  const bySpeaker = new Map([...all].map(([s, a]) => [s, (speech.get(s)?.frames ? speech.get(s)! : a).stats()!]));
  return { bySpeaker, perClip: speakers.map((s) => bySpeaker.get(s)!) };
}

/**
 * Each clip's speech frames as 0/1 over the log-mel frames of the clip zero-padded to `padSamples`,
 * back to back (setTrainingData's speechMasks): the frames speechFrameMask keeps. A clip with no
 * speech has an all-zero mask, and its own statistics then use every frame.
 */
export function speechMasks(clips: readonly Float32Array[], f: FeatureConfig, padSamples: number): Uint8Array {
  const frames = clips.map((c) => frameCount(f.logMel, Math.max(c.length, padSamples)));
  const out = new Uint8Array(frames.reduce((a, b) => a + b, 0));
  let at = 0;
  clips.forEach((c, i) => {
    const keep = speechFrameMask(c, f);
    if (keep) for (let t = 0; t < frames[i]; t++) out[at + t] = keep(t) ? 1 : 0;
    at += frames[i];
  });
  return out;
}

/**
 * Each clip's own statistics over its speech frames (features.speechStats), or null for a clip with
 * no speech (the native pipeline then uses all of its frames). `detections[i]`, when given, is clip
 * i's speech detection already made with the default settings.
 */
export function ownSpeechStats(clips: Float32Array[], f: FeatureConfig, device = 'cpu', detections?: readonly (SpeechDetection | null | undefined)[]): (Float32Array | null)[] {
  const out: (Float32Array | null)[] = [];
  for (let i = 0; i < clips.length; i += 64) {
    rawClipFeatures(clips.slice(i, i + 64), f, device).forEach((m, j) => {
      const keep = speechFrameMask(clips[i + j], f, detections?.[i + j] ?? undefined);
      out.push(keep ? new FeatureStats(f.logMel.nMels).add(m, keep).stats() : null);
    });
  }
  return out;
}

/** Rows of per-clip statistics packed for the native calls: [clips·2·nMels]; a null row is NaN (use the clip's own). */
export function packStats(rows: readonly (Float32Array | null)[], nMels: number): Float32Array {
  const out = new Float32Array(rows.length * 2 * nMels).fill(NaN);
  rows.forEach((r, i) => {
    if (r) out.set(r, i * 2 * nMels);
  });
  return out;
}
