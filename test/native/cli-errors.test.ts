// Every command of the built CLI fed what a user gets wrong: an unknown flag, a bad flag value, a --config
// with an unknown key or a bad value, a missing file, a file that is not a WAV, a folder that is not a model,
// an output that cannot be written. Each is reported the one way (bin/errors.ts): the exit code of its kind
// (2: the command line, nothing was run; 1: the data, model or output), the code it was thrown with, a
// message naming the flag, key or file the user typed, a hint, and never ERR_UNEXPECTED ("please report it").
// No row trains, indexes a real corpus or connects anywhere: every one fails before the work starts.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { checkDist, cli } from '../helpers/dist';

interface Row {
  command: string;
  what: string;
  args: string[];
  exit: number;
  code: string;
  /** What the message must name: the flag, key or path the user typed. */
  names: RegExp;
  /** The command printed its result before the failure (index writes its report, then --out). */
  printed?: boolean;
}

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let dir: string;
let busy: net.Server;
let busyPort: number;
const results = new Map<Row, Outcome>();

/** A 16-bit mono PCM WAV of a 220 Hz tone. */
function toneWav(seconds: number, rate = 16000): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + 2 * n);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + 2 * n, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(2 * rate, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(10000 * Math.sin((2 * Math.PI * 220 * i) / rate)), 44 + 2 * i);
  return b;
}

/** Paths in the fixture folder (the CLI runs there, so relative paths are what a user types). */
const at = (...p: string[]): string => path.join(dir, ...p);

