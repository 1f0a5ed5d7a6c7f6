/**
 * The one emotion vocabulary of the project, how each corpus maps onto it, and label maps.
 *
 * | canonical | RAVDESS (EE) | SAVEE | TESS                     | CREMA-D | EmoDB (letter 6) |
 * | --------- | ------------ | ----- | ------------------------ | ------- | ---------------- |
 * | neutral   | 01           | n     | neutral                  | NEU     | N (neutral)      |
 * | calm      | 02           | -     | -                        | -       | -                |
 * | happy     | 03           | h     | happy                    | HAP     | F (Freude)       |
 * | sad       | 04           | sa    | sad                      | SAD     | T (Trauer)       |
 * | angry     | 05           | a     | angry                    | ANG     | W (Wut)          |
 * | fearful   | 06           | f     | fear                     | FEA     | A (Angst)        |
 * | disgust   | 07           | d     | disgust                  | DIS     | E (Ekel)         |
 * | surprised | 08           | su    | ps, pleasant_surprise(d) | -       | -                |
 * | (none)    | -            | -     | -                        | -       | L (Langeweile) = `boredom` |
 *
 * A label without a canonical class (`boredom`, or e.g. `contempt` in a manifest) is skipped with
 * a reason unless a label map sends it somewhere (`boredom=neutral`). Folder names and manifest
 * values also accept the aliases in `EMOTION_ALIASES` (`anger`, `fear`, `happiness`, ...).
 */
import { DatasetError } from './errors';

export const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** Corpus labels that are emotions but have no canonical class; recognised so they can be mapped. */
export const EXTRA_LABELS = ['boredom', 'contempt'] as const;

/** Other spellings of each label, as found in corpora, folder names and manifests. */
export const EMOTION_ALIASES: Readonly<Record<string, string>> = {
  neu: 'neutral',
  relaxed: 'calm',
  happiness: 'happy',
  hap: 'happy',
  joy: 'happy',
  sadness: 'sad',
  anger: 'angry',
  ang: 'angry',
  fear: 'fearful',
  fea: 'fearful',
  afraid: 'fearful',
  disgusted: 'disgust',
  dis: 'disgust',
  surprise: 'surprised',
  sur: 'surprised',
  ps: 'surprised',
  pleasant_surprise: 'surprised',
  pleasant_surprised: 'surprised',
  bored: 'boredom',
};

export function isEmotion(label: string): label is Emotion {
  return (EMOTIONS as readonly string[]).includes(label);
}

/** Lower-case, `Pleasant Surprise` → `pleasant_surprise`, then resolve aliases. */
export function normalizeLabel(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return EMOTION_ALIASES[key] ?? key;
}

/** True for a canonical emotion, an alias of one, or a known extra label such as `boredom`. */
export function isKnownLabel(raw: string): boolean {
  const label = normalizeLabel(raw);
  return isEmotion(label) || (EXTRA_LABELS as readonly string[]).includes(label);
}

/** label → canonical emotion, or `null` to drop that class. Keys are normalized labels. */
export type LabelMap = Readonly<Record<string, Emotion | null>>;

/**
 * Parse `calm=neutral,disgust=` (empty target drops the class). Keys and targets accept aliases.
 * `what` names the argument in error messages.
 */
export function parseLabelMap(text: string, what = '--label-map'): LabelMap {
  const map: Record<string, Emotion | null> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw new DatasetError(`${what}: '${part}' has no '='; write from=to (e.g. calm=neutral), or from= to drop a class`, 'ERR_ARGUMENT');
    }
    const from = normalizeLabel(part.slice(0, eq));
    const toRaw = part.slice(eq + 1).trim();
    if (!/^[a-z][a-z0-9_]*$/.test(from)) {
      throw new DatasetError(`${what}: '${part}' has no valid label before '='; write from=to (e.g. calm=neutral)`, 'ERR_ARGUMENT');
    }
    if (from in map) throw new DatasetError(`${what}: label '${from}' is mapped twice; keep one entry`, 'ERR_ARGUMENT');
    map[from] = toRaw === '' ? null : toCanonical(toRaw, `${what}: '${part}'`);
  }
  return map;
}

/** Check a label map given as an object (e.g. from a config file) and normalize its keys. */
export function normalizeLabelMap(map: Readonly<Record<string, string | null>>, what = 'labelMap'): LabelMap {
  const out: Record<string, Emotion | null> = {};
  for (const [from, to] of Object.entries(map)) {
    out[normalizeLabel(from)] = to === null || to === '' ? null : toCanonical(to, `${what}: '${from}'`);
  }
  return out;
}

function toCanonical(raw: string, what: string): Emotion {
  const label = normalizeLabel(raw);
  if (!isEmotion(label)) {
    throw new DatasetError(`${what}: '${raw}' is not a canonical emotion; use one of ${EMOTIONS.join(', ')}, or leave it empty to drop the class`, 'ERR_ARGUMENT');
  }
  return label;
}

/**
 * Resolve a raw label through the label map: `{ emotion }` to keep the item, or `{ drop }` with the
 * reason it is skipped.
 */
export function applyLabelMap(label: string, map: LabelMap | undefined): { emotion: Emotion } | { drop: string } {
  const normalized = normalizeLabel(label);
  if (map && Object.prototype.hasOwnProperty.call(map, normalized)) {
    const to = map[normalized];
    return to === null ? { drop: `label '${normalized}' dropped by the label map (${normalized}=)` } : { emotion: to };
  }
  if (isEmotion(normalized)) return { emotion: normalized };
  return {
    drop: `label '${normalized}' has no canonical emotion class; map it with --label-map ${normalized}=<emotion> to keep it (${EMOTIONS.join(', ')})`,
  };
}
