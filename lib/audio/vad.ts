// Speech detection (voice activity): is there speech in a clip, how much, and where. The per-frame
// measures and decision are native (native/vad.cc: energy over the clip's noise floor and spectral
// flatness); this file smooths the frame mask into segments and decides for the whole clip.
import { native, NativeVadOptions } from '../binding';
import * as is from '../is';

/** Speech detection settings: the native frame measures' plus how frames become segments. */
export interface VadOptions extends NativeVadOptions {
  /** Pauses shorter than this inside speech count as speech (default 0.3 s: stops, fricatives). */
  maxGapSeconds: number;
  /** Speech runs shorter than this are dropped as clicks (default 0.06 s). */
  minRunSeconds: number;
  /** A clip with less speech than this is "no speech" (default 0.3 s). */
  minSpeechSeconds: number;
}

export const DEFAULT_VAD_OPTIONS: Readonly<VadOptions> = Object.freeze({
  frameSeconds: 0.025,
  hopSeconds: 0.01,
  minDb: -70,
  marginDb: 9,
  maxFlatness: 0.35,
  lowHz: 100,
  highHz: 4000,
  floorQuantile: 0.1,
  maxGapSeconds: 0.3,
  minRunSeconds: 0.06,
  minSpeechSeconds: 0.3,
});

export interface SpeechSegment {
  /** Seconds from the start of the clip. */
  start: number;
  end: number;
}

export interface SpeechDetection {
  /** At least minSpeechSeconds of speech was found. */
  speech: boolean;
  /** Total duration of the speech segments, seconds. */
  speechSeconds: number;
  /** Duration of the whole clip, seconds. */
  durationSeconds: number;
  segments: SpeechSegment[];
  /** The clip's noise floor (10th-percentile frame energy), dBFS; null when the clip is shorter than a frame. */
  noiseFloorDb: number | null;
  /** Per-frame decision after smoothing (1 = speech); frame i starts at i·hopSeconds. */
  frames: { hopSeconds: number; frameSeconds: number; mask: Uint8Array };
}

export function resolveVadOptions(options: Partial<VadOptions> = {}): VadOptions {
  const o = is.plainObject('options', options);
  is.knownKeys('options', o, Object.keys(DEFAULT_VAD_OPTIONS));
  const r: VadOptions = { ...DEFAULT_VAD_OPTIONS, ...(o as Partial<VadOptions>) };
  is.number('options.frameSeconds', r.frameSeconds, { min: 0.005, max: 0.2 });
  is.number('options.hopSeconds', r.hopSeconds, { min: 0.001, max: 0.2 });
  is.number('options.minDb', r.minDb, { min: -200, max: 0 });
  is.number('options.marginDb', r.marginDb, { min: 0, max: 60 });
  is.number('options.maxFlatness', r.maxFlatness, { min: 0, max: 1 });
  is.number('options.lowHz', r.lowHz, { min: 0 });
  is.number('options.highHz', r.highHz, { min: r.lowHz, exclusiveMin: true });
  is.number('options.floorQuantile', r.floorQuantile, { min: 0, max: 1 });
  is.number('options.maxGapSeconds', r.maxGapSeconds, { min: 0 });
  is.number('options.minRunSeconds', r.minRunSeconds, { min: 0 });
  is.number('options.minSpeechSeconds', r.minSpeechSeconds, { min: 0 });
  return r;
}

/** Runs of 1s in a mask as [first, last] frame indices. */
function runs(mask: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    let j = i;
    while (j + 1 < mask.length && mask[j + 1]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Where the speech is in `samples` (mono, at `sampleRate`). Silence, steady noise and clips shorter than a frame give speech: false. */
export function detectSpeech(samples: Float32Array, sampleRate: number, options: Partial<VadOptions> = {}): SpeechDetection {
  // toString tag, not instanceof: arrays made by the addon come from another realm under jest.
  if (Object.prototype.toString.call(samples) !== '[object Float32Array]') throw is.invalidParameterError('samples', 'Float32Array', samples);
  is.positiveInteger('sampleRate', sampleRate);
  if (sampleRate < 1000) throw is.rangeError('sampleRate', 'a rate of at least 1000 Hz', sampleRate);
  const o = resolveVadOptions(options);
  const { maxGapSeconds, minRunSeconds, minSpeechSeconds, ...kernel } = o;
  const raw = native().voiceActivity(samples, sampleRate, kernel);
  const hop = raw.hopSamples / sampleRate;
  const frameLen = raw.frameSamples / sampleRate;
  const mask = Uint8Array.from(raw.speech);
  // Close short pauses, then drop runs too short to be speech.
  const r = runs(mask);
  const maxGap = Math.round(maxGapSeconds / hop);
  for (let k = 1; k < r.length; k++) if (r[k][0] - r[k - 1][1] - 1 <= maxGap) mask.fill(1, r[k - 1][1] + 1, r[k][0]);
  const minRun = Math.round(minRunSeconds / hop);
  for (const [a, b] of runs(mask)) if (b - a + 1 < minRun) mask.fill(0, a, b + 1);
  const duration = samples.length / sampleRate;
  const segments = runs(mask).map(([a, b]) => ({ start: a * hop, end: Math.min(duration, b * hop + frameLen) }));
  const speechSeconds = segments.reduce((s, g) => s + (g.end - g.start), 0);
  return {
    speech: segments.length > 0 && speechSeconds >= minSpeechSeconds,
    speechSeconds,
    durationSeconds: duration,
    segments,
    noiseFloorDb: raw.energyDb.length > 0 ? raw.noiseFloorDb : null,
    frames: { hopSeconds: hop, frameSeconds: frameLen, mask },
  };
}

/**
 * The part of the clip from the first speech segment to the end of the last, with `padSeconds` of
 * context either side, widened with the clip's own audio to at least `minSeconds` (a model window,
 * so a short utterance is scored on real context as in training, not on padding); the whole clip
 * when no speech was found (nothing is thrown away then).
 */
export function trimToSpeech(samples: Float32Array, sampleRate: number, detection: SpeechDetection, options: { padSeconds?: number; minSeconds?: number } = {}): Float32Array {
  if (!detection.speech || detection.segments.length === 0) return samples;
  const pad = options.padSeconds ?? 0.1;
  const first = detection.segments[0];
  const last = detection.segments[detection.segments.length - 1];
  let a = Math.max(0, Math.floor((first.start - pad) * sampleRate));
  let b = Math.min(samples.length, Math.ceil((last.end + pad) * sampleRate));
  const need = Math.min(samples.length, Math.round((options.minSeconds ?? 0) * sampleRate)) - (b - a);
  if (need > 0) {
    // Grow both sides by half the shortfall, shifting what does not fit on one side to the other.
    a -= Math.ceil(need / 2);
    b += Math.floor(need / 2);
    if (a < 0) [b, a] = [b - a, 0];
    if (b > samples.length) [a, b] = [a - (b - samples.length), samples.length];
  }
  return samples.subarray(a, b);
}
