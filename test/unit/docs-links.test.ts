// The docs hold together: in README.md and every docs/*.md, each relative markdown link points to a file
// that exists (and a #anchor into a markdown file to one of its headings, slugged as GitHub does), each
// `npm run <script>` names a script of package.json, and the README stays a front page (at most 250 lines).
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const README_MAX_LINES = 250;

const docs = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

/** The text outside fenced code blocks (``` or ~~~), with each fenced line blanked so line numbers stay. */
function withoutFences(text: string): string {
  let fence: string | null = null;
  return text
    .split('\n')
    .map((line) => {
      const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
      if (fence === null && m) {
        fence = m[1];
        return '';
      }
      if (fence !== null) {
        if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** Inline code spans removed (their text is not markdown: `[--data DIR...]` is no link). */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[\s\S]*?\1/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** GitHub's anchor for a heading: inline markup dropped, lower-case, punctuation other than '-' dropped, spaces → '-'. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) → text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a markdown file defines: its headings' slugs (repeats get -1, -2, ... as on GitHub). */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(read(file)).split('\n')) {
    const m = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`, outside code. */
function linksOf(file: string): Link[] {
  const text = withoutCodeSpans(withoutFences(read(file)));
  const out: Link[] = [];
  const lineAt = (index: number): number => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
    out.push({ file, line: lineAt(m.index!), target: m[1].replace(/^<|>$/g, '') });
  }
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(\S+)/gm)) out.push({ file, line: lineAt(m.index!), target: m[1] });
  return out;
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** What is wrong with one relative link, or null. */
function brokenLink(link: Link): string | null {
  const [rawPath, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const targetFile = rawPath === '' ? link.file : path.posix.normalize(path.posix.join(path.posix.dirname(link.file), decodeURIComponent(rawPath)));
  const where = `${link.file}:${link.line}: (${link.target})`;
  if (targetFile.startsWith('..')) return `${where} points outside the repository`;
  if (!fs.existsSync(path.join(root, targetFile))) return `${where}: ${targetFile} does not exist`;
  if (anchor !== undefined && targetFile.endsWith('.md')) {
    if (!anchorsOf(targetFile).has(decodeURIComponent(anchor))) return `${where}: ${targetFile} has no heading #${anchor}`;
  }
  return null;
}

test('the docs are README.md and docs/*.md, ARCHITECTURE.md and MODEL_CARD.md among them', () => {
  expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md', 'docs/MODEL_CARD.md']));
});

test('GitHub slugs: lower-case, punctuation but - and _ dropped, spaces become -', () => {
  expect(slug('Training recipe (the defaults)')).toBe('training-recipe-the-defaults');
  expect(slug('`ser-native serve`')).toBe('ser-native-serve');
  expect(slug('What `--json` prints')).toBe('what---json-prints');
  expect(slug('On real speech: does the search improve the model?')).toBe('on-real-speech-does-the-search-improve-the-model');
  expect(slug('In a browser: `examples/onnx-browser`')).toBe('in-a-browser-examplesonnx-browser');
  expect(slug('Out-of-fold figures (each speaker scored by the model that never heard them)')).toBe('out-of-fold-figures-each-speaker-scored-by-the-model-that-never-heard-them');
  expect(slug('Held-out validation (speakers never heard: RAVDESS 17–20, SAVEE JE)')).toBe('held-out-validation-speakers-never-heard-ravdess-1720-savee-je');
});

test.each(docs)('every relative link in %s points to an existing file and heading', (file) => {
  const links = linksOf(file).filter((l) => !isExternal(l.target));
  expect(links.map(brokenLink).filter((e) => e !== null)).toEqual([]);
});

test.each(docs)('every `npm run <script>` in %s is a script of package.json', (file) => {
  const scripts = Object.keys(JSON.parse(read('package.json')).scripts ?? {});
  const named = [...read(file).matchAll(/\bnpm run(?:-script)?\s+([A-Za-z0-9_][\w:.-]*[\w]|[A-Za-z0-9_])/g)].map((m) => m[1]);
  expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
});

test('README.md is a front page of at most 250 lines', () => {
  const lines = read('README.md').replace(/\n$/, '').split('\n').length;
  expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
});

test('the link checker finds broken links and anchors (it is not vacuous)', () => {
  expect(brokenLink({ file: 'README.md', line: 1, target: 'docs/no-such-page.md' })).toMatch(/does not exist/);
  expect(brokenLink({ file: 'README.md', line: 1, target: 'docs/cli.md#no-such-heading' })).toMatch(/has no heading/);
  expect(brokenLink({ file: 'docs/cli.md', line: 1, target: '#no-such-heading' })).toMatch(/has no heading/);
  expect(brokenLink({ file: 'docs/cli.md', line: 1, target: '../README.md#quick-start' })).toBeNull();
  expect(linksOf('README.md').length).toBeGreaterThan(10);
});
