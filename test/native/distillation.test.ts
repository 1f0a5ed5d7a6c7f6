// Knowledge distillation (issue 26): the soft-target term of the native loss (native/trainer.cc), the
// teacher table of the native TrainingSet, and train({ teacher }) end to end on the demo corpus: a
// student distilled from an ensemble agrees with it more often than the same student on labels alone.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { argmax } from '../../lib/metrics';
import { readBundle } from '../../lib/model/bundle';
import { resolveTrainConfig, TrainConfig } from '../../lib/model/config';
import { loadModel } from '../../lib/model/model';
import { loadAudio, resolveData } from '../../lib/train/data';
import { trainFolds } from '../../lib/train/folds';
import { train, TrainOptions, TrainResult } from '../../lib/train/train';
import { fixed } from '../helpers/tiny-recipe';
import { windowFrames } from '../../lib/model/features';
import { NativeModel } from '../../lib/model/native-model';
import type { EpochRequest } from '../../lib/binding';
import { Rng } from '../../lib/random';
import { planTrainingEpoch } from '../../lib/train/plan';
import { exportOnnx } from '../../lib/export/onnx';
import { runOrt } from '../helpers/ort';

// The epoch pipeline's small recipe (test/native/epoch-pipeline.test.ts): 32 mels, 1 s crops, noise, warps, masks.
const config: TrainConfig = resolveTrainConfig({
  features: { logMel: { nMels: 32 }, clipSeconds: 1 },
  architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 },
  noise: { kind: 'onTheFly', p: 0.5, snrDb: [5, 20] },
  specAugment: { freqMasks: 1, freqMaskWidth: 6, timeMasks: 1, timeMaskWidth: 20 },
  warp: { time: 0.1, freq: 0.08 },
  batchSize: 4,
  seed: 5,
});
const f = config.features;
const len = windowFrames(f);
const K = 3;

function clips(n: number): Float32Array[] {
  const rng = new Rng(3);
  return Array.from({ length: n }, (_, i) => {
    const a = new Float32Array(Math.round(16000 * (0.8 + 0.8 * rng.float())));
    const f0 = 100 + 20 * i;
    for (let t = 0; t < a.length; t++) a[t] = 0.2 * Math.sin((2 * Math.PI * f0 * t) / 16000) * (1 + 0.5 * Math.sin(t / 900)) + 0.01 * rng.normal();
    return a;
  });
}
const audio = clips(10);
const labels = Int32Array.from(audio, (_, i) => i % K);
const oneHot = new Float32Array(audio.length * K).map((_, j) => (labels[Math.floor(j / K)] === j % K ? 1 : 0));
// A teacher that is not the labels: softmax of seeded random logits.
const soft = (() => {
  const rng = new Rng(11);
  const q = new Float32Array(audio.length * K);
  for (let i = 0; i < audio.length; i++) {
    const e = Array.from({ length: K }, () => Math.exp(2 * rng.normal()));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (q[i * K + k] = v / s));
  }
  return q;
})();

/** A fresh network on the clips (same seed every time), with or without a teacher table. */
function model(teacher?: Float32Array, plain = false): { net: NativeModel; frames: Int32Array } {
  const net = new NativeModel(config.architecture, f.logMel.nMels, K, 'cpu', 1);
  const set = net.setTrainingData(audio, labels, f.logMel, { utteranceNorm: f.utteranceNorm, teacher, windowFrames: len, padSamples: Math.round(f.clipSeconds * f.logMel.sampleRate) });
  net.setNormalization(set.mean, set.std);
  // The recipe's label smoothing and balanced-looking class weights, or (plain) neither.
  net.configureOptimizer(plain ? { ...config.optimizer, labelSmoothing: 0 } : config.optimizer, plain ? null : Float32Array.from([0.8, 1, 1.3]));
  return { net, frames: set.frames };
}

const request = (o: Partial<EpochRequest> = {}): EpochRequest => ({ batchSize: 4, seed: 9, ...config.specAugment, mixupAlpha: 0, ...o });

/** Two seeded epochs; the losses and every weight after them. */
async function run(teacher: Float32Array | undefined, o: Partial<EpochRequest>, plain = false, lr?: number) {
  const { net, frames } = model(teacher, plain);
  if (lr !== undefined) net.setLearningRate(lr);
  const losses: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) losses.push((await net.trainPlannedEpoch(planTrainingEpoch(config, epoch, frames, len), request({ ...o, seed: 9 + epoch }))).loss);
  return { losses, weights: net.getState().map((t) => t.data) };
}

