// Shapes shared by the indexers, the splits and the `ser-native index` command.
import type { Emotion } from './emotions';

export type { Emotion } from './emotions';

export type Gender = 'male' | 'female';
export type Intensity = 'normal' | 'strong';
export type VocalChannel = 'speech' | 'song';

/** Corpora with a dedicated indexer (what `item.corpus` holds for files found by name). */
export const CORPORA = ['ravdess', 'savee', 'tess', 'crema-d', 'emodb', 'folders', 'manifest'] as const;
export type CorpusName = (typeof CORPORA)[number];
/** What `--corpus` accepts: one indexer, or `auto` (chosen per folder from the file names). */
export type CorpusOption = 'auto' | CorpusName;

/** One labelled recording. */
export interface DatasetItem {
  /** Absolute path of the audio file. */
  path: string;
  /** Corpus name, e.g. `ravdess`; manifests may carry any name. */
  corpus: string;
  /** Speaker id namespaced by corpus (`ravdess:01`, `savee:DC`) so corpora never share a speaker. */
  speaker: string;
  gender?: Gender;
  emotion: Emotion;
  intensity?: Intensity;
  /** Spoken sentence, when the corpus names it. */
  text?: string;
  vocalChannel?: VocalChannel;
}

/**
 * What an indexer reads from a file name, before the label map: `label` is either a canonical
 * emotion or a corpus label without a canonical class (EmoDB `boredom`, a manifest's `contempt`).
 */
export interface RawItem extends Omit<DatasetItem, 'emotion'> {
  label: string;
}

/** A file that was looked at but not indexed, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** Byte-identical files (sha1 of their contents). */
export interface DuplicateGroup {
  hash: string;
  paths: string[];
}

export interface DatasetCounts {
  /** emotion → items, canonical emotion order. */
  byEmotion: Partial<Record<Emotion, number>>;
  /** speaker → items, speakers in natural order. */
  bySpeaker: Record<string, number>;
  /** corpus → emotion → items. */
  byCorpus: Record<string, Partial<Record<Emotion, number>>>;
}

export interface IndexResult {
  items: DatasetItem[];
  counts: DatasetCounts;
  skipped: SkippedFile[];
  duplicates: DuplicateGroup[];
  /** Notes that are not about one file (unused label-map keys, duplicates with different labels). */
  warnings: string[];
}

/** A WAV file found by the folder walk. */
export interface FileEntry {
  /** Absolute path. */
  path: string;
  /** File name without its extension, e.g. `03-01-01-01-01-01-01`. */
  stem: string;
  /** Folders between the input folder and the file (not including the input folder itself). */
  dirs: string[];
  /** Name of the folder that holds the file, even when that is the input folder. */
  parentName: string;
  size: number;
}

/** Outcome of one indexer looking at one file: an item, or a reason to skip it. */
export type ParseOutcome = { item: RawItem } | { skip: string };

/**
 * A file-name indexer. `parse` returns `null` when the name does not follow the corpus's naming
 * at all (so auto-detection can try the next corpus), and `{ skip }` when it does but cannot be used.
 */
export interface FileParser {
  corpus: CorpusName;
  /** The naming, for "matches nothing" messages. */
  pattern: string;
  parse(file: FileEntry): ParseOutcome | null;
}
