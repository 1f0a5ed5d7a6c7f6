// What `npm pack` would publish: the compiled library and CLI, the native sources, the prebuilt binary when
// one was built, a LICENSE; no source maps pointing at unshipped sources, no benchmarks, within a size budget.
// Uses --ignore-scripts so no `prepare` build runs: it checks the dist/ already built.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repo = path.resolve(__dirname, '..', '..');

/** Budgets with room for growth; a jump past them means something unintended got in (maps, data, a second binary). */
const MAX_PACKED_BYTES = 1_000_000;
const MAX_UNPACKED_BYTES = 3_000_000;
/** The shipped default model (models/default/, float16 weights that hardly compress) has its own budget. */
const MAX_MODEL_BYTES = 15_000_000;
const isModel = (f: string) => f.startsWith('models/');

interface PackMeta {
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

let meta: PackMeta;
let files: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(repo, 'dist', 'lib', 'index.js')) || !fs.existsSync(path.join(repo, 'dist', 'bin', 'ser-native.js'))) {
    throw new Error('dist/ is not built: run `npm run build:ts` before the packaging tests');
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  meta = JSON.parse(out.slice(out.indexOf('[')))[0];
  files = meta.files.map((f) => f.path);
}, 120000);

test('ships the library, the CLI entry point, the native sources and a LICENSE', () => {
  for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/bin/ser-native.js', 'CMakeLists.txt', 'scripts/install.js', 'native/addon.cc', 'web/index.html', 'web/app.js', 'web/worklet.js']) expect(files).toContain(f);
  expect(fs.readFileSync(path.join(repo, 'LICENSE'), 'utf8')).toMatch(/^MIT License[\s\S]*ser-native contributors/);
});

test('no source maps, benchmarks, tests or build folders', () => {
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  expect(files.filter((f) => /^(dist\/bench|bench|test|dist\/test|build|tmp|node_modules|docs)\//.test(f))).toEqual([]);
});

test('ships the prebuilt binary of this platform when one was built', () => {
  const prebuilt = `prebuilds/${process.platform}-${process.arch}/ser-native.node`;
  if (!fs.existsSync(path.join(repo, prebuilt))) {
    console.warn(`${prebuilt} is not built here (\`npm run prebuild\`), so its presence in the tarball is not checked`);
    return;
  }
  expect(files).toContain(prebuilt);
  expect(files).toContain(`prebuilds/${process.platform}-${process.arch}/libtorch.json`);
});

test(`the tarball stays under ${MAX_PACKED_BYTES / 1e6} MB packed and ${MAX_UNPACKED_BYTES / 1e6} MB unpacked, plus at most ${MAX_MODEL_BYTES / 1e6} MB of default model`, () => {
  const model = meta.files.filter((f) => isModel(f.path)).reduce((a, f) => a + f.size, 0);
  expect(model).toBeLessThanOrEqual(MAX_MODEL_BYTES);
  // The model's bytes count in full against the packed size too (weights do not compress much).
  expect(meta.size - model).toBeLessThan(MAX_PACKED_BYTES);
  expect(meta.unpackedSize - model).toBeLessThan(MAX_UNPACKED_BYTES);
  expect(meta.files.filter((f) => isModel(f.path)).map((f) => f.path).filter((f) => !/^models\/default\/(model\.json|weights\.bin)$/.test(f))).toEqual([]);
});

test('package.json points at the repository, so the registry page links and resolves it', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  expect(pkg.homepage).toMatch(/^https:\/\//);
  expect(pkg.bugs?.url).toMatch(/^https:\/\//);
  // Test-only libraries stay out of what users install.
  expect(Object.keys(pkg.dependencies)).not.toContain('wavefile');
});

test('README images use absolute URLs (relative ones break on the registry page)', () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
  expect(images.filter((u) => !/^https:\/\//.test(u))).toEqual([]);
});

test('no shipped file requires a development-only package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const devOnly = Object.keys(pkg.devDependencies).filter((d) => !(d in (pkg.dependencies ?? {})) && !(d in (pkg.peerDependencies ?? {})) && !(d in (pkg.optionalDependencies ?? {})));
  const offenders: string[] = [];
  for (const f of files.filter((p) => p.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(repo, f), 'utf8');
    for (const m of text.matchAll(/require\(["']([^"'./][^"']*)["']\)/g)) {
      const name = m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0];
      if (devOnly.includes(name)) offenders.push(`${f} requires ${name}`);
    }
  }
  expect(offenders).toEqual([]);
});