function run(words: string[], timeoutMs = 60000): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...words], { cwd: dir, env: { ...process.env, SER_NATIVE_DEBUG: '', SER_NATIVE_NO_AUTO_SETUP: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs); // a row that starts working never ends
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const configs: Record<string, unknown> = {
  'unknown-key.json': { epoch: 3 },
  'bad-value.json': { batchSize: 0 },
  'noise.json': { noise: { probability: 2 } },
  'noise-p.json': { noise: { kind: 'onTheFly', p: 2, snrDb: [10, 20] } },
  'nested.json': { architecture: { lstmLayers: 0 } },
  'patience.json': { patience: -1 },
  'array.json': [1, 2],
};

const u = (command: string, what: string, args: string[], names: RegExp): Row => ({ command, what, args: [command, ...args], exit: 2, code: 'ERR_USAGE', names });
const a = (command: string, what: string, args: string[], names: RegExp): Row => ({ command, what, args: [command, ...args], exit: 2, code: 'ERR_ARGUMENT', names });
const f = (command: string, what: string, args: string[], code: string, names: RegExp): Row => ({ command, what, args: [command, ...args], exit: 1, code, names });

// Relative paths: the fixtures in the folder the CLI runs in (beforeAll).
const rows: Row[] = [
  // train: flags, --config keys and values (rejected before any data is read), data and output
  u('train', 'an unknown flag', ['--epoch', '3'], /--epoch \(did you mean --epochs\?\)/),
  u('train', 'a number flag given a word', ['--epochs', 'abc'], /--epochs but received 'abc'/),
  a('train', 'a flag value out of range', ['--epochs', '0'], /for --epochs but received 0/),
  a('train', 'a negative --seed', ['--seed', '-1'], /for --seed but received -1/),
  a('train', '--folds 1', ['--folds', '1'], /for --folds but received 1/),
  a('train', 'an unknown --device', ['--device', 'gpu'], /for --device but received 'gpu'/),
  a('train', 'a --split that does not parse', ['--split', 'bogus'], /--split 'bogus'/),
  a('train', 'a --label-map without =', ['--label-map', 'calm'], /--label-map: 'calm' has no '='/),
  u('train', '--float16 without --folds', ['--float16'], /--float16/),
  a('train', 'a --config with an unknown key', ['--config', 'unknown-key.json'], /Unknown option epoch in --config unknown-key\.json \(did you mean epochs\?\)/),
  a('train', 'a --config with a bad value', ['--config', 'bad-value.json'], /for batchSize in --config bad-value\.json but received 0/),
  a('train', 'a --config noise schedule with an unknown field', ['--config', 'noise.json'], /noise\.probability in --config noise\.json is not a field/),
  a('train', 'a --config noise probability out of range', ['--config', 'noise-p.json'], /noise\.p in --config noise-p\.json: expected a probability in \[0, 1\], got 2/),
  a('train', 'a --config with a bad nested value', ['--config', 'nested.json'], /for architecture\.lstmLayers in --config nested\.json but received 0/),
  a('train', 'a --config that is not an object', ['--config', 'array.json'], /for --config array\.json but received an array/),
  u('train', 'a --config that is not JSON', ['--config', 'notes.wav'], /cannot read --config notes\.wav/),
  u('train', 'a --config that does not exist', ['--config', 'missing.json'], /cannot read --config missing\.json/),
  f('train', 'a data folder that does not exist', ['--ravdess', 'no-such-folder'], 'ERR_DATA', /'no-such-folder': no such folder/),
  f('train', 'an --out that cannot be written', ['--out', 'notes.wav/run'], 'ERR_IO', /notes\.wav\/run/),
  f('train', 'a --teacher folder that is not a model', ['--teacher', 'bad-model'], 'ERR_MODEL', /^--teacher: bad-model is not a usable ser-native model bundle/),
  a('train', 'a --teacher-weight out of range', ['--teacher', 'bad-model', '--teacher-weight', '2'], /for --teacher-weight but received 2/),
  u('train', '--teacher-weight without --teacher', ['--teacher-weight', '0.5'], /--teacher-weight applies to distillation: add --teacher DIR/),
  u('train', '--teacher-folds without --folds', ['--teacher', 'bad-model', '--teacher-folds'], /--teacher-folds applies to distilled --folds runs: add --folds K and --teacher DIR/),

  // evaluate
  u('evaluate', 'an unknown flag', ['--modle', 'm', '--demo'], /--modle \(did you mean --model\?\)/),
  a('evaluate', 'an unknown --device', ['--device', 'gpu', '--demo'], /for --device but received 'gpu'/),
  a('evaluate', 'an unknown --precision', ['--precision', 'int8', '--demo'], /for --precision but received 'int8'/),
  u('evaluate', 'no data to score', [], /give --ravdess DIR, --savee DIR or --data/),
  f('evaluate', 'a folder that is not a model', ['--model', 'bad-model', '--demo'], 'ERR_MODEL', /bad-model is not a usable ser-native model bundle/),
  f('evaluate', 'a data folder that does not exist', ['--data', 'no-such-folder'], 'ERR_DATA', /'no-such-folder': no such folder/),
  a('evaluate', 'a --label-map with an unknown emotion', ['--data', 'corpus', '--label-map', 'calm=chill'], /--label-map: 'calm=chill': 'chill' is not a canonical emotion/),

  // predict
  u('predict', 'an unknown flag', ['--modle', 'm', 'tone.wav'], /--modle \(did you mean --model\?\)/),
  u('predict', 'no file', [], /Missing <files\.\.\.>/),
  a('predict', 'a flag value out of range', ['--min-confidence', '2', 'tone.wav'], /for --min-confidence but received 2/),
  a('predict', 'a timeline flag value out of range', ['--timeline', '--hop', '0', 'tone.wav'], /for --hop but received 0/),
  u('predict', 'a timeline flag without --timeline', ['--median', '3', 'tone.wav'], /--median only applies with --timeline/),
  a('predict', 'an unknown --device', ['--device', 'gpu', 'tone.wav'], /for --device but received 'gpu'/),
  a('predict', 'an unknown --precision', ['--precision', 'half', 'tone.wav'], /one of 'float32', 'bfloat16' for --precision but received 'half'/),
  f('predict', 'a file that does not exist', ['missing.wav'], 'ERR_DATA', /missing\.wav: cannot (open|read) file/),
  f('predict', 'a file that is not a WAV', ['notes.wav'], 'ERR_DATA', /notes\.wav: not a WAV file/),
  f('predict', 'a folder that is not a model', ['--model', 'bad-model', 'tone.wav'], 'ERR_MODEL', /bad-model is not a usable ser-native model bundle/),
  f('predict', 'a model folder that does not exist', ['--model', 'no-such-model', 'tone.wav'], 'ERR_MODEL', /no-such-model is not a usable ser-native model bundle/),

  // features
  u('features', 'an unknown flag', ['tone.wav', '--no-centre'], /--no-centre \(did you mean --no-center\?\)/),
  u('features', 'no file', [], /Missing <file>/),
  a('features', 'a flag value out of range', ['tone.wav', '--n-fft', '0'], /for --n-fft but received 0/),
  a('features', 'flag values that do not fit together', ['tone.wav', '--win-length', '1024'], /for --win-length but received 1024/),
  a('features', 'a --top-db that is not a number', ['tone.wav', '--top-db', 'loud'], /for --top-db but received 'loud'/),
  u('features', 'an --out of an unknown kind', ['tone.wav', '--out', 'x.bmp'], /--out x\.bmp: unknown extension/),
  f('features', 'a file that does not exist', ['missing.wav'], 'ERR_DATA', /missing\.wav: cannot read file/),
  f('features', 'a file that is not a WAV', ['notes.wav'], 'ERR_DATA', /notes\.wav: not a WAV file/),
  f('features', 'an --out that cannot be written', ['tone.wav', '--device', 'cpu', '--out', 'notes.wav/mel.png'], 'ERR_IO', /--out notes\.wav\/mel\.png: cannot write/),

  // index
  u('index', 'an unknown flag', ['corpus', '--corpuss', 'ravdess'], /--corpuss \(did you mean --corpus\?\)/),
  u('index', 'a flag value not among the choices', ['corpus', '--corpus', 'timit'], /for --corpus but received "timit"/),
  a('index', 'a --label-map without a label', ['corpus', '--label-map', '=neutral'], /--label-map: '=neutral' has no valid label/),
  f('index', 'a folder that does not exist', ['no-such-folder'], 'ERR_DATA', /'no-such-folder': no such folder/),
  f('index', 'a file that is not a folder or manifest', ['notes.wav'], 'ERR_DATA', /'notes\.wav' is a file/),
  { ...f('index', 'an --out that cannot be written', ['corpus', '--out', 'notes.wav/index.json'], 'ERR_IO', /--out notes\.wav\/index\.json: cannot write/), printed: true },

  // info, setup: flags only (setup installs nothing here)
  u('info', 'an unknown flag', ['--jsn'], /--jsn \(did you mean --json\?\)/),
  u('info', 'an unexpected argument', ['extra'], /Unknown argument: extra/),
  u('setup', 'an unknown flag', ['--yes'], /Unknown option --yes/),
  u('setup', 'an unexpected argument', ['cuda'], /Unknown argument: cuda/),

  // serve: every flag is checked before the model loads; nothing is left listening
  u('serve', 'an unknown flag', ['--prot', '9000'], /--prot \(did you mean --port\?\)/),
  a('serve', 'a port out of range', ['--port', '70000'], /for --port but received 70000/),
  a('serve', 'a limit out of range', ['--max-queue', '0'], /for --max-queue but received 0/),
  a('serve', 'a negative --body-limit', ['--body-limit', '-1'], /for --body-limit but received -1/),
  a('serve', 'an unknown --device', ['--device', 'gpu'], /for --device but received 'gpu'/),
  a('serve', 'an unknown --precision', ['--precision', 'fp8'], /for --precision but received 'fp8'/),
  f('serve', 'a folder that is not a model', ['--model', 'bad-model'], 'ERR_MODEL', /bad-model is not a usable ser-native model bundle/),
  f('serve', 'a port in use', ['--host', '127.0.0.1', '--port', 'BUSY'], 'ERR_IO', /cannot listen on --host 127\.0\.0\.1 --port \d+/),

  // optimize: flags and --config (the fixed part of the recipe), all before any data is indexed
  u('optimize', 'an unknown flag', ['--max-eval', '3'], /--max-eval \(did you mean --max-evals\?\)/),
  u('optimize', 'a flag value not among the choices', ['--algorithm', 'pso'], /for --algorithm but received "pso"/),
  a('optimize', 'a flag value out of range', ['--population', '2'], /for --population but received 2/),
  a('optimize', 'a negative --workers', ['--workers', '-1'], /for --workers but received -1/),
  a('optimize', '--rungs 0', ['--rungs', '0'], /for --rungs but received 0/),
  a('optimize', 'a --split that does not parse', ['--split', 'kfold:x'], /--split 'kfold:x'/),
  a('optimize', 'a --config with an unknown key', ['--config', 'unknown-key.json'], /Unknown option epoch in --config unknown-key\.json \(did you mean epochs\?\)/),
  a('optimize', 'a --config that fixes what the search sets', ['--config', 'noise.json'], /noise in --config noise\.json is set by the search/),
  a('optimize', 'a --config with a bad value', ['--config', 'patience.json'], /for patience in --config patience\.json but received -1/),
  a('optimize', 'a --config with a bad nested value', ['--config', 'nested.json'], /for architecture\.lstmLayers in --config nested\.json but received 0/),
  a('optimize', 'a --config that is not an object', ['--config', 'array.json'], /for --config array\.json but received an array/),
  u('optimize', 'a --config that is not JSON', ['--config', 'notes.wav'], /cannot read --config notes\.wav/),
  f('optimize', 'a --warm-start file that does not exist', ['--warm-start', 'missing.jsonl'], 'ERR_DATA', /--warm-start missing\.jsonl does not exist/),
  a('optimize', 'a --queue that is not an address', ['--queue', 'localhost', '--study', 's'], /for --queue but received 'localhost'/),
  u('optimize', '--study without --queue', ['--study', 's'], /--study names a queue study/),
  a('optimize', '--resume with nothing to resume', ['--resume'], /nothing to resume in .*--resume/),
  f('optimize', 'an --out that cannot be written', ['--out', 'notes.wav/run'], 'ERR_IO', /notes\.wav\/run/),

  // export
  u('export', 'an unknown flag', ['--onx', 'm.onnx'], /--onx \(did you mean --onnx\?\)/),
  u('export', 'a missing required flag', [], /Missing required option --onnx/),
  a('export', 'a flag value out of range', ['--onnx', 'm.onnx', '--opset', '3'], /for --opset but received 3/),
  f('export', 'a folder that is not a model', ['--onnx', 'm.onnx', '--model', 'bad-model'], 'ERR_MODEL', /bad-model is not a usable ser-native model bundle/),
  f('export', 'an --onnx that cannot be written', ['--onnx', 'notes.wav/m.onnx'], 'ERR_IO', /notes\.wav\/m\.onnx/),

  // worker: flags are checked before the addon loads or Redis is called
  u('worker', 'an unknown flag', ['--queue', 'redis://127.0.0.1:1', '--cpu-slot', '1'], /--cpu-slot \(did you mean --cpu-slots\?\)/),
  u('worker', 'a missing required flag', [], /Missing required option --queue/),
  a('worker', 'a --queue that is not an address', ['--queue', 'localhost:6379'], /for --queue but received 'localhost:6379'/),
  u('worker', 'a --gpus that is not a list of devices', ['--queue', 'redis://127.0.0.1:1', '--gpus', 'x'], /--gpus x/),
  a('worker', 'no slot', ['--queue', 'redis://127.0.0.1:1', '--cpu-slots', '0'], /--cpu-slots/),
  a('worker', '--threads 0', ['--queue', 'redis://127.0.0.1:1', '--threads', '0'], /for --threads but received 0/),
  a('worker', '--lock-seconds 0', ['--queue', 'redis://127.0.0.1:1', '--lock-seconds', '0'], /for --lock-seconds but received 0/),

  // no command
  { command: '', what: 'an unknown command', args: ['trian'], exit: 2, code: 'ERR_USAGE', names: /Unknown command trian \(did you mean train\?\)/ },
];

beforeAll(async () => {
  checkDist();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cli-errors-'));
  fs.writeFileSync(at('notes.wav'), 'not audio\n');
  const tone = toneWav(1);
  fs.writeFileSync(at('tone.wav'), tone);
  fs.mkdirSync(at('corpus', 'Actor_01'), { recursive: true });
  for (const e of ['01', '05']) fs.writeFileSync(at('corpus', 'Actor_01', `03-01-${e}-01-01-01-01.wav`), tone);
  fs.mkdirSync(at('bad-model'));
  fs.writeFileSync(at('bad-model', 'model.json'), JSON.stringify({ format: 'something-else' }));
  for (const [name, value] of Object.entries(configs)) fs.writeFileSync(at(name), JSON.stringify(value));
  busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as net.AddressInfo).port;
  // Each train/optimize row gets its own --out (their run locks would otherwise meet); a few rows at a time.
  const jobs = rows.map((r, i) => () => {
    const args = r.args.map((w) => (w === 'BUSY' ? String(busyPort) : w));
    if ((r.command === 'train' || r.command === 'optimize') && !args.includes('--out')) args.push('--out', `out-${i}`);
    return run(args).then((o) => void results.set(r, o));
  });
  const next = async (): Promise<void> => {
    for (let job = jobs.shift(); job; job = jobs.shift()) await job();
  };
  await Promise.all([next(), next(), next()]);
}, 300000);

