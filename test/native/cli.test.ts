// The built CLI as a user runs it: one error style for every command, errors that name the flags typed
// (not lib/'s API fields), "did you mean" for typos, exit codes by kind, and runs on the demo corpus
// labelled as synthetic everywhere they report a score.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultDemoDir, ensureDemoCorpus } from '../../lib/demo/corpus';
import { checkDist, cli } from '../helpers/dist';
import { fixed } from '../helpers/tiny-recipe';

let dir: string;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 600000, env: { ...process.env, SER_NATIVE_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one error shape: `ser-native[ cmd]: error [CODE]: message` then `hint: ...`, nothing else. */
function expectError(r: { status: number | null; stdout: string; stderr: string }, command: string | null, code: string, exit: number): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0].startsWith(`ser-native${command ? ` ${command}` : ''}: error [${code}]: `)).toBe(true);
  expect(lines[1]).toMatch(/^hint: \S/);
  expect(r.status).toBe(exit);
  expect(r.stdout).toBe('');
  return lines[0];
}

beforeAll(() => {
  checkDist();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cli-'));
});

afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe('command-line mistakes: exit 2, named as typed, nothing run', () => {
  test('a misspelt flag gets "did you mean", even where yargs would report the missing required one', () => {
    const line = expectError(run(['predict', '--modle', 'm', 'a.wav']), 'predict', 'ERR_USAGE', 2);
    expect(line).toMatch(/Unknown option --modle \(did you mean --model\?\)$/);
    expect(line).not.toMatch(/Missing required argument/);
    expect(expectError(run(['train', '--epoch', '3']), 'train', 'ERR_USAGE', 2)).toMatch(/--epoch \(did you mean --epochs\?\)/);
    expect(expectError(run(['features', 'a.wav', '--no-centre']), 'features', 'ERR_USAGE', 2)).toMatch(/--no-centre \(did you mean --no-center\?\)/);
    expect(expectError(run(['trian']), null, 'ERR_USAGE', 2)).toMatch(/Unknown command trian \(did you mean train\?\)/);
  });

  test('train --epochs abc names the flag and what was typed, not config.epochs', () => {
    const line = expectError(run(['train', '--epochs', 'abc']), 'train', 'ERR_USAGE', 2);
    expect(line).toMatch(/Expected a number for --epochs but received 'abc'$/);
  });

  test('a value lib/ rejects is reported under the flag that set it', () => {
    const epochs = expectError(run(['train', '--epochs', '0', '--out', path.join(dir, 'never')]), 'train', 'ERR_ARGUMENT', 2);
    expect(epochs).toMatch(/Expected positive integer for --epochs but received 0/);
    expect(epochs).not.toMatch(/config\./);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    // A bad value from --config is named as a key of that file.
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ batchSize: -1 }));
    expect(expectError(run(['train', '--config', path.join(dir, 'bad.json')]), 'train', 'ERR_ARGUMENT', 2)).toMatch(/for batchSize in --config .*bad\.json but received -1/);
    expect(expectError(run(['optimize', '--population', '2', '--out', path.join(dir, 'never')]), 'optimize', 'ERR_ARGUMENT', 2)).toMatch(/for --population but received 2/);
    expect(expectError(run(['train', '--device', 'gpu']), 'train', 'ERR_ARGUMENT', 2)).toMatch(/for --device but received 'gpu'/);
  });

  test('evaluate with no data options says which flags to give instead of scoring the demo corpus', () => {
    const line = expectError(run(['evaluate', '--model', path.join(dir, 'none')]), 'evaluate', 'ERR_USAGE', 2);
    expect(line).toMatch(/give --ravdess DIR, --savee DIR or --data DIR\|MANIFEST \(or --demo for the synthetic demo corpus\)/);
    expect(expectError(run(['evaluate', '--model', 'm', '--demo', '--ravdess', dir]), 'evaluate', 'ERR_USAGE', 2)).toMatch(/--demo .* without --ravdess/);
  });
});

test('run failures use the same style, exit 1, with a hint for their kind', () => {
  const index = expectError(run(['index', path.join(dir, 'no-such-folder')]), 'index', 'ERR_DATA', 1);
  expect(index).toMatch(/no such folder/);
  const model = run(['predict', '--model', path.join(dir, 'no-model'), 'a.wav']);
  expect(expectError(model, 'predict', 'ERR_MODEL', 1)).toMatch(/not a usable ser-native model bundle/);
  expect(model.stderr).toMatch(/hint: give --model the model\/ folder/);
});

