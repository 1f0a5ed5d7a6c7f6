// `npm run train:default-model` end to end on a tiny synthetic corpus (2 folds, 1 epoch, a small
// network): the bundle records recipe, seed, data digest and licence, installs atomically, and the
// expected-values file it writes passes the regression comparison.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDemoCorpus } from '../../lib/demo/corpus';
import { dataDigest, trainDefaultModel } from '../../tools/train-default-model';
import { renderModelCard, TBM } from '../../tools/model-card';
import { compareWithExpected, Expected } from '../helpers/expected-probabilities';
import { fixed } from '../helpers/tiny-recipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-default-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dataRoot = path.join(tmp, 'data');
const out = path.join(tmp, 'models', 'default');
const expectedFile = path.join(tmp, 'expected.json');

test('trains, records, installs and writes expected values that the regression check accepts', async () => {
  const demo = ensureDemoCorpus(path.join(dataRoot, 'ravdess'), { actors: 6, emotions: ['neutral', 'angry'], seconds: 1.5 });
  const actor = fs.readdirSync(demo.dir).filter((d) => d.startsWith('Actor_')).sort()[0];
  const voice = fs.readdirSync(path.join(demo.dir, actor)).filter((f) => f.endsWith('.wav')).sort().map((f) => `ravdess/${actor}/${f}`);
  const clips = voice.slice(0, 3);
  const recipe = path.join(tmp, 'recipe.json');
  // A recipe that adapts, so the expected values hold one voice's adapted predictions too.
  const config = { ...fixed, features: { ...fixed.features, speechStats: true, speakerNorm: 0.5 } };
  fs.writeFileSync(recipe, JSON.stringify({ description: 'tiny test recipe', folds: 3, seed: 3, epochs: 1, split: 'all', dtype: 'float16', config, regressionClips: clips, regressionVoice: voice }));
  const summary = await trainDefaultModel(['--recipe', recipe, '--data', dataRoot, '--out', out, '--work', path.join(tmp, 'work'), '--expected', expectedFile, '--folds', '2']);
  expect(summary).toMatch(/default model: .* \(2 members, float16/);
  expect(summary).toMatch(/out-of-fold UAR .* ± /);
  expect(summary).toMatch(/robustness \(speaker-dependent/);

  const meta = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
  const digest = await dataDigest(dataRoot);
  expect(meta.training).toMatchObject({ seed: 3, overrides: { folds: 2, epochs: 1 }, dataDigest: digest, recipe: { description: 'tiny test recipe' } });
  expect(meta.training.command).toBe('npm run train:default-model -- --epochs 1 --folds 2');
  expect(meta.licence).toMatch(/Non-commercial use only.*RAVDESS \(CC BY-NC-SA 4\.0\).*SAVEE/);
  expect(meta.members).toHaveLength(2);
  expect(meta.metrics.robustness.rows.map((r: { condition: string }) => r.condition)).toContain('babble-5dB');
  expect(fs.readdirSync(path.dirname(out))).toEqual(['default']);

  const expected: Expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
  expect(expected.clips.map((c) => c.clip)).toEqual(clips);
  const r = compareWithExpected(out, expected, dataRoot);
  expect(r).toMatchObject({ compared: 3, sameWeights: true });
  expect(r.worst).toBeLessThan(1e-4);
  expect(expected.adapted!.map((c) => c.clip)).toEqual(voice);
  expect(r.worstAdapted).toBeLessThan(1e-4);
  // The model card takes its figures from the bundle; the holdout run (not made here) is said to be not measured.
  const card = renderModelCard(meta);
  const oof = meta.metrics.summary.outOfFoldUar;
  expect(card).toContain(`**${(100 * oof.mean).toFixed(1)}% ± ${(100 * oof.std).toFixed(1)}%**`);
  const adapted = meta.metrics.summary.outOfFoldAdapted;
  expect(card).toContain(`**Adapted** (each speaker normalised with the statistics of all of their clips, as a session does once it has heard enough): UAR **${(100 * adapted.mean).toFixed(1)}% ± ${(100 * adapted.std).toFixed(1)}%**`);
  expect(card).toContain(digest.sha256);
  expect(card).toMatch(/\| babble-5dB \|/);
  expect(card).not.toContain(TBM);
  expect(card).toContain('Not measured for this model: it was trained without the `--holdout` run');
  expect(card).toContain('npm run train:default-model -- --epochs 1 --folds 2   #');
  expect(renderModelCard(null).split(TBM).length).toBeGreaterThan(8);
  // The comparison can fail: a changed expectation is caught.
  expected.clips[0].probabilities![Object.keys(expected.clips[0].probabilities!)[0]] += 1e-3;
  expected.adapted![1].probabilities![Object.keys(expected.adapted![1].probabilities!)[0]] += 1e-3;
  const changed = compareWithExpected(out, expected, dataRoot);
  expect(changed.worst).toBeGreaterThan(1e-4);
  expect(changed.worstAdapted).toBeGreaterThan(1e-4);
}, 900000);

test('the data digest is stable and follows the files', async () => {
  const a = await dataDigest(dataRoot);
  expect(await dataDigest(dataRoot)).toEqual(a);
  const actor = fs.readdirSync(path.join(dataRoot, 'ravdess')).filter((d) => d.startsWith('Actor_')).sort()[0];
  const f = path.join(dataRoot, 'ravdess', actor, fs.readdirSync(path.join(dataRoot, 'ravdess', actor)).filter((x) => x.endsWith('.wav'))[0]);
  fs.rmSync(f);
  expect((await dataDigest(dataRoot)).sha256).not.toBe(a.sha256);
});