afterAll(async () => {
  await new Promise((resolve) => busy?.close(resolve));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([...new Set(rows.map((r) => r.command))].map((c) => [c ? `ser-native ${c}` : 'ser-native (no command)', c]))('%s', (_title, command) => {
  test.each(rows.filter((r) => r.command === command).map((r) => [r.what, r] as const))('%s', (_what, row) => {
    const r = results.get(row)!;
    const prefix = `ser-native${row.command ? ` ${row.command}` : ''}: error [`;
    const line = r.stderr.split('\n').find((l) => l.startsWith(prefix));
    const shown = { args: row.args.join(' '), status: r.status, stderr: r.stderr };
    expect({ ...shown, line: line ?? null }).toMatchObject({ line: expect.stringContaining(`[${row.code}]: `) });
    expect(r.stderr).not.toMatch(/ERR_UNEXPECTED/);
    expect({ ...shown, message: line!.slice(line!.indexOf(']: ') + 3) }).toMatchObject({ message: expect.stringMatching(row.names) });
    expect(r.stderr).toMatch(/^hint: \S/m);
    expect({ ...shown, status: r.status }).toMatchObject({ status: row.exit });
    if (!row.printed) expect(r.stdout).toBe('');
  });
});

test('nothing was run: no row left a model, a run state or a report behind', () => {
  expect(fs.existsSync(at('m.onnx'))).toBe(false);
  const left = fs.readdirSync(dir).filter((n) => n.startsWith('out-') || n === 'ser-model' || n === 'ser-optimize');
  for (const n of left) {
    const files = fs.readdirSync(at(n));
    expect({ folder: n, files }).toEqual({ folder: n, files: [] });
  }
  // A row that started training would run for minutes (and be killed at 60 s); the slowest loads a model.
  const slowest = Math.max(...[...results.values()].map((o) => o.ms));
  expect(slowest).toBeLessThan(30000);
});
