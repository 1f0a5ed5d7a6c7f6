// `npm run train:default-model`: trains the model shipped in models/default/ from a committed recipe
// (tools/default-model.recipe.json) on ../shared/data, reproducibly:
//   - a speaker-grouped K-fold ensemble (trainFolds) over the recipe's split ('all': every speaker),
//     calibrated on out-of-fold predictions, float16 weights;
//   - the seed, the recipe and a digest of the data (sha256 of the sorted list of indexed files with
//     their sizes) recorded in the bundle, with the licence of the weights;
//   - optionally (--holdout) first the same recipe with RAVDESS 17-20 + SAVEE JE held out, whose
//     held-out figures and robustness table (speakers never heard) are recorded too;
//   - otherwise the robustness table of the shipped model on those clips (heard in training: labelled so);
//   - test/fixtures/default-model-expected.json: the shipped model's probabilities on a few clips,
//     which test/native/default-model.test.ts checks to 1e-4.
// Overrides for sizing the run: --epochs N --folds K --members M (recorded); --workers N trains folds and
// members side by side. Progress on stderr, a summary on stdout.
//   npm run train:default-model -- --epochs 30 --folds 5 [--members 3] [--workers 2] [--holdout] [--data ../shared/data] [--out models/default]
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { indexDataset } from '../lib/dataset';
import { DEFAULT_MODEL_LICENCE } from '../lib/model/default-model';
import { loadModel } from '../lib/model/model';
import { MODEL_JSON, WEIGHTS_BIN } from '../lib/model/bundle';
import type { DeepPartial, TrainConfig } from '../lib/model/config';
import { percent } from '../lib/metrics/percent';
import { trainFolds, FoldsResult } from '../lib/train/folds';
import { evaluateRobustness, robustnessTable, RobustnessResult } from '../lib/train/robustness';

interface Recipe {
  description: string;
  folds: number;
  seed: number;
  epochs: number;
  split: string;
  dtype: 'float32' | 'float16';
  config: DeepPartial<TrainConfig>;
  /** Full-data members shipped instead of the fold models (trainFolds members; absent or 0: the fold models). */
  members?: number;
  regressionClips: string[];
  /** Clips of one voice (paths under the data folder) whose adapted predictions (predictBatch sameSpeaker) are recorded too, for a model with speakerNorm. */
  regressionVoice?: string[];
}

const repo = path.resolve(__dirname, '..', '..');
export const RECIPE_FILE = path.join(repo, 'tools', 'default-model.recipe.json');
export const EXPECTED_FILE = path.join(repo, 'test', 'fixtures', 'default-model-expected.json');

/** The command line (see the top of this file); an unknown or malformed flag throws (--help prints the flags and exits). */
function args(argv: string[]) {
  return yargs(argv)
    .usage('npm run train:default-model -- [--epochs N] [--folds K] [--members M] [--workers N] [--holdout] [--data DIR] [--out DIR] [--work DIR] [--recipe FILE] [--device D] [--expected FILE]')
    .option('epochs', { type: 'number', describe: "training epochs per fold (default: the recipe's)" })
    .option('folds', { type: 'number', describe: "folds, ensemble members (default: the recipe's)" })
    .option('holdout', { type: 'boolean', default: false, describe: 'first the same recipe with RAVDESS 17-20 + SAVEE JE held out, for figures on unheard speakers' })
    .option('data', { type: 'string', describe: 'data root with ravdess/ and/or savee/ (default: ../shared/data)' })
    .option('out', { type: 'string', describe: 'where the bundle is installed (default: models/default)' })
    .option('work', { type: 'string', describe: 'training output folder (default: tmp/default-model)' })
    .option('recipe', { type: 'string', describe: 'the recipe (default: tools/default-model.recipe.json)' })
    .option('members', { type: 'number', describe: "full-data members shipped instead of the fold models (default: the recipe's, else none)" })
    .option('workers', { type: 'number', default: 0, describe: 'train folds and members in N worker processes side by side (0: one after another in this process)' })
    .option('device', { type: 'string', default: 'cpu', describe: 'cpu, cuda or cuda:N' })
    .option('expected', { type: 'string', describe: 'the regression probabilities to write (default: test/fixtures/default-model-expected.json)' })
    .strict()
    .help()
    .fail((msg, err) => {
      throw err ?? new Error(`${msg} (see --help)`);
    })
    .parseSync();
}

/** sha256 over "relative/path<TAB>bytes" lines of every indexed file, sorted: the data a model was trained on. */
export async function dataDigest(dataRoot: string): Promise<{ sha256: string; files: number; bytes: number }> {
  const r = await indexDataset(corpusDirs(dataRoot).map((d) => path.join(dataRoot, d)));
  const lines = r.items.map((i) => `${path.relative(dataRoot, i.path).split(path.sep).join('/')}\t${fs.statSync(i.path).size}`).sort();
  const bytes = r.items.reduce((a, i) => a + fs.statSync(i.path).size, 0);
  return { sha256: createHash('sha256').update(lines.join('\n')).digest('hex'), files: lines.length, bytes };
}

