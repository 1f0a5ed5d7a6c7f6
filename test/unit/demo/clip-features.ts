/**
 * Hand-computed prosodic features and a nearest-centroid classifier, used to check that the demo
 * corpus carries learnable (but not trivial) emotion cues. Test helper only: deliberately simple
 * and independent of the project's own feature extraction.
 */

import { fft } from '../audio/spectrum';

const FRAME = 400; // 25 ms at 16 kHz
const HOP = 160; // 10 ms
const HANN = Float64Array.from({ length: FRAME }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME));

function meanStd(values: number[]): [number, number] {
  if (values.length === 0) return [0, 0];
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const v = values.reduce((a, b) => a + (b - m) * (b - m), 0) / values.length;
  return [m, Math.sqrt(v)];
}

/** Autocorrelation pitch of a frame at 8 kHz, or 0 when unvoiced. */
function pitch8k(x: Float64Array, start: number, len: number): number {
  const minLag = 20; // 400 Hz
  const maxLag = 107; // 75 Hz
  let best = 0;
  let bestLag = 0;
  let e0 = 0;
  for (let i = 0; i < len; i++) e0 += x[start + i] * x[start + i];
  for (let lag = minLag; lag <= maxLag; lag++) {
    let r = 0;
    let el = 0;
    for (let i = 0; i < len; i++) {
      r += x[start + i] * x[start + i + lag];
      el += x[start + i + lag] * x[start + i + lag];
    }
    const c = r / Math.sqrt(e0 * el + 1e-20);
    if (c > best) {
      best = c;
      bestLag = lag;
    }
  }
  return best > 0.5 ? 8000 / bestLag : 0;
}

export const FEATURE_NAMES = ['logEnergyMean', 'logEnergyStd', 'zcr', 'f0Mean', 'f0Std', 'centroid'];

/** [log energy mean, log energy std, zero-crossing rate, F0 mean, F0 std (semitones), spectral centroid] of a 16 kHz clip. */
export function clipFeatures(samples: Float32Array): number[] {
  const nFrames = Math.max(0, Math.floor((samples.length - FRAME) / HOP) + 1);
  const energy: number[] = [];
  for (let f = 0; f < nFrames; f++) {
    let s = 0;
    for (let i = f * HOP; i < f * HOP + FRAME; i++) s += samples[i] * samples[i];
    energy.push(10 * Math.log10(s / FRAME + 1e-10));
  }
  const peak = Math.max(...energy);
  const active = energy.map((e, f) => (e > peak - 30 ? f : -1)).filter((f) => f >= 0);
  const [eMean, eStd] = meanStd(active.map((f) => energy[f]));

  const zcr: number[] = [];
  for (const f of active) {
    let z = 0;
    for (let i = f * HOP + 1; i < f * HOP + FRAME; i++) if (samples[i - 1] < 0 !== samples[i] < 0) z++;
    zcr.push(z / FRAME);
  }

  // Pitch on a 2:1 decimated copy (pairwise mean is enough of a low-pass for 75-400 Hz).
  const half = new Float64Array(samples.length >> 1);
  for (let i = 0; i < half.length; i++) half[i] = 0.5 * (samples[2 * i] + samples[2 * i + 1]);
  const f0: number[] = [];
  for (const f of active) {
    if (f % 2 !== 0) continue;
    const start = (f * HOP) >> 1;
    if (start + 320 + 107 > half.length) continue;
    const hz = pitch8k(half, start, 320);
    if (hz > 0) f0.push(12 * Math.log2(hz / 100));
  }
  const [f0Mean, f0Std] = meanStd(f0);

  const centroids: number[] = [];
  const re = new Float64Array(512);
  const im = new Float64Array(512);
  for (const f of active) {
    if (f % 2 !== 0) continue;
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < FRAME; i++) re[i] = samples[f * HOP + i] * HANN[i];
    fft(re, im);
    let num = 0;
    let den = 0;
    for (let k = 0; k <= 256; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      num += p * k * (16000 / 512);
      den += p;
    }
    centroids.push(num / (den + 1e-20));
  }
  return [eMean, eStd, meanStd(zcr)[0], f0Mean, f0Std, meanStd(centroids)[0]];
}

export interface Labelled {
  features: number[];
  label: string;
}

/** Train a z-scored nearest-centroid classifier and return its accuracy on `test`. */
export function nearestCentroidAccuracy(train: Labelled[], test: Labelled[]): { accuracy: number; confusion: Record<string, Record<string, number>> } {
  const dims = train[0].features.length;
  const mu = new Array(dims).fill(0);
  const sd = new Array(dims).fill(0);
  for (const t of train) t.features.forEach((v, d) => (mu[d] += v / train.length));
  for (const t of train) t.features.forEach((v, d) => (sd[d] += (v - mu[d]) ** 2 / train.length));
  for (let d = 0; d < dims; d++) sd[d] = Math.sqrt(sd[d]) || 1;
  const z = (f: number[]): number[] => f.map((v, d) => (v - mu[d]) / sd[d]);
  const centroids = new Map<string, { sum: number[]; n: number }>();
  for (const t of train) {
    const c = centroids.get(t.label) ?? { sum: new Array(dims).fill(0), n: 0 };
    z(t.features).forEach((v, d) => (c.sum[d] += v));
    c.n++;
    centroids.set(t.label, c);
  }
  const confusion: Record<string, Record<string, number>> = {};
  let correct = 0;
  for (const t of test) {
    const zf = z(t.features);
    let best = '';
    let bestDist = Infinity;
    for (const [label, c] of centroids) {
      const dist = zf.reduce((a, v, d) => a + (v - c.sum[d] / c.n) ** 2, 0);
      if (dist < bestDist) {
        bestDist = dist;
        best = label;
      }
    }
    if (best === t.label) correct++;
    confusion[t.label] ??= {};
    confusion[t.label][best] = (confusion[t.label][best] ?? 0) + 1;
  }
  return { accuracy: correct / test.length, confusion };
}
