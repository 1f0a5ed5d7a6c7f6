/**
 * SAVEE: the flat "ALL" layout `DC_a01.wav`, and the original `AudioData/DC/a01.wav` (speaker =
 * the folder holding the file). Codes: a anger, d disgust, f fear, h happiness, n neutral,
 * sa sadness, su surprise — `sa`/`su` are matched before the one-letter codes. All four speakers
 * (DC, JE, JK, KL) are male. Speakers are `savee:DC`.
 */
import type { Emotion } from '../emotions';
import type { FileParser, ParseOutcome } from '../types';

export const SAVEE_SPEAKERS = ['DC', 'JE', 'JK', 'KL'];

// Alternation order matters: `sa`/`su` must win over `s`-less one-letter codes.
const CODE = '(sa|su|a|d|f|h|n)(\\d\\d)';
const FLAT = new RegExp(`^(DC|JE|JK|KL)_${CODE}$`, 'i');
const NESTED = new RegExp(`^${CODE}$`, 'i');

const EMOTION: Record<string, Emotion> = {
  a: 'angry',
  d: 'disgust',
  f: 'fearful',
  h: 'happy',
  n: 'neutral',
  sa: 'sad',
  su: 'surprised',
};

export const saveeParser: FileParser = {
  corpus: 'savee',
  pattern: 'SS_EEnn.wav (e.g. DC_sa03.wav) or <SS>/EEnn.wav (e.g. AudioData/DC/a01.wav)',
  parse(file): ParseOutcome | null {
    let speaker: string;
    let code: string;
    const flat = FLAT.exec(file.stem);
    if (flat) {
      speaker = flat[1];
      code = flat[2];
    } else {
      const nested = NESTED.exec(file.stem);
      if (!nested || !SAVEE_SPEAKERS.includes(file.parentName.toUpperCase())) return null;
      speaker = file.parentName;
      code = nested[1];
    }
    return {
      item: {
        path: file.path,
        corpus: 'savee',
        speaker: `savee:${speaker.toUpperCase()}`,
        gender: 'male',
        label: EMOTION[code.toLowerCase()],
        vocalChannel: 'speech',
      },
    };
  },
};
