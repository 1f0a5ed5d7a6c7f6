/**
 * Speakers and per-utterance variation of the demo corpus.
 *
 * Every actor gets fixed traits (sex from the RAVDESS parity rule, base pitch, vocal-tract length,
 * microphone gain, how expressive they are and idiosyncratic offsets of each cue), and every
 * (actor, emotion) pair its own way of expressing the emotion. Each repetition then adds its own
 * noise, so classes overlap across speakers the way acted corpora do. All draws come from seeds
 * derived from (corpus seed, actor, ...), so any clip can be rebuilt on its own.
 */
import * as is from '../is';
import { deriveSeed, Rng } from '../random';
import { CUES, DemoEmotion, emotionCode, emotionProfile, Intensity, PROFILES, ProsodyProfile } from './profiles';

export interface SpeakerTraits {
  actor: number;
  /** Odd actors are male, even female (RAVDESS convention). */
  male: boolean;
  /** Speaking pitch of neutral speech, Hz. */
  baseF0: number;
  /** Formant frequency scale (shorter vocal tract -> higher formants). */
  formantScale: number;
  /** Multiplies every emotion's distance from neutral. */
  expressiveness: number;
  /** Microphone / distance gain, dB. */
  gainDb: number;
  /** Background noise level, dBFS. */
  noiseFloorDb: number;
  /** Rate of the pitch tremor some speakers show when afraid, Hz. */
  tremorHz: number;
  /** Per-cue offsets on top of every emotion profile. */
  bias: ProsodyProfile;
}

export interface UtteranceSpec {
  actor: number;
  emotion: DemoEmotion;
  intensity: Intensity;
  statement: 1 | 2;
  repetition: number;
}

/** Everything the synthesiser needs for one clip. */
export interface UtteranceParams extends ProsodyProfile {
  /** Mean pitch of the utterance, Hz. */
  f0Hz: number;
  formantScale: number;
  tremorHz: number;
  /** RMS level of the active speech, dBFS. */
  levelDb: number;
  noiseFloorDb: number;
  statement: 1 | 2;
  /** Seed of the synthesiser's own randomness (jitter, noise, timing). */
  seed: number;
}

/** Pitch ranges of the two voice groups, Hz (mean utterance pitch is kept inside). */
export const MALE_F0: [number, number] = [85, 155];
export const FEMALE_F0: [number, number] = [165, 255];

/** Level of neutral speech at 0 dB gain, dBFS (leaves headroom for loud strong anger). */
const NEUTRAL_LEVEL_DB = -32;

/** Spread of each cue: [between actors (idiosyncrasy), between repetitions]. */
const SPREAD: Record<keyof ProsodyProfile, [number, number]> = {
  f0Shift: [0.8, 0.7],
  f0Range: [0.8, 0.8],
  fall: [0.15, 0.15],
  rise: [0.15, 0.15],
  hat: [0.15, 0.15],
  accent: [0.5, 0.5],
  rate: [0.35, 0.3],
  loudnessDb: [1.5, 1.5],
  dynamicsDb: [0.4, 0.4],
  breathiness: [0.05, 0.04],
  tension: [0.1, 0.08],
  jitter: [0.002, 0.002],
  shimmer: [0.01, 0.01],
  tremor: [0.05, 0.08],
  creak: [0.03, 0.04],
  f1Shift: [0.03, 0.02],
  pause: [0.03, 0.03],
};

/** Valid range of each cue after variation. */
const LIMITS: Record<keyof ProsodyProfile, [number, number]> = {
  f0Shift: [-12, 12],
  f0Range: [0.3, 14],
  fall: [0, 3],
  rise: [0, 3],
  hat: [0, 3],
  accent: [0, 8],
  rate: [2, 7.5],
  loudnessDb: [-20, 20],
  dynamicsDb: [0, 8],
  breathiness: [0, 0.8],
  tension: [0, 1],
  jitter: [0.001, 0.06],
  shimmer: [0.005, 0.2],
  tremor: [0, 2.5],
  creak: [0, 0.8],
  f1Shift: [-0.2, 0.25],
  pause: [0, 0.5],
};

const clamp = (v: number, [lo, hi]: [number, number]): number => Math.min(hi, Math.max(lo, v));

/** Tags keep the seed streams of the different draws apart. */
const TAG_SPEAKER = 1;
const TAG_STYLE = 2;
const TAG_UTTERANCE = 3;
const TAG_SYNTH = 4;

export function speakerTraits(seed: number, actor: number): SpeakerTraits {
  if (!Number.isInteger(actor) || actor < 1 || actor > 99) throw is.invalidArgument(`demo actor must be an integer in 1..99, got ${actor}`, 'range');
  const rng = new Rng(deriveSeed(seed, TAG_SPEAKER, actor));
  const male = actor % 2 === 1;
  const bias = {} as ProsodyProfile;
  for (const cue of CUES) bias[cue] = rng.normal() * SPREAD[cue][0];
  return {
    actor,
    male,
    baseF0: male ? rng.uniform(98, 120) : rng.uniform(185, 215),
    formantScale: male ? rng.uniform(0.95, 1.05) : rng.uniform(1.12, 1.22),
    expressiveness: rng.uniform(0.7, 1.3),
    gainDb: rng.uniform(-2, 2),
    noiseFloorDb: rng.uniform(-76, -64),
    tremorHz: rng.uniform(5, 7),
    bias,
  };
}

/** Sample the synthesis parameters of one clip. */
export function utteranceParams(seed: number, spec: UtteranceSpec): UtteranceParams {
  const { actor, emotion, intensity, statement, repetition } = spec;
  const code = emotionCode(emotion);
  if (intensity !== 1 && intensity !== 2) throw is.invalidArgument(`demo intensity must be 1 or 2, got ${String(intensity)}`, 'range');
  if (statement !== 1 && statement !== 2) throw is.invalidArgument(`demo statement must be 1 or 2, got ${String(statement)}`, 'range');
  if (!Number.isInteger(repetition) || repetition < 1) throw is.invalidArgument(`demo repetition must be an integer >= 1, got ${repetition}`, 'range');
  const speaker = speakerTraits(seed, actor);
  const target = emotionProfile(emotion, intensity);
  const neutral = PROFILES.neutral;
  // How this actor plays this emotion: same for both intensities, statements and repetitions.
  const style = new Rng(deriveSeed(seed, TAG_STYLE, actor, code));
  const rep = new Rng(deriveSeed(seed, TAG_UTTERANCE, actor, code, intensity, statement, repetition));
  const cues = {} as ProsodyProfile;
  for (const cue of CUES) {
    const delta = (target[cue] - neutral[cue]) * speaker.expressiveness * (1 + 0.25 * style.normal());
    cues[cue] = clamp(neutral[cue] + delta + speaker.bias[cue] + rep.normal() * SPREAD[cue][1], LIMITS[cue]);
  }
  const range = speaker.male ? MALE_F0 : FEMALE_F0;
  return {
    ...cues,
    f0Hz: clamp(speaker.baseF0 * Math.pow(2, cues.f0Shift / 12), range),
    formantScale: speaker.formantScale,
    tremorHz: speaker.tremorHz,
    levelDb: NEUTRAL_LEVEL_DB + cues.loudnessDb + speaker.gainDb,
    noiseFloorDb: speaker.noiseFloorDb,
    statement,
    seed: deriveSeed(seed, TAG_SYNTH, actor, code, intensity, statement, repetition),
  };
}
