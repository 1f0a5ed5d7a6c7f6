// Where training and evaluation data come from: user folders (indexed), or the built-in demo
// corpus; then the split and the decoded audio. Unreadable files are skipped and reported.
import { readWav } from '../audio/wav';
import { resampleNative } from '../audio/decode';
import { DatasetItem, DuplicateGroup, SkippedFile, indexDataset, makeSplit, parseLabelMap, parseSplitSpec, Split, SplitSpec, EMOTIONS, DatasetError, LabelMap } from '../dataset';
import { createHash } from 'crypto';
import { SerNativeError } from '../errors';
import { defaultDemoDir, ensureDemoCorpus, DemoCorpusOptions, resolveDemoOptions } from '../demo/corpus';

export interface DataOptions {
  /** RAVDESS folder(s). */
  ravdess?: string | string[];
  /** SAVEE folder(s). */
  savee?: string | string[];
  /** Other folders or manifests, corpus detected from file names. */
  data?: string | string[];
  labelMap?: LabelMap | string;
  /** Split spec (lib/dataset/split-spec.ts), default 'default' (speaker-independent). */
  split?: string | SplitSpec;
  /** Options of the demo corpus used when no folder is given. */
  demo?: DemoCorpusOptions;
  /** Where the demo corpus is generated and cached (default: in SER_NATIVE_HOME, per settings). */
  demoDir?: string;
}

export interface ResolvedData {
  source: 'demo' | 'folders';
  folders: string[];
  items: DatasetItem[];
  duplicates: DuplicateGroup[];
  skipped: SkippedFile[];
  warnings: string[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The split and label map as typed (ERR_ARGUMENT naming --split or --label-map), before any folder is indexed or the demo corpus generated. */
export function checkDataOptions(o: DataOptions): void {
  if (typeof o.split === 'string') parseSplitSpec(o.split);
  if (typeof o.labelMap === 'string') parseLabelMap(o.labelMap);
}

/** Indexes the given folders, or generates (once) and indexes the demo corpus when none is given. */
export async function resolveData(o: DataOptions): Promise<ResolvedData> {
  checkDataOptions(o);
  const parts: { dirs: string[]; corpus: 'ravdess' | 'savee' | 'auto' }[] = [
    { dirs: list(o.ravdess), corpus: 'ravdess' },
    { dirs: list(o.savee), corpus: 'savee' },
    { dirs: list(o.data), corpus: 'auto' },
  ].filter((p) => p.dirs.length > 0) as { dirs: string[]; corpus: 'ravdess' | 'savee' | 'auto' }[];
  if (parts.length === 0) {
    // Non-default demo settings get their own cache folder, so runs with different settings coexist.
    const custom = o.demo && Object.keys(o.demo).length > 0;
    const dir = o.demoDir ? o.demoDir : custom ? `${defaultDemoDir()}-${createHash('sha1').update(JSON.stringify(resolveDemoOptions(o.demo))).digest('hex').slice(0, 10)}` : undefined;
    const demo = ensureDemoCorpus(dir, o.demo ?? {});
    const r = await indexDataset([demo.dir], { corpus: 'ravdess', labelMap: o.labelMap });
    // The demo corpus uses RAVDESS names; call its speakers demo:NN so no report mistakes them for real actors.
    const items = r.items.map((it) => ({ ...it, corpus: 'demo', speaker: it.speaker.replace(/^ravdess:/, 'demo:') }));
    return { source: 'demo', folders: [demo.dir], items, duplicates: r.duplicates, skipped: r.skipped, warnings: r.warnings };
  }
  const out: ResolvedData = { source: 'folders', folders: [], items: [], duplicates: [], skipped: [], warnings: [] };
  for (const p of parts) {
    const r = await indexDataset(p.dirs, { corpus: p.corpus, labelMap: o.labelMap });
    out.folders.push(...p.dirs);
    out.items.push(...r.items);
    out.duplicates.push(...r.duplicates);
    out.skipped.push(...r.skipped);
    out.warnings.push(...r.warnings);
  }
  if (out.items.length === 0) {
    throw new DatasetError(`no labelled recordings found in ${out.folders.join(', ')}${out.skipped.length ? ` (${out.skipped.length} files skipped, e.g. ${out.skipped[0].path}: ${out.skipped[0].reason})` : ''}`);
  }
  return out;
}

export function splitData(data: ResolvedData, spec: string | SplitSpec | undefined, seed: number): Split {
  const s = typeof spec === 'string' ? parseSplitSpec(spec) : spec ?? { mode: 'default' as const };
  return makeSplit({ items: data.items, duplicates: data.duplicates }, s, { seed });
}

/** Labels for a training run: the canonical emotions present, in canonical order; each must have training items. */
export function labelsFor(train: DatasetItem[], validation: DatasetItem[]): string[] {
  const present = new Set([...train, ...validation].map((i) => i.emotion as string));
  const labels = (EMOTIONS as readonly string[]).filter((e) => present.has(e));
  const trainCounts = new Map<string, number>();
  for (const it of train) trainCounts.set(it.emotion, (trainCounts.get(it.emotion) ?? 0) + 1);
  const missing = labels.filter((l) => !trainCounts.get(l));
  if (missing.length > 0) {
    throw new DatasetError(
      `class ${missing.map((m) => `'${m}'`).join(', ')} has no training items (only in validation). ` +
        'Choose a split whose training speakers cover every class, or drop/merge the class with --label-map (e.g. calm=neutral).',
    );
  }
  if (labels.length < 2) throw new DatasetError(`training needs at least two emotion classes; found ${labels.join(', ') || 'none'}`);
  return labels;
}

export interface LoadedAudio {
  items: DatasetItem[];
  clips: Float32Array[];
  skipped: SkippedFile[];
}

/** Decoded clips kept between runs in one process (e.g. successive optimize evaluations), keyed by path and rate. */
export type AudioCache = Map<string, Float32Array>;

/** Decodes and resamples every item; files that cannot be read are skipped with the reason. */
export function loadAudio(items: DatasetItem[], sampleRate: number, onProgress?: (done: number, total: number) => void, cache?: AudioCache): LoadedAudio {
  const out: LoadedAudio = { items: [], clips: [], skipped: [] };
  items.forEach((it, i) => {
    try {
      const key = `${it.path}|${sampleRate}`;
      let clip = cache?.get(key);
      if (!clip) {
        const wav = readWav(it.path);
        if (wav.samples.length === 0) throw new SerNativeError('ERR_AUDIO', 'no audio samples');
        clip = resampleNative(wav.samples, wav.sampleRate, sampleRate);
        cache?.set(key, clip);
      }
      out.clips.push(clip);
      out.items.push(it);
    } catch (e) {
      out.skipped.push({ path: it.path, reason: (e as Error).message });
    }
    if (onProgress && (i % 50 === 49 || i === items.length - 1)) onProgress(i + 1, items.length);
  });
  return out;
}
