// TypeScript twins of native code, kept as references: what tests check the native kernels against
// (normalisation: native/feature_norm.cc; windows: native/pipeline.cc; crop/warp: native/
// epoch_pipeline.cc), and what the 'js' training baseline of `npm run bench:train` uses
// (lib/train/reference-pipeline.ts). Prediction and training never call them.
import type { LogMel } from '../features/logmel';
import type { FeatureConfig } from './config';
import { MIN_FEATURE_STD, rawClipFeatures, windowFrames, windowStartFrames } from './features';

/**
 * Log-mel of whole clips, normalised as the model expects: with each clip's own statistics, or with
 * `stats[i]` ([2·nMels]: per-mel mean then standard deviation, e.g. its speaker's) where given.
 */
export function clipFeatures(clips: Float32Array[], f: FeatureConfig, device = 'cpu', stats?: readonly (Float32Array | null)[]): LogMel[] {
  return rawClipFeatures(clips, f, device).map((m, i) => normalizeLogMel(m, f, stats?.[i] ?? null));
}

/**
 * Normalises a log-mel in place (and returns it): subtracts each mel bin's mean (utteranceNorm) and
 * divides by its standard deviation (utteranceStd), over the utterance's own frames, or the given
 * `stats` [2·nMels] (mean then std). Double arithmetic, as native/feature_norm.cc.
 */
export function normalizeLogMel(m: LogMel, f: Pick<FeatureConfig, 'utteranceNorm' | 'utteranceStd'>, stats: Float32Array | null = null): LogMel {
  if (!f.utteranceNorm) return m;
  for (let k = 0; k < m.nMels; k++) {
    const row = m.data.subarray(k * m.frames, (k + 1) * m.frames);
    let mean: number;
    let std = 1;
    if (stats) {
      mean = stats[k];
      std = stats[m.nMels + k];
    } else {
      let s = 0;
      for (let t = 0; t < row.length; t++) s += row[t];
      mean = s / row.length;
      if (f.utteranceStd) {
        let q = 0;
        for (let t = 0; t < row.length; t++) q += (row[t] - mean) ** 2;
        std = Math.sqrt(q / row.length);
      }
    }
    const sd = f.utteranceStd ? Math.max(MIN_FEATURE_STD, std) : 1;
    for (let t = 0; t < row.length; t++) row[t] = (row[t] - mean) / sd;
  }
  return m;
}

/** Copies frames [start, start + len) of a [nMels, frames] spectrogram into `out` at `offset`. */
export function copyWindow(m: LogMel, start: number, len: number, out: Float32Array, offset: number): void {
  for (let k = 0; k < m.nMels; k++) out.set(m.data.subarray(k * m.frames + start, k * m.frames + start + len), offset + k * len);
}

/** All evaluation windows of some clips, stacked [n, nMels, len], with the clip each window belongs to. */
export function evaluationWindows(feats: LogMel[], f: FeatureConfig): { data: Float32Array; n: number; frames: number; owner: number[] } {
  const len = windowFrames(f);
  const hop = Math.max(1, Math.round((f.windowHopSeconds * f.logMel.sampleRate) / f.logMel.hopLength));
  const owner: number[] = [];
  const starts: number[][] = feats.map((m) => windowStartFrames(m.frames, len, hop));
  const total = starts.reduce((a, s) => a + s.length, 0);
  const nMels = f.logMel.nMels;
  const data = new Float32Array(total * nMels * len);
  let w = 0;
  feats.forEach((m, i) => {
    for (const s of starts[i]) {
      copyWindow(m, s, len, data, w * nMels * len);
      owner.push(i);
      w++;
    }
  });
  return { data, n: total, frames: len, owner };
}

/**
 * copyWindow with a random-looking warp, for training only: output frame j reads source frame
 * start + j·timeScale (tempo change without pitch change) and output mel bin k reads source bin
 * k·freqScale (a vocal-tract-length-like shift of formants and pitch), bilinearly interpolated.
 * Both scales near 1 make speakers' voices vary, which helps on speakers never heard in training.
 */
export function copyWindowWarped(m: LogMel, start: number, len: number, out: Float32Array, offset: number, timeScale: number, freqScale: number): void {
  const nMels = m.nMels;
  const lastT = m.frames - 1;
  const lastM = nMels - 1;
  for (let k = 0; k < nMels; k++) {
    const sk = Math.min(lastM, k * freqScale);
    const k0 = Math.floor(sk);
    const k1 = Math.min(lastM, k0 + 1);
    const fk = sk - k0;
    const r0 = k0 * m.frames;
    const r1 = k1 * m.frames;
    const o = offset + k * len;
    for (let j = 0; j < len; j++) {
      const st = Math.min(lastT, start + j * timeScale);
      const t0 = Math.floor(st);
      const t1 = Math.min(lastT, t0 + 1);
      const ft = st - t0;
      const a = m.data[r0 + t0] + (m.data[r0 + t1] - m.data[r0 + t0]) * ft;
      const b = m.data[r1 + t0] + (m.data[r1 + t1] - m.data[r1 + t0]) * ft;
      out[o + j] = a + (b - a) * fk;
    }
  }
}
