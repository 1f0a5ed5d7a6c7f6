/**
 * TESS (Toronto emotional speech set): `OAF_back_angry.wav`, `YAF_germ_ps.wav`, usually in folders
 * such as `OAF_angry/`. Two female speakers, OAF (older) and YAF (younger); `OA_`/`YA_` prefixes
 * (a typo in some copies) are read as OAF/YAF. `ps` / `pleasant_surprise(d)` → surprised,
 * `fear` → fearful. Each file says "Say the word <word>". Speakers are `tess:OAF`, `tess:YAF`.
 */
import { normalizeLabel } from '../emotions';
import type { FileParser, ParseOutcome } from '../types';

const NAME = /^(OAF|YAF|OA|YA)_([A-Za-z']+)_(angry|disgust|fear|happy|neutral|sad|ps|pleasant_surprised?)$/i;

export const tessParser: FileParser = {
  corpus: 'tess',
  pattern: '<OAF|YAF>_<word>_<emotion>.wav (e.g. OAF_back_angry.wav, YAF_germ_ps.wav)',
  parse(file): ParseOutcome | null {
    const m = NAME.exec(file.stem);
    if (!m) return null;
    const speaker = m[1].toUpperCase().startsWith('O') ? 'OAF' : 'YAF';
    return {
      item: {
        path: file.path,
        corpus: 'tess',
        speaker: `tess:${speaker}`,
        gender: 'female',
        label: normalizeLabel(m[3]),
        text: `Say the word ${m[2].toLowerCase()}`,
        vocalChannel: 'speech',
      },
    };
  },
};
