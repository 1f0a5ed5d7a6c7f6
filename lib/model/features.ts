// Audio → model input, shared by training, evaluation and prediction so they can never differ:
// log-mel of the whole clip (padded to at least one window), optional per-utterance mean removal,
// then fixed windows of frames.
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

/** Log-mel of whole clips (already at the feature sample rate), with utterance normalisation applied. */
export function clipFeatures(clips: Float32Array[], f: FeatureConfig, device = 'cpu'): LogMel[] {
  const out: LogMel[] = [];
  // Batches of similar size keep the padding small; 32 clips at a time bounds memory.
  for (let i = 0; i < clips.length; i += 32) {
    const part = logMelResolved(clips.slice(i, i + 32).map((c) => padToWindow(c, f)), f.logMel, device, true);
    for (const m of part) out.push(f.utteranceNorm ? utteranceNormalize(m) : m);
  }
  return out;
}

/** Subtracts each mel bin's mean over the utterance (in place; returns its argument). */
export function utteranceNormalize(m: LogMel): LogMel {
  for (let k = 0; k < m.nMels; k++) {
    const row = m.data.subarray(k * m.frames, (k + 1) * m.frames);
    let s = 0;
    for (let t = 0; t < row.length; t++) s += row[t];
    const mean = s / row.length;
    for (let t = 0; t < row.length; t++) row[t] -= mean;
  }
  return m;
}

/** Copies frames [start, start + len) of a [nMels, frames] spectrogram into `out` at `offset`. */
export function copyWindow(m: LogMel, start: number, len: number, out: Float32Array, offset: number): void {
  for (let k = 0; k < m.nMels; k++) out.set(m.data.subarray(k * m.frames + start, k * m.frames + start + len), offset + k * len);
}

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
