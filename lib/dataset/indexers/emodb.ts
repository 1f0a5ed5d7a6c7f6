/**
 * EmoDB (Berlin Database of Emotional Speech): `03a01Fa.wav` = speaker (2 digits), text code
 * (a01..b10), emotion letter (6th character), version letter. Letters: W anger, L boredom, E disgust,
 * A fear, F happiness, T sadness, N neutral. Boredom has no canonical class: it is skipped unless
 * the label map maps `boredom`. Speakers 03, 10, 11, 12, 15 are male; 08, 09, 13, 14, 16 female.
 * Speakers are `emodb:03`.
 */
import type { FileParser, Gender, ParseOutcome } from '../types';

const NAME = /^(\d\d)([ab]\d\d)([A-Z])([a-z])$/;

const LABEL: Record<string, string> = {
  W: 'angry',
  L: 'boredom',
  E: 'disgust',
  A: 'fearful',
  F: 'happy',
  T: 'sad',
  N: 'neutral',
};
const GENDER: Record<string, Gender> = {
  '03': 'male',
  '10': 'male',
  '11': 'male',
  '12': 'male',
  '15': 'male',
  '08': 'female',
  '09': 'female',
  '13': 'female',
  '14': 'female',
  '16': 'female',
};
const TEXT: Record<string, string> = {
  a01: 'Der Lappen liegt auf dem Eisschrank.',
  a02: 'Das will sie am Mittwoch abgeben.',
  a04: 'Heute abend könnte ich es ihm sagen.',
  a05: 'Das schwarze Stück Papier befindet sich da oben neben dem Holzstück.',
  a07: 'In sieben Stunden wird es soweit sein.',
  b01: 'Was sind denn das für Tüten, die da unter dem Tisch stehen?',
  b02: 'Sie haben es gerade hochgetragen und jetzt gehen sie wieder runter.',
  b03: 'An den Wochenenden bin ich jetzt immer nach Hause gefahren und habe Agnes besucht.',
  b09: 'Ich will das eben wegbringen und dann mit Karl was trinken gehen.',
  b10: 'Die wird auf dem Platz sein, wo wir sie immer hinlegen.',
};

export const emodbParser: FileParser = {
  corpus: 'emodb',
  pattern: 'SSTTTEv.wav (e.g. 03a01Fa.wav)',
  parse(file): ParseOutcome | null {
    const m = NAME.exec(file.stem);
    if (!m) return null;
    const [, speaker, textCode, letter] = m;
    const label = LABEL[letter];
    if (!label) return { skip: `EmoDB emotion letter ${letter} is not one of ${Object.keys(LABEL).join(', ')}` };
    const gender = GENDER[speaker];
    const text = TEXT[textCode];
    return {
      item: {
        path: file.path,
        corpus: 'emodb',
        speaker: `emodb:${speaker}`,
        ...(gender ? { gender } : {}),
        label,
        ...(text ? { text } : {}),
        vocalChannel: 'speech',
      },
    };
  },
};
