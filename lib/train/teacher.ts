// Knowledge distillation (issue 26): the soft targets of a training run. A teacher (any model bundle,
// e.g. an ensemble from `train --folds`) scores every training clip once, clean, at its calibrated
// temperature; its probabilities are mapped to the student's label order by name and handed to the
// native TrainingSet with the clips (epoch-data.ts), where the loss mixes them with the labels
// (native/trainer.cc: (1−α)·CE(labels) + α·CE(teacher), α = teacherWeight).
import * as fs from 'fs';
import * as path from 'path';
import { SerNativeError } from '../errors';
import * as is from '../is';
import { MODEL_JSON } from '../model/bundle';
import type { FeatureConfig } from '../model/config';
import { loadModel, type EmotionModel } from '../model/model';

/** What the student's bundle records about its teacher (training.teacher). */
export interface TeacherRecord {
  /** The teacher's folder, as given. */
  path: string;
  /** α, the share of the loss on the teacher's probabilities. */
  weight: number;
  /** The teacher's labels, in its own order (the student's are mapped to them by name). */
  labels: string[];
  /** Members of the teacher (1 for a single model). */
  members: number;
  /** The temperature its probabilities were taken at (null: an uncalibrated teacher, plain softmax). */
  temperature: number | null;
}

export interface TeacherTargets {
  /** [clips·studentClasses], row-major, rows summing to 1: the soft targets (TrainingFeatures.teacher). */
  probs: Float32Array;
  record: TeacherRecord;
}

/** Default α: half the loss on the labels, half on the teacher. */
export const DEFAULT_TEACHER_WEIGHT = 0.5;

/** Clips per call to the teacher: probabilitiesAsync batches at most this many anyway (lib/model/inference-queue.ts). */
const CHUNK = 64;

/** Checks options.teacher and options.teacherWeight; null without a teacher. */
export function checkTeacherOptions(o: { teacher?: unknown; teacherWeight?: unknown }): { dir: string; weight: number } | null {
  if (o.teacher === undefined) {
    if (o.teacherWeight !== undefined) throw is.invalidArgument('options.teacherWeight needs options.teacher (the model folder whose probabilities the student learns from)');
    return null;
  }
  if (typeof o.teacher !== 'string' || o.teacher === '') throw is.invalidParameterError('options.teacher', 'a model folder (a bundle, or a training run\'s --out folder)', o.teacher);
  const weight = o.teacherWeight === undefined ? DEFAULT_TEACHER_WEIGHT : is.number('options.teacherWeight', o.teacherWeight, { min: 0, max: 1 });
  return { dir: o.teacher, weight };
}

/** A checked teacher: its folder, α and the loaded model. */
export interface Teacher {
  dir: string;
  weight: number;
  model: EmotionModel;
}

/**
 * Checks options.teacher and options.teacherWeight and loads the teacher (null without one): before
 * any data is read, so a folder that is not a model (ERR_MODEL) or a teacher at another sample rate
 * fails at once. Whether it knows the run's classes is checked with them (teacherTargets).
 */
export function openTeacher(o: { teacher?: unknown; teacherWeight?: unknown }, features: FeatureConfig, device: string): Teacher | null {
  const t = checkTeacherOptions(o);
  if (!t) return null;
  let model: EmotionModel;
  try {
    model = loadModel(t.dir, { device: device as is.Device });
  } catch (e) {
    if (e instanceof SerNativeError) throw new SerNativeError(e.code, `options.teacher: ${e.message}`);
    throw e;
  }
  const rate = model.features.logMel.sampleRate;
  if (rate !== features.logMel.sampleRate) throw is.invalidArgument(`options.teacher (${t.dir}) takes audio at ${rate} Hz but this run's features are at ${features.logMel.sampleRate} Hz; give a teacher with the same sample rate, or train with config.features.logMel.sampleRate ${rate}`);
  return { ...t, model };
}

/**
 * The teacher's calibrated probabilities for each clip (decoded at the student's feature rate, which
 * is the teacher's), in the student's label order, matched by name. Classes the student does not have
 * are dropped and each row renormalised (the teacher's distribution given that the clip is one of
 * the student's classes).
 */
