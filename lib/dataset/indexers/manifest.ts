/**
 * Manifests: a CSV with a header (`path,emotion,speaker[,corpus,gender,intensity,text,vocalChannel]`),
 * JSON Lines with the same keys, or JSON (an array of such objects, or `{ items: [...] }` as written
 * by `ser-native index --out`). Paths are relative to the manifest's folder (absolute paths work too).
 * `emotion` accepts canonical names, aliases and extra labels (mapped by the label map). `corpus`
 * defaults to `manifest`, `speaker` to `unknown`; speakers are namespaced as `<corpus>:<speaker>`
 * unless they already are. Rows whose file is missing are skipped with the manifest line number.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { parseCsvRecords } from '../csv';
import { DatasetError } from '../errors';
import type { Gender, Intensity, RawItem, SkippedFile, VocalChannel } from '../types';

export const MANIFEST_EXTENSIONS = ['.csv', '.jsonl', '.json'];

export interface ManifestEntry {
  raw: RawItem;
  size: number;
}

export interface ManifestResult {
  entries: ManifestEntry[];
  skipped: SkippedFile[];
}

export function isManifestFile(file: string): boolean {
  return MANIFEST_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

export async function indexManifest(manifestPath: string): Promise<ManifestResult> {
  const file = path.resolve(manifestPath);
  const text = await fs.readFile(file, 'utf8');
  const rows = readRows(file, text);
  const base = path.dirname(file);
  const out: ManifestResult = { entries: [], skipped: [] };
  for (const { line, rec } of rows) {
    const where = `${file} line ${line}`;
    const rel = rec.path;
    if (!rel) {
      out.skipped.push({ path: where, reason: 'manifest row has no path' });
      continue;
    }
    const audio = path.resolve(base, rel);
    if (!rec.emotion) {
      out.skipped.push({ path: audio, reason: `${where} has no emotion` });
      continue;
    }
    let size: number;
    try {
      const stat = await fs.stat(audio);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      out.skipped.push({ path: audio, reason: `listed in ${where} but the file does not exist` });
      continue;
    }
    const corpus = rec.corpus || 'manifest';
    const speaker = rec.speaker || 'unknown';
    const gender = pick<Gender>(rec.gender, { male: 'male', m: 'male', female: 'female', f: 'female' });
    const intensity = pick<Intensity>(rec.intensity, { normal: 'normal', strong: 'strong' });
    const vocalChannel = pick<VocalChannel>(rec.vocalchannel, { speech: 'speech', song: 'song' });
    out.entries.push({
      size,
      raw: {
        path: audio,
        corpus,
        speaker: speaker.startsWith(`${corpus}:`) ? speaker : `${corpus}:${speaker}`,
        ...(gender ? { gender } : {}),
        label: rec.emotion,
        ...(intensity ? { intensity } : {}),
        ...(rec.text ? { text: rec.text } : {}),
        ...(vocalChannel ? { vocalChannel } : {}),
      },
    });
  }
  return out;
}

type Rec = Record<string, string>;

/** Rows as string records with keys lower-cased and `_` removed (`vocal_channel` = `vocalChannel`). */
function readRows(file: string, text: string): { line: number; rec: Rec }[] {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') {
    const { header, records } = parseCsvRecords(text);
    const keys = header.map(normKey);
    for (const need of ['path', 'emotion']) {
      if (!keys.includes(need)) {
        throw new DatasetError(`${file}: the header has no '${need}' column (found: ${header.join(', ') || 'nothing'}); a manifest needs path,emotion,speaker`);
      }
    }
    // Line numbers count the header as line 1; blank lines were dropped, so they are approximate only then.
    return records.map((r, i) => ({ line: i + 2, rec: renameKeys(r) }));
  }
  if (ext === '.jsonl') {
    const rows: { line: number; rec: Rec }[] = [];
    text.split(/\r?\n/).forEach((l, i) => {
      if (l.trim() === '') return;
      rows.push({ line: i + 1, rec: toRec(parseJson(l, `${file} line ${i + 1}`), `${file} line ${i + 1}`) });
    });
    return rows;
  }
  if (ext === '.json') {
    const doc = parseJson(text, file);
    const list = Array.isArray(doc) ? doc : (doc as { items?: unknown })?.items;
    if (!Array.isArray(list)) {
      throw new DatasetError(`${file}: expected a JSON array of items or an object with an "items" array (as written by ser-native index --out)`);
    }
    return list.map((o, i) => ({ line: i + 1, rec: toRec(o, `${file} item ${i + 1}`) }));
  }
  throw new DatasetError(`${file}: a manifest must end in ${MANIFEST_EXTENSIONS.join(', ')}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DatasetError(`${where}: invalid JSON (${(e as Error).message})`);
  }
}

function toRec(value: unknown, where: string): Rec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DatasetError(`${where}: expected an object with path, emotion, speaker`);
  }
  const rec: Rec = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && v !== undefined) rec[normKey(k)] = String(v).trim();
  }
  return rec;
}

function normKey(k: string): string {
  return k.trim().toLowerCase().replace(/_/g, '');
}

function renameKeys(r: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(r)) out[normKey(k)] = v;
  return out;
}

function pick<T extends string>(value: string | undefined, table: Record<string, T>): T | undefined {
  return value ? table[value.toLowerCase()] : undefined;
}