/** The corpus folders present under the data root (../shared/data has both). */
function corpusDirs(dataRoot: string): string[] {
  return ['ravdess', 'savee'].filter((d) => fs.existsSync(path.join(dataRoot, d)));
}

/** Adds fields to a bundle's model.json (weights untouched), atomically. */
function patchModelJson(dir: string, patch: (meta: Record<string, unknown>) => void): void {
  const file = path.join(dir, MODEL_JSON);
  const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  patch(meta);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** The whole run for command-line arguments (see the top of this file); returns the summary printed on stdout. */
export async function trainDefaultModel(argv: string[]): Promise<string> {
  const a = args(argv);
  const recipeFile = path.resolve(a.recipe ?? RECIPE_FILE);
  const recipe: Recipe = JSON.parse(fs.readFileSync(recipeFile, 'utf8'));
  const dataRoot = path.resolve(a.data ?? path.join(repo, '..', 'shared', 'data'));
  if (corpusDirs(dataRoot).length === 0) throw new Error(`${dataRoot} has neither ravdess/ nor savee/ (give --data DIR, e.g. ../shared/data)`);
  const out = path.resolve(a.out ?? path.join(repo, 'models', 'default'));
  const work = path.resolve(a.work ?? path.join(repo, 'tmp', 'default-model'));
  const expectedFile = path.resolve(a.expected ?? EXPECTED_FILE);
  const epochs = a.epochs ?? recipe.epochs;
  const folds = a.folds ?? recipe.folds;
  const members = a.members ?? recipe.members ?? 0;
  const workers = a.workers;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${a.epochs}`);
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`--folds must be an integer >= 2, got ${a.folds}`);
  const device = a.device;
  const started = Date.now();

  log(`data digest of ${dataRoot} ...`);
  const digest = await dataDigest(dataRoot);
  log(`${digest.files} files, ${digest.bytes} bytes, sha256 ${digest.sha256}`);
  const data = Object.fromEntries(corpusDirs(dataRoot).map((d) => [d, path.join(dataRoot, d)])) as { ravdess?: string; savee?: string };
  const command = `npm run train:default-model -- --epochs ${epochs} --folds ${folds}${members ? ` --members ${members}` : ''}${workers ? ` --workers ${workers}` : ''}${a.holdout ? ' --holdout' : ''}`;
  const audioCache = new Map<string, Float32Array>();
  const progress = (tag: string) => (e: Parameters<NonNullable<Parameters<typeof trainFolds>[0]['onProgress']>>[0]) => {
    const who = e.member ? `member ${e.member}/${e.members}` : `fold ${e.fold}/${e.folds}`;
    if (e.phase === 'epoch') log(`${tag} ${who} epoch ${e.record.epoch}: loss ${e.record.trainLoss.toFixed(3)} val UAR ${percent(e.record.valUar, { missing: '-' })} ${e.record.seconds.toFixed(0)} s${e.best ? ' *' : ''}`);
    else if (e.phase === 'data') log(`${tag} ${who}: ${e.message}`);
  };

  let holdout: { result: FoldsResult; robustness: RobustnessResult } | null = null;
  if (a.holdout) {
    // The protocol run: same recipe, RAVDESS 17-20 + SAVEE JE never heard, for figures on new voices.
    const dir = `${work}-holdout`;
    const result = await trainFolds({ ...data, folds, epochs, seed: recipe.seed, config: recipe.config, split: 'default', dtype: recipe.dtype, members, workers, out: dir, device: device as never, audioCache, onProgress: progress('holdout') });
    const robustness = await evaluateRobustness({ ...data, model: path.join(dir, 'model'), split: 'default', seed: recipe.seed, device: device as never, onProgress: (c) => log(`holdout robustness: ${c}`) });
    holdout = { result, robustness };
    log(`holdout: ensemble UAR ${percent(result.validation!.report.uar)} on ${result.validation!.report.protocol.testSpeakers!.join(', ')}`);
  }

  const result = await trainFolds({
    ...data,
    folds,
    epochs,
    seed: recipe.seed,
    config: recipe.config,
    split: recipe.split,
    dtype: recipe.dtype,
    members,
    workers,
    out: work,
    device: device as never,
    audioCache,
    record: { licence: DEFAULT_MODEL_LICENCE, training: { recipe, recipeFile: path.relative(repo, recipeFile), overrides: { epochs, folds, members }, seed: recipe.seed, dataDigest: digest, command } },
    onProgress: progress('shipped'),
  });
  // Robustness: on unheard speakers from the holdout run when there is one, else the shipped model on the same clips (heard).
  const robustness = holdout?.robustness ?? (await evaluateRobustness({ ...data, model: path.join(work, 'model'), split: 'default', seed: recipe.seed, device: device as never, onProgress: (c) => log(`robustness: ${c}`) }));
  patchModelJson(path.join(work, 'model'), (meta) => {
    const metrics = meta.metrics as Record<string, unknown>;
    metrics.robustness = robustness;
    if (holdout) {
      const v = holdout.result.validation!;
      metrics.holdout = { description: 'the same recipe trained with RAVDESS actors 17-20 and SAVEE JE held out; the ensemble scored on them', validation: v, outOfFold: { uarMean: holdout.result.outOfFold.uarMean, uarStd: holdout.result.outOfFold.uarStd, perFold: holdout.result.folds.map((f) => f.uar) }, calibration: holdout.result.calibration };
      (metrics.summary as Record<string, unknown>).holdout = { uar: v.report.uar, perCorpusUar: Object.fromEntries(Object.entries(v.perCorpus).map(([c, r]) => [c, r.uar])), ece: v.calibration.after.ece, eceCrossFitted: v.calibration.crossFitted, ...(v.adapted ? { adapted: v.adapted } : {}) };
      // The shipped ensemble takes the temperature its twin fitted on speakers it never heard (same
      // recipe, same member count): the out-of-fold one belongs to single fold models.
      if (v.calibration.crossFitted) {
        const c = holdout.result.calibration;
        meta.calibration = { ...c, fittedOn: `the --holdout run's ensemble (same recipe and members, trained without them): ${c.fittedOn}` };
        (metrics.summary as Record<string, unknown>).temperature = c.temperature;
      }
    }
  });

  // Install: copy next to the target, then swap, so a crash never leaves half a model in models/default.
  const staging = `${out}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(path.join(work, 'model'), staging, { recursive: true });
  if (fs.existsSync(out)) fs.rmSync(out, { recursive: true });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.renameSync(staging, out);

  // Expected probabilities for the regression test (the full predict() path: speech detection, trimming, calibration).
  const model = loadModel(out);
  const clips = recipe.regressionClips.map((rel) => {
    const p = model.predict(path.join(dataRoot, rel));
    return { clip: rel, emotion: p.emotion, probabilities: p.probabilities };
  });
  // ...and, for a model that adapts, one voice's clips predicted together as one speaker.
  const voice = model.features.speakerNorm > 0 && recipe.regressionVoice?.length ? recipe.regressionVoice : null;
  const adapted = voice
    ? model.predictBatch(voice.map((rel) => path.join(dataRoot, rel)), { sameSpeaker: true }).map((p, i) => ({ clip: voice[i], emotion: p.emotion, probabilities: p.probabilities, adapted: p.adapted ?? false }))
    : undefined;
  const weightsSha256 = createHash('sha256').update(fs.readFileSync(path.join(out, WEIGHTS_BIN))).digest('hex');
  fs.mkdirSync(path.dirname(expectedFile), { recursive: true });
  fs.writeFileSync(expectedFile, JSON.stringify({ note: `written by ${command}; checked by test/native/default-model.test.ts`, weightsSha256, dataDigest: digest.sha256, clips, ...(adapted ? { adapted } : {}) }, null, 2) + '\n');

  const bytes = fs.readdirSync(out).reduce((s, f) => s + fs.statSync(path.join(out, f)).size, 0);
  const o = result.outOfFold;
  const lines = [
    `default model: ${out} (${folds} members, ${recipe.dtype}, ${(bytes / 1e6).toFixed(1)} MB), trained in ${((Date.now() - started) / 60000).toFixed(0)} min`,
    `out-of-fold UAR ${percent(o.report.uar)} pooled, ${percent(o.uarMean)} ± ${percent(o.uarStd)} over folds (${result.folds.map((f) => percent(f.uar)).join(', ')})`,
    ...Object.entries(o.perCorpus).map(([c, r]) => `  ${c}: UAR ${percent(r.uar)} (${r.n} clips)`),
    ...(result.summary.outOfFoldAdapted ? [`out-of-fold adapted (each speaker's statistics): UAR ${percent((result.summary.outOfFoldAdapted as { mean: number }).mean)} ± ${percent((result.summary.outOfFoldAdapted as { std: number }).std)} over folds`] : []),
    holdout?.result.validation?.calibration.crossFitted
      ? `temperature ${holdout.result.calibration.temperature.toFixed(3)} (the holdout ensemble's); held-out ECE ${percent(holdout.result.calibration.eceBefore)} → ${percent(holdout.result.calibration.eceAfter)} (each held-out speaker at the temperature fitted on the others)`
      : `temperature ${result.calibration.temperature.toFixed(3)}; ECE ${percent(result.calibration.eceBefore)} → ${percent(result.calibration.eceAfter)} (out-of-fold, single fold models)`,
    holdout ? `holdout ensemble (speakers never heard): UAR ${percent(holdout.result.validation!.report.uar)}${Object.entries(holdout.result.validation!.perCorpus).map(([c, r]) => `, ${c} ${percent(r.uar)}`).join('')}${holdout.result.validation!.adapted ? `; adapted ${percent(holdout.result.validation!.adapted.uar)}` : ''}` : 'no --holdout run: held-out figures not measured',
    '',
    `robustness (${robustness.protocol.name}: ${robustness.protocol.description}):`,
    robustnessTable(robustness),
    '',
    `wrote ${path.relative(repo, expectedFile)}; next: npm run model-card`,
  ];
  return lines.join('\n');
}

if (require.main === module) {
  trainDefaultModel(process.argv.slice(2)).then((summary) => process.stdout.write(summary + '\n')).catch((e) => {
    process.stderr.write(`train:default-model: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
