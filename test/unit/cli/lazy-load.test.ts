// `ser-native --help`, `--version` and a command's --help load no command module, no lib/ training code, no
// addon and no BullMQ: checked on the modules the compiled CLI really required (not on timing).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkDist, cli, dist } from '../../helpers/dist';

let dir: string;
let preload: string;

beforeAll(() => {
  checkDist();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cli-load-'));
  // Writes every module in require.cache, and the shared objects the process mapped, when it exits.
  preload = path.join(dir, 'record.js');
  fs.writeFileSync(
    preload,
    `process.on('exit', () => {
      let maps = '';
      try { maps = require('fs').readFileSync('/proc/self/maps', 'utf8'); } catch {}
      require('fs').writeFileSync(process.env.RECORD_TO, JSON.stringify({ modules: Object.keys(require.cache), maps }));
    });`,
  );
});

afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

function loaded(args: string[]): { status: number | null; stdout: string; modules: string[]; maps: string } {
  const out = path.join(dir, `${args.join('_').replace(/\W/g, '')}.json`);
  const r = spawnSync(process.execPath, ['-r', preload, cli, ...args], { encoding: 'utf8', env: { ...process.env, RECORD_TO: out } });
  const { modules, maps } = JSON.parse(fs.readFileSync(out, 'utf8'));
  return { status: r.status, stdout: r.stdout, modules, maps };
}

const ours = (modules: string[]) => modules.filter((m) => m.startsWith(dist)).map((m) => path.relative(dist, m));

const cases = [['--help'], ['-h'], ['--version'], ['info', '--help'], ['train', '--help'], ['evaluate', '--help'], ['predict', '--help'], ['optimize', '--help'], ['worker', '--help'], ['index', '--help']].map((a) => [a.join(' '), a] as const);
test.each(cases)('ser-native %s loads no addon, LibTorch, BullMQ or lib/ training code', (_name, args) => {
  const r = loaded([...args]);
  expect(r.status).toBe(0);
  expect(r.stdout.length).toBeGreaterThan(0);
  expect(r.modules.filter((m) => m.endsWith('.node'))).toEqual([]);
  expect(r.modules.filter((m) => /node_modules[\\/](bullmq|ioredis|msgpackr)/.test(m))).toEqual([]);
  expect(ours(r.modules).filter((m) => /^lib\/(binding|info|train|model|optimize\/(?!evaluators\/queue\/settings\.js$)|features|audio)/.test(m))).toEqual([]);
  if (r.maps) expect(r.maps).not.toMatch(/libtorch|libc10|ser_native\.node|ser-native\.node/);
});

test('top-level --help loads no command module at all', () => {
  const r = loaded(['--help']);
  expect(ours(r.modules).sort()).toEqual(['bin/command-loader.js', 'bin/command-meta.js', 'bin/errors.js', 'bin/ser-native.js', 'lib/errors.js', 'lib/is.js']);
  expect(r.stdout).toMatch(/Exit codes: 0 success, 1 .*2 the command line is wrong/s);
});

test('--version answers without yargs', () => {
  const r = loaded(['--version']);
  expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(dist, '..', 'package.json'), 'utf8')).version);
  expect(r.modules.filter((m) => /node_modules[\\/]yargs/.test(m))).toEqual([]);
});

test('a command loads its own module only', () => {
  const r = loaded(['train', '--help']);
  const commands = ours(r.modules).filter((m) => m.startsWith('bin/commands/'));
  expect(commands).toEqual(['bin/commands/train.js']);
});
