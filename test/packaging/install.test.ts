// The packed tarball, installed as users install it: with and without install scripts, from a
// path with a space, finding LibTorch in the per-user cache, or installing it there on first use.
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '..', '..');
const libtorch = require(path.join(repo, 'scripts', 'libtorch.js'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ser native pack '));
let tarball = '';

function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['LD_LIBRARY_PATH', 'LIBTORCH', 'Torch_DIR', 'CMAKE_PREFIX_PATH', 'SER_NATIVE_PREBUILD', 'SER_NATIVE_THREADS']) if (!(k in extra)) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** An empty project with the tarball installed; `ignoreScripts` as pnpm and bun would. */
function installInto(dir: string, ignoreScripts: boolean): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(ignoreScripts ? ['--ignore-scripts'] : []), tarball];
  execFileSync('npm', args, { cwd: dir, stdio: 'pipe', env: cleanEnv({}) });
  return dir;
}

function cli(dir: string, args: string[], env: Record<string, string | undefined>) {
  const bin = path.join(dir, 'node_modules', 'ser-native', 'dist', 'bin', 'ser-native.js');
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: cleanEnv(env), encoding: 'utf8', timeout: 300000 });
}

/** A SER_NATIVE_HOME whose cache already holds the LibTorch this machine installed (saves a download). */
function seededHome(name: string): string {
  const home = path.join(work, name);
  fs.mkdirSync(home, { recursive: true });
  const installed = libtorch.cacheTarget('cpu');
  if (!fs.existsSync(path.join(installed, 'COMPLETE'))) throw new Error(`expected the CI's LibTorch in ${installed}; run npm install first`);
  fs.symlinkSync(installed, path.join(home, path.basename(installed)));
  return home;
}

beforeAll(() => {
  const prebuilt = path.join(repo, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!fs.existsSync(prebuilt)) throw new Error(`${prebuilt} is missing: run \`npm run prebuild\` before the packaging tests (.ci/run does)`);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const meta = JSON.parse(out.slice(out.indexOf('[')))[0];
  tarball = path.join(work, meta.filename);
  const files: string[] = meta.files.map((f: { path: string }) => f.path);
  expect(files).toContain(`prebuilds/${process.platform}-${process.arch}/ser-native.node`);
  expect(files.some((f) => f.startsWith('test/') || f.startsWith('../'))).toBe(false);
}, 300000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('npm install of the tarball (scripts allowed) gives a working CLI with no LD_LIBRARY_PATH', () => {
  const dir = installInto(path.join(work, 'with scripts'), false);
  const r = cli(dir, ['info', '--json'], { SER_NATIVE_HOME: seededHome('home-a'), SER_NATIVE_NO_AUTO_SETUP: '1' });
  expect(r.stderr).toBe('');
  const i = JSON.parse(r.stdout);
  expect(i.libtorch.version).toBe(libtorch.PINNED_VERSION);
  expect(i.build.from).toBe('prebuilt');
  expect(i.build.binary).toContain(path.join(dir, 'node_modules', 'ser-native', 'prebuilds'));
}, 300000);

describe('installed with scripts ignored, in a path with a space', () => {
  let dir = '';
  beforeAll(() => {
    dir = installInto(path.join(work, 'my project'), true);
  }, 300000);

  test('info --json works from the prebuilt binary and the cached LibTorch, no compiler run', () => {
    const r = cli(dir, ['info', '--json'], { SER_NATIVE_HOME: seededHome('home b'), SER_NATIVE_NO_AUTO_SETUP: '1' });
    expect(r.status).toBe(0);
    const i = JSON.parse(r.stdout);
    expect(i.build.from).toBe('prebuilt');
    expect(i.libtorch.path).toContain('home b');
    expect(fs.existsSync(path.join(dir, 'node_modules', 'ser-native', 'build'))).toBe(false);
  });

  test('a LibTorch of another version is a clear error naming both versions and both fixes', () => {
    const fake = path.join(work, 'libtorch 2.12');
    fs.mkdirSync(path.join(fake, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(fake, 'version.py'), "__version__ = '2.12.0+cpu'\n");
    fs.symlinkSync(path.join(libtorch.cacheTarget('cpu'), 'torch', 'lib', 'libtorch_cpu.so'), path.join(fake, 'lib', 'libtorch_cpu.so'));
    const r = cli(dir, ['info', '--json'], { SER_NATIVE_HOME: path.join(work, 'empty-1'), LIBTORCH: fake });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ERR_LIBTORCH_VERSION/);
    expect(r.stderr).toMatch(/needs LibTorch 2\.13\.0/);
    expect(r.stderr).toMatch(/2\.12\.0/);
    expect(r.stderr).toMatch(/npx ser-native setup/);
    expect(r.stderr).toMatch(/build the addon from source/);
  });

  test('no LibTorch with auto-setup off is a clear error, not a dynamic-linker message', () => {
    const r = cli(dir, ['info'], { SER_NATIVE_HOME: path.join(work, 'empty-2'), SER_NATIVE_NO_AUTO_SETUP: '1', PYTHON: '/nonexistent/python3' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERR_LIBTORCH_NOT_FOUND/);
    expect(r.stderr).toMatch(/npx ser-native setup/);
    expect(r.stderr).not.toMatch(/cannot open shared object/);
  });

  test('two concurrent first uses on an empty cache: one installs LibTorch, the other waits, both succeed', async () => {
    const home = path.join(work, 'fresh cache');
    const run = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const bin = path.join(dir, 'node_modules', 'ser-native', 'dist', 'bin', 'ser-native.js');
        const p = spawn(process.execPath, [bin, 'info', '--json'], { cwd: dir, env: cleanEnv({ SER_NATIVE_HOME: home }) });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).libtorch.path).toContain('fresh cache');
    }
    const installed = [a, b].filter((r) => /installed in/.test(r.stderr));
    const waited = [a, b].filter((r) => /waiting for it/.test(r.stderr));
    expect(installed).toHaveLength(1);
    expect(waited).toHaveLength(1);
    expect(a.stderr + b.stderr).toMatch(/first use: installing LibTorch/);
    expect(fs.readdirSync(home).filter((f) => f.includes('.partial-'))).toEqual([]);
  }, 600000);
});
