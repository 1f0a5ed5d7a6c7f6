// Recursive listing of the WAV files under a folder, in a deterministic order.
import { promises as fs } from 'fs';
import * as path from 'path';
import { byCodePoint } from './order';
import type { FileEntry, SkippedFile } from './types';

/** Audio the project cannot read yet: reported as skipped rather than silently ignored. */
const OTHER_AUDIO = new Set(['.flac', '.mp3', '.ogg', '.opus', '.m4a', '.aac', '.aif', '.aiff', '.wma']);

export interface WalkResult {
  files: FileEntry[];
  /** Non-WAV audio and hidden WAV files (e.g. macOS `._x.wav` resource forks). */
  skipped: SkippedFile[];
  /** Every other file, by lower-case name (lets CREMA-D find `VideoDemographics.csv`). */
  others: string[];
}

/**
 * Walk `root` depth-first with entries sorted by name. Hidden folders (`.git`) are not entered;
 * symlinked folders are followed once (cycles are cut by real path).
 */
export async function walkAudio(root: string): Promise<WalkResult> {
  const out: WalkResult = { files: [], skipped: [], others: [] };
  const seen = new Set<string>();
  await walkDir(path.resolve(root), [], out, seen);
  return out;
}

async function walkDir(dir: string, dirs: string[], out: WalkResult, seen: Set<string>): Promise<void> {
  const real = await fs.realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const names = (await fs.readdir(dir)).sort(byCodePoint);
  for (const name of names) {
    const full = path.join(dir, name);
    let stat;
    try {
      stat = await fs.stat(full); // follows symlinks
    } catch {
      out.skipped.push({ path: full, reason: 'unreadable or a broken symlink' });
      continue;
    }
    if (stat.isDirectory()) {
      if (!name.startsWith('.')) await walkDir(full, [...dirs, name], out, seen);
      continue;
    }
    if (!stat.isFile()) continue;
    const ext = path.extname(name).toLowerCase();
    if (ext === '.wav') {
      if (name.startsWith('.')) {
        out.skipped.push({ path: full, reason: 'hidden file (e.g. a macOS ._ resource fork), not a recording' });
      } else {
        out.files.push({ path: full, stem: name.slice(0, -ext.length), dirs, parentName: path.basename(dir), size: stat.size });
      }
    } else if (OTHER_AUDIO.has(ext)) {
      out.skipped.push({ path: full, reason: `${ext} audio is not read by ser-native; convert it to 16-bit PCM WAV` });
    } else {
      out.others.push(full);
    }
  }
}
