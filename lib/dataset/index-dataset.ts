/**
 * `indexDataset(inputs, options)`: folders (and manifest files) → labelled items, counts, skipped
 * files with reasons, and byte-identical duplicates.
 *
 * Vocal channel: RAVDESS has speech and song; the default keeps speech only, because song is a
 * different task (sung vowels, melody) and only RAVDESS has it. Items of corpora without the
 * distinction count as speech. Filtered-out and label-map-dropped files are listed in `skipped`.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { countItems } from './counts';
import { classifyFiles, type ClassifiedFile } from './detect';
import { findDuplicates } from './duplicates';
import { applyLabelMap, normalizeLabel, parseLabelMap, type Emotion, type LabelMap } from './emotions';
import { DatasetError } from './errors';
import { createCremaDParser, loadCremaDemographics, type Demographics } from './indexers/crema-d';
import { emodbParser } from './indexers/emodb';
import { foldersParser } from './indexers/folders';
import { indexManifest, isManifestFile, MANIFEST_EXTENSIONS } from './indexers/manifest';
import { ravdessParser } from './indexers/ravdess';
import { saveeParser } from './indexers/savee';
import { tessParser } from './indexers/tess';
import { byCodePoint } from './order';
import { CORPORA, type CorpusOption, type DatasetItem, type FileParser, type IndexResult, type RawItem, type SkippedFile, type VocalChannel } from './types';
import { walkAudio } from './walk';

export type VocalChannelFilter = VocalChannel | 'all';

export interface IndexOptions {
  /** Default `auto`. */
  corpus?: CorpusOption;
  /** `{ calm: 'neutral', disgust: null }` or the CLI form `calm=neutral,disgust=`. */
  labelMap?: LabelMap | string;
  /** Default `speech`. */
  vocalChannel?: VocalChannelFilter;
  /** CREMA-D `VideoDemographics.csv`; by default looked for inside and next to each input folder. */
  cremaDemographics?: string;
}

export const CORPUS_OPTIONS: readonly CorpusOption[] = ['auto', ...CORPORA];
export const VOCAL_CHANNEL_OPTIONS: readonly VocalChannelFilter[] = ['speech', 'song', 'all'];

const DEMOGRAPHICS_NAME = 'videodemographics.csv';

/**
 * A folder or manifest read with `options.corpus`, or one with a naming of its own (the CLI's --ravdess and
 * --savee), so that one call indexes them all and counts a recording given twice once.
 */
export type IndexInput = string | { path: string; corpus: CorpusOption };

export async function indexDataset(inputs: readonly IndexInput[], options: IndexOptions = {}): Promise<IndexResult> {
  const corpus = options.corpus ?? 'auto';
  for (const c of [corpus, ...inputs.map((x) => (typeof x === 'string' ? corpus : x.corpus))]) {
    if (!CORPUS_OPTIONS.includes(c)) throw new DatasetError(`corpus '${c}' is unknown; use one of ${CORPUS_OPTIONS.join(', ')}`, 'ERR_ARGUMENT');
  }
  const channel = options.vocalChannel ?? 'speech';
  if (!VOCAL_CHANNEL_OPTIONS.includes(channel)) {
    throw new DatasetError(`vocal channel '${channel}' is unknown; use one of ${VOCAL_CHANNEL_OPTIONS.join(', ')}`, 'ERR_ARGUMENT');
  }
  const labelMap = typeof options.labelMap === 'string' ? parseLabelMap(options.labelMap) : options.labelMap;
  if (inputs.length === 0) throw new DatasetError('no input folder given; pass at least one folder of recordings', 'ERR_ARGUMENT');

  const entries: ClassifiedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const [i, input] of inputs.entries()) {
    const found = typeof input === 'string' ? await indexInput(input, i, corpus, options.cremaDemographics) : await indexInput(input.path, i, input.corpus, options.cremaDemographics);
    entries.push(...found.entries);
    skipped.push(...found.skipped);
  }

  const items: DatasetItem[] = [];
  const sizes = new Map<string, number>();
  const seen = new Set<string>();
  const usedKeys = new Set<string>();
  for (const { raw, size } of entries) {
    // Overlapping inputs (`data` and `data/ravdess`) or symlinks must not count a recording twice.
    const real = await fs.realpath(raw.path);
    if (seen.has(real)) {
      skipped.push({ path: raw.path, reason: 'already indexed (listed twice, or reached through another input folder or a symlink)' });
      continue;
    }
    seen.add(real);
    const vc = raw.vocalChannel ?? 'speech';
    if (channel !== 'all' && vc !== channel) {
      skipped.push({ path: raw.path, reason: `${vc} recording, excluded by the vocal-channel filter '${channel}' (use --vocal-channel ${vc} or all to keep it)` });
      continue;
    }
    const label = normalizeLabel(raw.label);
    if (labelMap && label in labelMap) usedKeys.add(label);
    const mapped = applyLabelMap(label, labelMap);
    if ('drop' in mapped) {
      skipped.push({ path: raw.path, reason: mapped.drop });
      continue;
    }
    items.push(toItem(raw, mapped.emotion));
    sizes.set(raw.path, size);
  }

  const duplicates = await findDuplicates(items.map((it) => ({ path: it.path, size: sizes.get(it.path)! })));
  const warnings: string[] = [];
  for (const key of Object.keys(labelMap ?? {})) {
    if (!usedKeys.has(key)) warnings.push(`label map entry '${key}' matched no file; check its spelling`);
  }
  const emotionOf = new Map(items.map((it) => [it.path, it.emotion]));
  for (const d of duplicates) {
    const labels = new Set(d.paths.map((p) => emotionOf.get(p)));
    if (labels.size > 1) warnings.push(`identical files carry different emotions (${[...labels].join(', ')}): ${d.paths.join(', ')}`);
  }
  skipped.sort((a, b) => byCodePoint(a.path, b.path));
  return { items, counts: countItems(items), skipped, duplicates, warnings };
}

