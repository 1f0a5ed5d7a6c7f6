// The accuracy cost of an inference precision, out of fold: each fold model of a `train --folds` run
// scores the speakers it never heard (its fold's, from the run's metrics.json) in float32 and in
// bfloat16; per fold and pooled UAR for both, the paired difference, and how often the two agree.
//
//   node dist/tools/oof-precision.js RUN_DIR [--ravdess DIR] [--savee DIR] [--json]
//
// RUN_DIR is the --out folder of `train --folds` (or tmp/default-model of `npm run train:default-model`).
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadModel, INFERENCE_PRECISIONS } from '../lib/model/model';
import { loadAudio, resolveData } from '../lib/train/data';
import { argmax } from '../lib/metrics/probabilities';
import { classificationReport } from '../lib/metrics/classification';
import { meanStd } from '../lib/metrics/summary';

interface FoldRow {
  fold: number;
  speakers: string[];
  clips: number;
  uar: Record<string, number>;
  agreement: number;
  maxProbabilityDifference: number;
}

async function main(): Promise<void> {
  const a = yargs(hideBin(process.argv))
    .usage('$0 RUN_DIR [--ravdess DIR] [--savee DIR] [--json]')
    .demandCommand(1, 1, 'give the --out folder of a `train --folds` run')
    .option('ravdess', { type: 'string', default: '../shared/data/ravdess' })
    .option('savee', { type: 'string', default: '../shared/data/savee' })
    .option('json', { type: 'boolean', default: false })
    .strict()
    .parseSync();
  const run = String(a._[0]);
  const metricsFile = path.join(run, 'metrics.json');
  if (!fs.existsSync(metricsFile)) throw new Error(`${metricsFile} not found: RUN_DIR must be the --out folder of a finished \`train --folds\` run`);
  const metrics = JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as { folds: { fold: number; speakers: string[] }[] };
  const data = await resolveData({ ravdess: a.ravdess, savee: a.savee });
  const rows: FoldRow[] = [];
  const pooled: Record<string, { yTrue: number[]; yPred: number[] }> = {};
  let labels: string[] = [];
  for (const f of metrics.folds) {
    const dir = path.join(run, 'folds', `fold-${f.fold}`, 'model');
    const probs: Record<string, Float32Array> = {};
    let yTrue: number[] = [];
    for (const precision of INFERENCE_PRECISIONS) {
      const model = loadModel(dir, { precision });
      labels = model.labels;
      const items = data.items.filter((i) => f.speakers.includes(i.speaker) && labels.includes(i.emotion));
      const audio = loadAudio(items, model.features.logMel.sampleRate);
      yTrue = audio.items.map((i) => labels.indexOf(i.emotion));
      probs[precision] = await model.probabilitiesAsync(audio.clips, { calibrated: false });
    }
    const uar: Record<string, number> = {};
    const preds: Record<string, number[]> = {};
    for (const p of INFERENCE_PRECISIONS) {
      preds[p] = argmax(probs[p], labels.length);
      uar[p] = classificationReport(yTrue, preds[p], labels, { name: 'speaker-independent', description: `fold ${f.fold}` }).uar;
      (pooled[p] ??= { yTrue: [], yPred: [] }).yTrue.push(...yTrue);
      pooled[p].yPred.push(...preds[p]);
    }
    const [p32, p16] = INFERENCE_PRECISIONS;
    const agreement = preds[p32].filter((v, i) => v === preds[p16][i]).length / yTrue.length;
    const maxProbabilityDifference = probs[p32].reduce((m, v, i) => Math.max(m, Math.abs(v - probs[p16][i])), 0);
    rows.push({ fold: f.fold, speakers: f.speakers, clips: yTrue.length, uar, agreement, maxProbabilityDifference });
    process.stderr.write(`fold ${f.fold}: ${yTrue.length} clips, UAR float32 ${(100 * uar.float32).toFixed(1)} bfloat16 ${(100 * uar.bfloat16).toFixed(1)}, agreement ${(100 * agreement).toFixed(1)} %\n`);
  }
  const diff = rows.map((r) => 100 * (r.uar.bfloat16 - r.uar.float32));
  const summary = {
    run,
    folds: rows,
    pooledUar: Object.fromEntries(INFERENCE_PRECISIONS.map((p) => [p, classificationReport(pooled[p].yTrue, pooled[p].yPred, labels, { name: 'speaker-independent', description: 'pooled' }).uar])),
    differencePoints: meanStd(diff),
  };
  if (a.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else process.stdout.write(`bfloat16 − float32, out-of-fold UAR: ${summary.differencePoints.mean.toFixed(2)} ± ${summary.differencePoints.std.toFixed(2)} points over ${rows.length} folds; pooled ${(100 * summary.pooledUar.float32).toFixed(1)} → ${(100 * summary.pooledUar.bfloat16).toFixed(1)}\n`);
}

main().catch((e) => {
  process.stderr.write(`oof-precision: ${(e as Error).message}\n`);
  process.exit(1);
});
