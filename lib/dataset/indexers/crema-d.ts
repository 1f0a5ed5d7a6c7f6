/**
 * CREMA-D: `1001_DFA_ANG_XX.wav` (actor, sentence, emotion, level). Emotions ANG DIS FEA HAP NEU
 * SAD. Levels: HI → strong, MD and LO → normal, XX (unspecified) → no intensity. Genders come from
 * the corpus's `VideoDemographics.csv` (columns ActorID, Sex) when it is found in or next to the
 * input folder; otherwise gender stays undefined. Speakers are `crema-d:1001`.
 */
import { promises as fs } from 'fs';
import { parseCsvRecords } from '../csv';
import { DatasetError } from '../errors';
import type { Emotion } from '../emotions';
import type { FileParser, Gender, Intensity, ParseOutcome } from '../types';

const NAME = /^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{1,2})$/;

const EMOTION: Record<string, Emotion> = {
  ANG: 'angry',
  DIS: 'disgust',
  FEA: 'fearful',
  HAP: 'happy',
  NEU: 'neutral',
  SAD: 'sad',
};
const LEVEL: Record<string, Intensity | undefined> = { LO: 'normal', MD: 'normal', HI: 'strong', XX: undefined, X: undefined };
const SENTENCE: Record<string, string> = {
  IEO: "It's eleven o'clock",
  TIE: 'That is exactly what happened',
  IOM: "I'm on my way to the meeting",
  IWW: 'I wonder what this is about',
  TAI: 'The airplane is almost full',
  MTI: 'Maybe tomorrow it will be cold',
  IWL: 'I would like a new alarm clock',
  ITH: "I think I have a doctor's appointment",
  DFA: "Don't forget a jacket",
  ITS: "I think I've seen this before",
  TSI: 'The surface is slick',
  WSI: "We'll stop in a couple of minutes",
};

/** actor id (`1001`) → gender. */
export type Demographics = ReadonlyMap<string, Gender>;

/** Read `VideoDemographics.csv` (ActorID, Sex = Male/Female). */
export async function loadCremaDemographics(csvPath: string): Promise<Demographics> {
  const { header, records } = parseCsvRecords(await fs.readFile(csvPath, 'utf8'));
  if (!header.includes('actorid') || !header.includes('sex')) {
    throw new DatasetError(`${csvPath}: expected CREMA-D demographics with columns ActorID and Sex, found: ${header.join(', ')}`);
  }
  const map = new Map<string, Gender>();
  for (const r of records) {
    const sex = r.sex.toLowerCase();
    if (sex === 'male' || sex === 'female') map.set(r.actorid, sex);
  }
  return map;
}

export function createCremaDParser(demographics?: Demographics): FileParser {
  return {
    corpus: 'crema-d',
    pattern: 'AAAA_SSS_EEE_LL.wav (e.g. 1001_DFA_ANG_XX.wav)',
    parse(file): ParseOutcome | null {
      const m = NAME.exec(file.stem);
      if (!m) return null;
      const [, actor, sentence, emotion, level] = m;
      const label = EMOTION[emotion];
      if (!label) return { skip: `CREMA-D emotion code ${emotion} is not one of ${Object.keys(EMOTION).join(', ')}` };
      if (!(level in LEVEL)) return { skip: `CREMA-D level ${level} is not LO, MD, HI or XX` };
      const intensity = LEVEL[level];
      const gender = demographics?.get(actor);
      const text = SENTENCE[sentence];
      return {
        item: {
          path: file.path,
          corpus: 'crema-d',
          speaker: `crema-d:${actor}`,
          ...(gender ? { gender } : {}),
          label,
          ...(intensity ? { intensity } : {}),
          ...(text ? { text } : {}),
          vocalChannel: 'speech',
        },
      };
    },
  };
}