test('index takes its folders as positionals or with the data flags of train (--data, --ravdess, --savee), and asks for one when given none', () => {
  const demo = ensureDemoCorpus(path.join(dir, 'index-demo'), { actors: 2, emotions: ['neutral', 'angry'], seconds: 0.5 }).dir;
  const indexed = (args: string[]) => {
    const r = run(['index', ...args, '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { items: unknown[]; counts: { bySpeaker: Record<string, number> } };
    return { n: doc.items.length, counts: doc.counts };
  };
  const positional = indexed([demo]);
  expect(positional.n).toBeGreaterThan(0);
  expect(Object.keys(positional.counts.bySpeaker)).toHaveLength(2);
  expect(indexed(['--data', demo])).toEqual(positional);
  expect(indexed(['--ravdess', demo])).toEqual(positional);
  expect(indexed([demo, '--ravdess', demo])).toEqual(positional); // given twice, each recording counts once
  expect(indexed(['--savee', demo, '--ravdess', demo]).n).toBe(positional.n); // SAVEE names: none of these files
  expect(expectError(run(['index']), 'index', 'ERR_USAGE', 2)).toMatch(/give folders or manifests \(ser-native index DIR\.\.\.\), or --data, --ravdess, --savee/);
});

test('help: predict shows its files as required with no "[default: []]"; --device defaults to auto everywhere; setup has no --yes', () => {
  const predict = run(['predict', '--help']).stdout;
  expect(predict).toMatch(/files +WAV files.*\[array\] \[required\]/);
  expect(predict).not.toMatch(/\[default: \[\]\]/);
  for (const c of ['train', 'evaluate', 'predict', 'optimize', 'features']) expect(run([c, '--help']).stdout).toMatch(/--device[\s\S]*?\[string\] \[default: "auto"\]/);
  expect(run(['setup', '--help']).stdout).not.toMatch(/--yes/);
});

describe('a 1-epoch training on the demo corpus', () => {
  let out: string;
  let r: ReturnType<typeof run>;
  beforeAll(() => {
    out = path.join(dir, 'demo run');
    fs.writeFileSync(path.join(dir, 'tiny.json'), JSON.stringify(fixed));
    r = run(['train', '--epochs', '1', '--config', path.join(dir, 'tiny.json'), '--device', 'cpu', '--out', out]);
    if (r.status !== 0) throw new Error(`the demo training failed:\n${r.stderr}`);
  }, 600000);

  test('metrics.json, the report and the summary say the data is synthetic', () => {
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.synthetic).toBe(true);
    expect(metrics.note).toBe('synthetic demo corpus, not real speech');
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/<div class="warning">Data: synthetic demo corpus, not real speech/);
    expect(r.stdout).toMatch(/^data: synthetic demo corpus, not real speech/);
    expect(r.stderr).toMatch(/training on the synthetic demo corpus, not real speech/);
  });

  test('the summary ends with the command to run next', () => {
    expect(r.stdout.trimEnd().split('\n').pop()).toBe(`next: npx ser-native predict --model '${path.join('demo run', 'model')}' some.wav`);
  });

  test('predict --hop 0 names --hop, not options.hop, and stops at once', () => {
    const wav = path.join(dir, 'a.wav');
    fs.copyFileSync(findDemoClip(), wav);
    const line = expectError(run(['predict', '--model', path.join(out, 'model'), '--timeline', '--hop', '0', wav, wav]), 'predict', 'ERR_ARGUMENT', 2);
    expect(line).toMatch(/for --hop but received 0/);
    expect(line).not.toMatch(/options\./);
  });

  test('predict --timeline --smoothing: the causal EMA of the unsmoothed timeline; misuse names the flag', () => {
    const wav = path.join(dir, 'a.wav');
    fs.copyFileSync(findDemoClip(), wav);
    const model = path.join(out, 'model');
    const timeline = (extra: string[]) => {
      const r = run(['predict', '--model', model, '--timeline', '--hop', '0.25', '--json', ...extra, wav]);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout)[0].segments as { speech: boolean; probabilities: Record<string, number> | null }[];
    };
    const plain = timeline([]);
    const smooth = timeline(['--smoothing', '0.6']);
    expect(smooth).toHaveLength(plain.length);
    const speech = plain.map((s, i) => (s.speech ? i : -1)).filter((i) => i >= 0);
    expect(speech.length).toBeGreaterThan(2);
    // p̂ₜ = a·p̂ₜ₋₁ + (1 − a)·pₜ over consecutive speech windows, from the first one as is.
    let prev: Record<string, number> | null = null;
    let differs = false;
    plain.forEach((s, i) => {
      if (!s.speech) return void (prev = null);
      const want: Record<string, number> = prev === null ? { ...s.probabilities! } : Object.fromEntries(Object.entries(s.probabilities!).map(([k, v]) => [k, 0.6 * prev![k] + 0.4 * v]));
      for (const [k, v] of Object.entries(want)) {
        expect(smooth[i].probabilities![k]).toBeCloseTo(v, 4);
        if (Math.abs(v - s.probabilities![k]) > 1e-3) differs = true;
      }
      prev = want;
    });
    expect(differs).toBe(true);
    expect(expectError(run(['predict', '--model', model, '--smoothing', '0.6', wav]), 'predict', 'ERR_USAGE', 2)).toMatch(/--smoothing only applies with --timeline/);
    expect(expectError(run(['predict', '--model', model, '--timeline', '--median', '2', wav]), 'predict', 'ERR_ARGUMENT', 2)).toMatch(/--median/);
  });

  test('evaluate --demo scores the demo corpus and labels the result', () => {
    const e = run(['evaluate', '--model', path.join(out, 'model'), '--demo', '--device', 'cpu', '--json']);
    expect(e.status).toBe(0);
    const j = JSON.parse(e.stdout);
    expect(j.data).toBe('synthetic demo corpus, not real speech');
    expect(j.n).toBeGreaterThan(0);
  });
});

/** A WAV of the demo corpus (generated by the training above in the per-user cache). */
function findDemoClip(): string {
  const demo = path.join(defaultDemoDir(), 'Actor_01');
  const f = fs.readdirSync(demo).find((x) => x.endsWith('.wav'));
  if (!f) throw new Error(`no demo clip in ${demo}`);
  return path.join(demo, f);
}
