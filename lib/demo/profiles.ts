/**
 * Emotion prosody profiles of the demo corpus: how each RAVDESS emotion shifts a speaker's voice.
 *
 * Emotions differ along several correlated cues at once (pitch level, range and contour, tempo,
 * loudness and its dynamics, voice quality, spectral tilt, perturbation), following the usual
 * findings on acted emotional speech (e.g. Juslin & Laukka 2003; Banse & Scherer 1996): high-arousal
 * emotions are higher, wider, faster, louder and tenser; sad is low, narrow, slow, quiet and breathy.
 * Values are for normal intensity; strong intensity exaggerates the difference from neutral.
 */
import * as is from '../is';

/** RAVDESS emotions in code order (01..08). */
export const DEMO_EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;
export type DemoEmotion = (typeof DEMO_EMOTIONS)[number];

/** RAVDESS emotion code (the EE field of a file name). */
export function emotionCode(emotion: DemoEmotion): number {
  const i = DEMO_EMOTIONS.indexOf(emotion);
  if (i < 0) throw is.invalidArgument(`unknown demo emotion '${String(emotion)}' (expected one of ${DEMO_EMOTIONS.join(', ')})`, 'range');
  return i + 1;
}

/** 1 normal, 2 strong (RAVDESS II field; neutral has only normal). */
export type Intensity = 1 | 2;

export interface ProsodyProfile {
  /** Mean pitch relative to the speaker's base, in semitones. */
  f0Shift: number;
  /** Size of the utterance-level pitch movement, in semitones. */
  f0Range: number;
  /** Mix of contour shapes: falling (declination), final rise, rise-fall (hat). */
  fall: number;
  rise: number;
  hat: number;
  /** Pitch accent on stressed syllables, in semitones. */
  accent: number;
  /** Speaking rate, syllables per second. */
  rate: number;
  /** Level relative to neutral, dB. */
  loudnessDb: number;
  /** Syllable-to-syllable level variation (standard deviation, dB) and stress emphasis. */
  dynamicsDb: number;
  /** Aspiration-noise share of the source, 0..1. */
  breathiness: number;
  /** Vocal effort, 0 lax (long open phase, steep spectral tilt) .. 1 pressed (short, flat tilt). */
  tension: number;
  /** Cycle-to-cycle period and amplitude perturbation (relative standard deviations). */
  jitter: number;
  shimmer: number;
  /** Depth of a 5-7 Hz pitch tremor, semitones. */
  tremor: number;
  /** Share of irregular, period-doubled (creaky) glottal pulses, 0..1. */
  creak: number;
  /** Relative F1 change (jaw opening with effort). */
  f1Shift: number;
  /** Pause at the phrase break, seconds. */
  pause: number;
}

const P = (p: ProsodyProfile): ProsodyProfile => p;

export const PROFILES: Record<DemoEmotion, ProsodyProfile> = {
  neutral: P({ f0Shift: 0, f0Range: 3, fall: 1, rise: 0, hat: 0.3, accent: 1.5, rate: 4.3, loudnessDb: 0, dynamicsDb: 1.5, breathiness: 0.12, tension: 0.5, jitter: 0.006, shimmer: 0.03, tremor: 0, creak: 0.02, f1Shift: 0, pause: 0.05 }),
  calm: P({ f0Shift: -0.7, f0Range: 2.3, fall: 1, rise: 0, hat: 0.45, accent: 1.0, rate: 3.8, loudnessDb: -2.5, dynamicsDb: 1.0, breathiness: 0.2, tension: 0.38, jitter: 0.006, shimmer: 0.03, tremor: 0, creak: 0.03, f1Shift: -0.02, pause: 0.12 }),
  happy: P({ f0Shift: 3, f0Range: 6, fall: 0.3, rise: 0.2, hat: 1, accent: 3, rate: 4.7, loudnessDb: 3, dynamicsDb: 3, breathiness: 0.1, tension: 0.65, jitter: 0.008, shimmer: 0.04, tremor: 0, creak: 0, f1Shift: 0.06, pause: 0.04 }),
  sad: P({ f0Shift: -1.5, f0Range: 1.5, fall: 1, rise: 0, hat: 0.1, accent: 0.6, rate: 3.1, loudnessDb: -5, dynamicsDb: 1.0, breathiness: 0.35, tension: 0.18, jitter: 0.012, shimmer: 0.06, tremor: 0.15, creak: 0.08, f1Shift: -0.05, pause: 0.2 }),
  angry: P({ f0Shift: 3.5, f0Range: 5, fall: 0.8, rise: 0, hat: 0.5, accent: 3.5, rate: 5.0, loudnessDb: 6.5, dynamicsDb: 3.5, breathiness: 0.05, tension: 0.95, jitter: 0.012, shimmer: 0.06, tremor: 0, creak: 0.03, f1Shift: 0.1, pause: 0.03 }),
  fearful: P({ f0Shift: 4, f0Range: 3.5, fall: 0.4, rise: 0.4, hat: 0.3, accent: 1.5, rate: 5.2, loudnessDb: 1, dynamicsDb: 2.5, breathiness: 0.28, tension: 0.7, jitter: 0.02, shimmer: 0.07, tremor: 0.8, creak: 0, f1Shift: 0.03, pause: 0.02 }),
  disgust: P({ f0Shift: -1.2, f0Range: 3.5, fall: 1, rise: 0, hat: 0.2, accent: 2.0, rate: 3.4, loudnessDb: 0, dynamicsDb: 2.5, breathiness: 0.15, tension: 0.6, jitter: 0.015, shimmer: 0.06, tremor: 0, creak: 0.35, f1Shift: -0.03, pause: 0.1 }),
  surprised: P({ f0Shift: 2.5, f0Range: 7, fall: 0.1, rise: 1, hat: 0.3, accent: 2, rate: 4.4, loudnessDb: 2.5, dynamicsDb: 3, breathiness: 0.15, tension: 0.6, jitter: 0.008, shimmer: 0.04, tremor: 0, creak: 0, f1Shift: 0.05, pause: 0.06 }),
};

/** How much further from neutral a strong-intensity rendition goes. */
export const STRONG_GAIN = 1.6;

/** Keys of the numeric cues, for code that varies every cue the same way. */
export const CUES = Object.keys(PROFILES.neutral) as (keyof ProsodyProfile)[];

/** Profile of an emotion at an intensity: strong = neutral + STRONG_GAIN * (normal - neutral). */
export function emotionProfile(emotion: DemoEmotion, intensity: Intensity): ProsodyProfile {
  emotionCode(emotion); // validates the name
  const base = PROFILES[emotion];
  if (intensity === 1 || emotion === 'neutral') return { ...base };
  const n = PROFILES.neutral;
  const out = { ...base };
  for (const cue of CUES) out[cue] = n[cue] + STRONG_GAIN * (base[cue] - n[cue]);
  return out;
}