export async function teacherTargets(teacher: Teacher, clips: Float32Array[], studentLabels: readonly string[]): Promise<TeacherTargets> {
  const { dir, weight, model } = teacher;
  const missing = studentLabels.filter((l) => !model.labels.includes(l));
  if (missing.length > 0) throw is.invalidArgument(`options.teacher (${dir}) has no class ${missing.map((l) => `'${l}'`).join(', ')} (its labels: ${model.labels.join(', ')}); give a teacher trained on every class of this run, or map the labels with --label-map`);
  const K = studentLabels.length;
  const T = model.labels.length;
  const column = studentLabels.map((l) => model.labels.indexOf(l));
  const probs = new Float32Array(clips.length * K);
  for (let start = 0; start < clips.length; start += CHUNK) {
    const rows = await model.probabilitiesAsync(clips.slice(start, start + CHUNK));
    for (let i = 0; i * T < rows.length; i++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += rows[i * T + column[k]];
      // A teacher sure of a class the student lacks leaves no mass here: then it says nothing (uniform).
      for (let k = 0; k < K; k++) probs[(start + i) * K + k] = sum > 1e-12 ? rows[i * T + column[k]] / sum : 1 / K;
    }
  }
  return { probs, record: { path: dir, weight, labels: model.labels, members: model.members, temperature: model.calibration?.temperature ?? null } };
}

/** The teachers of a distilled `trainFolds` with fold-wise teachers: one per fold, and the members'. */
export interface FoldTeachers {
  /** folds[i]: the teacher run's fold-(i+1) model, which never heard this run's fold i+1 speakers. */
  folds: string[];
  /** The teacher run's shipped ensemble, for full-data members (every pool speaker is theirs). */
  members: string;
}

/**
 * Fold-wise teachers (trainFolds with teacherFolds): `dir` is the out folder of an earlier
 * `train --folds K` run over the same speakers; the student's fold i learns from the teacher's fold-i
 * model, which was trained on exactly the student's fold-i training speakers, so the student's
 * out-of-fold figures stay honest (a teacher that heard a fold's speakers would leak their labels).
 * Its folds must hold the same speakers as this run's (same data, --folds, --seed and --split).
 */
export function foldTeachers(dir: string, foldSpeakers: string[][]): FoldTeachers {
  const where = `options.teacher (${dir}) with options.teacherFolds`;
  const fix = 'give the --out folder of a `train --folds` run with the same data, --folds, --seed and --split as this one';
  const json = path.join(dir, 'model', MODEL_JSON);
  if (!fs.existsSync(json)) throw is.invalidArgument(`${where}: ${json} is missing; ${fix}`);
  let folds: { fold: number; speakers: string[] }[] | undefined;
  try {
    folds = JSON.parse(fs.readFileSync(json, 'utf8')).training?.folds;
  } catch (e) {
    throw new SerNativeError('ERR_MODEL', `${where}: ${json} is not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(folds)) throw is.invalidArgument(`${where}: ${json} records no folds (it is not a \`train --folds\` run); ${fix}`);
  if (folds.length !== foldSpeakers.length) throw is.invalidArgument(`${where}: the teacher has ${folds.length} folds, this run ${foldSpeakers.length}; ${fix}`);
  const key = (s: string[]) => [...s].sort().join(',');
  foldSpeakers.forEach((speakers, i) => {
    const theirs = folds![i]?.speakers ?? [];
    if (key(theirs) !== key(speakers)) throw is.invalidArgument(`${where}: fold ${i + 1} holds out ${key(speakers)} here but ${key(theirs)} in the teacher; ${fix}`);
  });
  const perFold = foldSpeakers.map((_, i) => path.join(dir, 'folds', `fold-${i + 1}`, 'model'));
  for (const f of perFold) if (!fs.existsSync(path.join(f, MODEL_JSON))) throw is.invalidArgument(`${where}: ${f} is missing (the teacher's fold models stay in its out folder); ${fix}`);
  return { folds: perFold, members: path.join(dir, 'model') };
}
