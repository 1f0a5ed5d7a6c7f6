// Test helper: write a throw-away file tree (indexing reads names, and bytes only for duplicates).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const roots: string[] = [];

/** Files by relative path; content defaults to the path itself, so every file differs unless told. */
export function makeTree(files: Record<string, string | Buffer | null> | string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-dataset-'));
  roots.push(root);
  const entries = Array.isArray(files) ? files.map((f) => [f, null] as const) : Object.entries(files);
  for (const [rel, content] of entries) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content ?? rel);
  }
  return root;
}

export function removeTrees(): void {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
}

/** Paths of items relative to `root`, with `/`. */
export function rel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/');
}

/** The shared real recordings, relative to the repository root (see its README.md). */
export const SHARED_DATA = path.resolve(__dirname, '../../..', '../shared/data');
export const HAVE_SHARED_DATA = fs.existsSync(path.join(SHARED_DATA, 'ravdess')) && fs.existsSync(path.join(SHARED_DATA, 'savee'));