describe('the loss', () => {
  test.each([0, 0.4])('teacherWeight 0 is the labels-only run bit for bit (mixupAlpha %p)', async (mixupAlpha) => {
    const labelsOnly = await run(undefined, { mixupAlpha });
    const withTeacher = await run(soft, { mixupAlpha, teacherWeight: 0 });
    expect(withTeacher.losses).toEqual(labelsOnly.losses);
    expect(withTeacher.weights).toEqual(labelsOnly.weights);
    // ...and the teacher's probabilities are used as soon as they weigh anything.
    expect((await run(soft, { mixupAlpha, teacherWeight: 0.5 })).losses[0]).not.toBe(labelsOnly.losses[0]);
  }, 60000);

  test.each([0, 0.4])('teacherWeight 1 on one-hot labels is plain cross-entropy (mixupAlpha %p)', async (mixupAlpha) => {
    const ce = await run(undefined, { mixupAlpha }, true);
    const distilled = await run(oneHot, { mixupAlpha, teacherWeight: 1 }, true);
    for (let e = 0; e < 2; e++) expect(Math.abs(distilled.losses[e] - ce.losses[e])).toBeLessThan(1e-6);
  }, 60000);

  test('the loss is (1 − α)·CE(labels) + α·CE(teacher), label smoothing and class weights kept in the first term', async () => {
    // A learning rate of 1e-30 leaves every float32 weight as it was, so every α sees the same logits
    // (dropout is seeded per epoch) and the loss is linear in α.
    const at = async (teacherWeight: number) => (await run(soft, { teacherWeight }, false, 1e-30)).losses;
    // One after another: dropout follows LibTorch's process-wide generator, seeded at each epoch's start.
    const l0 = await at(0);
    const l1 = await at(1);
    const l3 = await at(0.3);
    for (let e = 0; e < 2; e++) expect(Math.abs(l3[e] - (0.7 * l0[e] + 0.3 * l1[e]))).toBeLessThan(1e-6);
    expect(Math.abs(l1[0] - l0[0])).toBeGreaterThan(1e-3);
  }, 60000);
});

describe('clear errors at the boundary', () => {
  const features = (teacher: Float32Array) => ({ utteranceNorm: true, teacher, windowFrames: len, padSamples: 16000 });
  const net = () => new NativeModel(config.architecture, f.logMel.nMels, K, 'cpu', 1);

  test('a teacher table of the wrong size, not probabilities, or not finite', () => {
    const expectError = (teacher: Float32Array, message: RegExp) => {
      let error: unknown;
      try {
        net().setTrainingData(audio, labels, f.logMel, features(teacher));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(message) });
    };
    expectError(soft.subarray(1), /featureOptions\.teacher must hold clips × nClasses = 30 values, not 29/);
    expectError(soft.map((v, j) => (j === 7 ? v + 0.2 : v)), /teacher row 2 sums to 1\.2\d*, not 1/);
    expectError(soft.map((v, j) => (j === 4 ? NaN : v)), /teacher contains NaN or Infinity/);
    expectError(oneHot.map((v, j) => (j === 9 ? 2 : j === 10 ? -1 : v)), /teacher row 3 has a negative probability/);
  });

  test('teacherWeight outside [0, 1], or above 0 without a teacher', async () => {
    const { net: withTeacher, frames } = model(soft);
    const plan = planTrainingEpoch(config, 0, frames, len);
    for (const w of [-0.1, 1.5, NaN]) await expect(withTeacher.trainPlannedEpoch(plan, request({ teacherWeight: w }))).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacherWeight/) });
    const { net: without } = model();
    await expect(without.trainPlannedEpoch(plan, request({ teacherWeight: 0.5 }))).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/teacherWeight > 0 needs the teacher's probabilities: pass featureOptions\.teacher/) });
    const features = new Float32Array(2 * f.logMel.nMels * len);
    await expect(without.trainEpoch(features, Int32Array.from([0, 1]), len, request({ teacherWeight: 0.5 }))).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/teacherWeight must be 0 in trainEpoch/) });
  });
});