/** Fixed key order and no undefined keys, so `--json` output is stable and compact. */
function toItem(raw: RawItem, emotion: Emotion): DatasetItem {
  return {
    path: raw.path,
    corpus: raw.corpus,
    speaker: raw.speaker,
    ...(raw.gender ? { gender: raw.gender } : {}),
    emotion,
    ...(raw.intensity ? { intensity: raw.intensity } : {}),
    ...(raw.text ? { text: raw.text } : {}),
    ...(raw.vocalChannel ? { vocalChannel: raw.vocalChannel } : {}),
  };
}

async function indexInput(
  input: string,
  index: number,
  corpus: CorpusOption,
  demographicsPath: string | undefined,
): Promise<{ entries: ClassifiedFile[]; skipped: SkippedFile[] }> {
  const where = `input ${index + 1} '${input}'`;
  const abs = path.resolve(input);
  let stat;
  try {
    stat = await fs.stat(abs);
  } catch {
    throw new DatasetError(`${where}: no such folder; check the path (relative paths start at ${process.cwd()})`);
  }
  if (stat.isFile()) {
    if (isManifestFile(abs) && (corpus === 'auto' || corpus === 'manifest')) return indexManifest(abs);
    throw new DatasetError(
      `${where} is a file; pass the folder that holds the recordings, or a manifest (${MANIFEST_EXTENSIONS.join(', ')}) with --corpus auto or manifest`,
    );
  }
  if (!stat.isDirectory()) throw new DatasetError(`${where} is neither a folder nor a manifest file`);

  if (corpus === 'manifest') {
    const manifests = (await fs.readdir(abs))
      .filter((n) => isManifestFile(n) && n.toLowerCase() !== DEMOGRAPHICS_NAME)
      .sort(byCodePoint);
    if (manifests.length === 0) {
      throw new DatasetError(`${where}: --corpus manifest found no ${MANIFEST_EXTENSIONS.join('/')} manifest in this folder; pass the manifest file itself`);
    }
    const out = { entries: [] as ClassifiedFile[], skipped: [] as SkippedFile[] };
    for (const m of manifests) {
      const r = await indexManifest(path.join(abs, m));
      out.entries.push(...r.entries);
      out.skipped.push(...r.skipped);
    }
    return out;
  }

  const walk = await walkAudio(abs);
  if (walk.files.length === 0) {
    const other = walk.skipped.length > 0 ? ` (${walk.skipped.length} other audio or hidden files were found: ${walk.skipped[0].reason})` : '';
    throw new DatasetError(`${where}: no .wav files in this folder or below${other}; point at the corpus folder, e.g. data/ravdess`);
  }
  const demographics = await findDemographics(abs, walk.others, corpus, demographicsPath);
  const parsers = parsersFor(corpus, demographics);
  const classified = classifyFiles(walk.files, parsers);
  return { entries: classified.entries, skipped: [...walk.skipped, ...classified.skipped] };
}

/** Most specific naming first; folder names last, since almost any tree has folders. */
function parsersFor(corpus: CorpusOption, demographics: Demographics | undefined): FileParser[] {
  const all: FileParser[] = [ravdessParser, createCremaDParser(demographics), emodbParser, saveeParser, tessParser, foldersParser];
  return corpus === 'auto' ? all : all.filter((p) => p.corpus === corpus);
}

async function findDemographics(
  root: string,
  others: string[],
  corpus: CorpusOption,
  explicit: string | undefined,
): Promise<Demographics | undefined> {
  if (corpus !== 'auto' && corpus !== 'crema-d') return undefined;
  if (explicit) return loadCremaDemographics(explicit);
  const inside = others.find((p) => path.basename(p).toLowerCase() === DEMOGRAPHICS_NAME);
  if (inside) return loadCremaDemographics(inside);
  // The original CREMA-D keeps the CSV next to AudioWAV/, which is what users usually pass.
  const parent = path.dirname(root);
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  const beside = names.find((n) => n.toLowerCase() === DEMOGRAPHICS_NAME);
  return beside ? loadCremaDemographics(path.join(parent, beside)) : undefined;
}
