/**
 * The two RAVDESS statements as syllable plans for the demo synthesiser: onset consonant class,
 * vowel (formant targets, optionally gliding to a second vowel) and lexical stress.
 *   01 "Kids are talking by the door"   02 "Dogs are sitting by the door"
 */

/** Onset consonant classes the synthesiser can render. */
export type Onset =
  | { kind: 'none' }
  | { kind: 'stop'; voiced: boolean; burstHz: number } // closure, then a noise burst
  | { kind: 'fricative'; voiced: boolean; noiseHz: number; bandwidthHz: number };

export interface Syllable {
  onset: Onset;
  /** Formant targets F1-F3 (adult male, Hz) at the vowel start and end (diphthongs glide). */
  vowel: [number, number, number];
  glideTo?: [number, number, number];
  stressed: boolean;
  /** Phrase break after this syllable. */
  breakAfter?: boolean;
}

// Adult male formant averages (Peterson & Barney 1952; Hillenbrand et al. 1995).
const V = {
  ih: [400, 1920, 2560] as [number, number, number], // kids, -ing, sit
  aa: [730, 1090, 2440] as [number, number, number], // are
  ao: [590, 880, 2540] as [number, number, number], // talk, dogs, door
  ay: [700, 1220, 2600] as [number, number, number], // by (glides to ih)
  ax: [500, 1500, 2500] as [number, number, number], // the
};

const K = { kind: 'stop', voiced: false, burstHz: 2200 } as const;
const T = { kind: 'stop', voiced: false, burstHz: 4200 } as const;
const D = { kind: 'stop', voiced: true, burstHz: 3800 } as const;
const B = { kind: 'stop', voiced: true, burstHz: 1200 } as const;
const S = { kind: 'fricative', voiced: false, noiseHz: 5500, bandwidthHz: 2000 } as const;
const DH = { kind: 'fricative', voiced: true, noiseHz: 4000, bandwidthHz: 3000 } as const;
const NONE = { kind: 'none' } as const;

export const STATEMENTS: Record<1 | 2, Syllable[]> = {
  1: [
    { onset: K, vowel: V.ih, stressed: true }, // kids
    { onset: NONE, vowel: V.aa, stressed: false }, // are
    { onset: T, vowel: V.ao, stressed: true }, // talk-
    { onset: K, vowel: V.ih, stressed: false, breakAfter: true }, // -ing
    { onset: B, vowel: V.ay, glideTo: V.ih, stressed: false }, // by
    { onset: DH, vowel: V.ax, stressed: false }, // the
    { onset: D, vowel: V.ao, stressed: true }, // door
  ],
  2: [
    { onset: D, vowel: V.ao, stressed: true }, // dogs
    { onset: NONE, vowel: V.aa, stressed: false }, // are
    { onset: S, vowel: V.ih, stressed: true }, // sit-
    { onset: T, vowel: V.ih, stressed: false, breakAfter: true }, // -ting
    { onset: B, vowel: V.ay, glideTo: V.ih, stressed: false }, // by
    { onset: DH, vowel: V.ax, stressed: false }, // the
    { onset: D, vowel: V.ao, stressed: true }, // door
  ],
};