describe('train({ teacher })', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-distil-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // 4 emotions, 10 synthetic actors; the last two are heard by no model and judge the agreement.
  const data = { demo: { actors: 10, emotions: ['neutral' as const, 'happy' as const, 'sad' as const, 'angry' as const], seconds: 1.5 }, demoDir: path.join(tmp, 'demo') };
  const held = ['demo:09', 'demo:10'];
  const split = { mode: 'speakers' as const, test: held };
  const teacherDir = path.join(tmp, 'teacher');
  // The student: the tiny recipe on every other speaker, exactly 6 epochs (no validation: the last epoch is the model).
  const student = (out: string, o: Partial<TrainOptions> = {}): Promise<TrainResult> => train({ ...data, split, validation: 'none', epochs: 6, seed: 2, config: fixed, device: 'cpu', out: path.join(tmp, out), ...o });
  let heldClips: Float32Array[];
  let teacherPred: number[];
  let labelsOnly: TrainResult;
  let distilled: TrainResult;

  beforeAll(async () => {
    // The teacher: a 3-member ensemble (trainFolds' fold models) of the same tiny network, calibrated out of fold.
    await trainFolds({ ...data, folds: 3, split, epochs: 5, seed: 1, config: fixed, device: 'cpu', out: teacherDir });
    const items = (await resolveData(data)).items.filter((i) => held.includes(i.speaker));
    heldClips = loadAudio(items, 16000).clips;
    const teacher = loadModel(teacherDir);
    teacherPred = argmax(await teacher.probabilitiesAsync(heldClips), teacher.labels.length);
    labelsOnly = await student('labels');
    distilled = await student('distilled', { teacher: teacherDir }); // teacherWeight 0.5, the default
  }, 300000);

  const agreement = async (r: TrainResult): Promise<number> => {
    const m = loadModel(r.out!);
    const pred = argmax(await m.probabilitiesAsync(heldClips), m.labels.length);
    return pred.filter((p, i) => p === teacherPred[i]).length / pred.length;
  };

  test('the distilled student agrees with its teacher on held-out speakers more often than the same student on labels alone', async () => {
    const withTeacher = await agreement(distilled);
    const alone = await agreement(labelsOnly);
    // Seeds 2, 3 and 4 gave 0.70 against 0.59, 0.77 against 0.66, 0.66 against 0.50 (56 clips).
    expect({ withTeacher, alone, better: withTeacher > alone }).toMatchObject({ better: true });
  });

  test('teacherWeight 0 trains the labels-only run bit for bit', async () => {
    const zero = await student('zero', { teacher: teacherDir, teacherWeight: 0 });
    expect(zero.history.map((h) => h.trainLoss)).toEqual(labelsOnly.history.map((h) => h.trainLoss));
    expect(readBundle(zero.out!).state).toEqual(readBundle(labelsOnly.out!).state);
  }, 120000);

  test('the distilled student exports to ONNX and onnxruntime matches ser-native within 1e-4 on the held-out clips', () => {
    const file = path.join(tmp, 'student.onnx');
    const r = exportOnnx(distilled.out!, file);
    const n = r.input.shape[1] as number;
    const clips = heldClips.slice(0, 8).map((c) => { const x = new Float32Array(n); x.set(c.subarray(0, n)); return x; });
    const batch = new Float32Array(clips.length * n);
    clips.forEach((c, i) => batch.set(c, i * n));
    const onnx = runOrt(file, 'samples', batch, [clips.length, n]).probabilities;
    const ours = loadModel(distilled.out!).probabilities(clips);
    expect(onnx.length).toBe(ours.length);
    expect(Math.max(...ours.map((p, i) => Math.abs(p - onnx[i])))).toBeLessThan(1e-4);
  });

  test("the student's bundle and metrics.json record the teacher: its folder, the weight, its labels", () => {
    const record = { path: teacherDir, weight: 0.5, labels: ['neutral', 'happy', 'sad', 'angry'], members: 3, temperature: expect.any(Number) };
    expect(distilled.teacher).toEqual(record);
    expect(readBundle(distilled.out!).meta.training).toMatchObject({ teacher: record });
    expect(JSON.parse(fs.readFileSync(path.join(distilled.out!, 'metrics.json'), 'utf8'))).toMatchObject({ teacher: record });
    expect(labelsOnly.teacher).toBeNull();
    expect(readBundle(labelsOnly.out!).meta.training).not.toHaveProperty('teacher');
  });

  test('fold-wise teachers (teacherFolds): fold i learns from the teacher run\'s fold-i model, which never heard its speakers; members from the shipped ensemble', async () => {
    const out = path.join(tmp, 'fold-wise');
    const r = await trainFolds({ ...data, folds: 3, split, epochs: 2, seed: 1, config: fixed, device: 'cpu', out, teacher: teacherDir, teacherFolds: true, members: 1, memberEpochs: 1 });
    const teacherFolds = readBundle(teacherDir).meta.training!.folds as { speakers: string[] }[];
    for (let i = 0; i < 3; i++) {
      const student = readBundle(path.join(out, 'folds', `fold-${i + 1}`, 'model')).meta.training as { teacher: { path: string } };
      const teacherFold = path.join(teacherDir, 'folds', `fold-${i + 1}`, 'model');
      expect(student.teacher.path).toBe(teacherFold);
      // The fold's teacher was trained without the student's held-out speakers of that fold.
      const heard = (readBundle(teacherFold).meta.training as { split: { train: { speakers: string[] } } }).split.train.speakers;
      expect(r.folds[i].speakers).toEqual(teacherFolds[i].speakers);
      expect(heard.filter((sp) => r.folds[i].speakers.includes(sp))).toEqual([]);
    }
    const member = readBundle(path.join(out, 'members', 'member-1', 'model')).meta.training as { teacher: { path: string; members: number } };
    expect(member.teacher).toMatchObject({ path: path.join(teacherDir, 'model'), members: 3 });
    expect(readBundle(out).meta.training).toMatchObject({ teacherFolds: { run: teacherDir, members: path.join(teacherDir, 'model') } });
  }, 180000);

  test('fold-wise teachers: other folds, another fold count or a run without folds is refused before any training', async () => {
    const opts = { ...data, split, epochs: 1, config: fixed, device: 'cpu' as const, teacher: teacherDir, teacherFolds: true };
    // Another seed groups the speakers into other folds: the teacher heard some of each fold's speakers.
    await expect(trainFolds({ ...opts, folds: 3, seed: 7, out: path.join(tmp, 'tf1') })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/with options\.teacherFolds: fold 1 holds out .* here but .* in the teacher; give the --out folder of a `train --folds` run with the same data, --folds, --seed and --split/) });
    await expect(trainFolds({ ...opts, folds: 2, seed: 1, out: path.join(tmp, 'tf2') })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/the teacher has 3 folds, this run 2/) });
    await expect(trainFolds({ ...opts, folds: 3, seed: 1, teacher: labelsOnly.out!, out: path.join(tmp, 'tf3') })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/records no folds \(it is not a `train --folds` run\)/) });
    await expect(trainFolds({ ...opts, folds: 3, seed: 1, teacher: undefined, out: path.join(tmp, 'tf4') })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacherFolds needs options\.teacher/) });
    for (const d of ['tf1', 'tf2', 'tf3', 'tf4']) expect(fs.existsSync(path.join(tmp, d, 'folds'))).toBe(false);
  }, 60000);

  test('clear errors: a folder that is not a model, a teacher without one of the classes or at another sample rate, teacherWeight outside [0, 1]', async () => {
    const empty = path.join(tmp, 'not-a-model');
    fs.mkdirSync(empty);
    await expect(student('e1', { teacher: empty })).rejects.toMatchObject({ code: 'ERR_MODEL', message: expect.stringMatching(/^options\.teacher: .*not-a-model is not a usable ser-native model bundle: model\.json is missing/) });
    // 'sad' heard as 'calm': the student has a class the teacher never learnt.
    await expect(student('e2', { teacher: teacherDir, labelMap: 'sad=calm' })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacher \(.*teacher\) has no class 'calm' \(its labels: neutral, happy, sad, angry\); give a teacher trained on every class/) });
    // The same teacher, said to take 22.05 kHz audio.
    const other = path.join(tmp, 'teacher-22k');
    fs.cpSync(path.join(teacherDir, 'model'), other, { recursive: true });
    const json = JSON.parse(fs.readFileSync(path.join(other, 'model.json'), 'utf8'));
    json.features.logMel.sampleRate = 22050;
    fs.writeFileSync(path.join(other, 'model.json'), JSON.stringify(json));
    await expect(student('e6', { teacher: other })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacher \(.*teacher-22k\) takes audio at 22050 Hz but this run's features are at 16000 Hz/) });
    for (const w of [1.5, -0.5]) await expect(student('e3', { teacher: teacherDir, teacherWeight: w })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: `Expected number in [0, 1] for options.teacherWeight but received ${w} of type number` });
    await expect(student('e4', { teacherWeight: 0.5 })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacherWeight needs options\.teacher/) });
    await expect(student('e5', { teacher: teacherDir, pipeline: 'js' })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacher needs options\.pipeline 'native'/) });
    await expect(trainFolds({ ...data, folds: 3, split, epochs: 1, config: fixed, teacher: teacherDir, teacherWeight: 2 })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', message: expect.stringMatching(/options\.teacherWeight/) });
    for (const e of ['e1', 'e3', 'e4', 'e5', 'e6']) expect(fs.existsSync(path.join(tmp, e, 'model'))).toBe(false);
  }, 120000);
});
