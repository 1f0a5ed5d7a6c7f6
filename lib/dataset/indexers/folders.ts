/**
 * Folder-per-emotion layout: `<root>/<emotion>/*.wav`, where the folder name is an emotion or an
 * alias (`angry`, `Anger`, `fear`, `pleasant_surprise`, `boredom`, ...; see emotions.ts).
 * The speaker comes from the nesting when there is one:
 *   `<root>/<speaker>/<emotion>/x.wav` → speaker = the folder above the emotion folder;
 *   `<root>/<emotion>/<speaker>/x.wav` → speaker = the folder below it;
 *   `<root>/<emotion>/x.wav`           → speaker `folders:unknown` (no speaker-independent split
 *                                        is possible then; use a manifest with a speaker column).
 * Only folders inside the input folder count, so pass the folder that holds the emotion folders.
 */
import { isKnownLabel, normalizeLabel } from '../emotions';
import type { FileParser, ParseOutcome } from '../types';

export const foldersParser: FileParser = {
  corpus: 'folders',
  pattern: '<emotion>/*.wav, <speaker>/<emotion>/*.wav or <emotion>/<speaker>/*.wav',
  parse(file): ParseOutcome | null {
    const d = file.dirs;
    const n = d.length;
    let label: string;
    let speaker: string;
    if (n >= 1 && isKnownLabel(d[n - 1])) {
      label = normalizeLabel(d[n - 1]);
      speaker = n >= 2 ? d[n - 2] : 'unknown';
    } else if (n >= 2 && isKnownLabel(d[n - 2])) {
      label = normalizeLabel(d[n - 2]);
      speaker = d[n - 1];
    } else {
      return null;
    }
    return { item: { path: file.path, corpus: 'folders', speaker: `folders:${speaker}`, label } };
  },
};
