// Step 1 of train(): what the run needs before its epochs, computed once — the data and its speaker
// split, the decoded audio of the training clips, and the validation windows. The training clips'
// clean log-mel and normalisation statistics belong to the epoch pipeline (epoch-data.ts).
import type { DatasetItem, Split } from '../dataset';
import { SerNativeError } from '../errors';
import * as is from '../is';
import type { Protocol } from '../metrics';
import type { TrainConfig } from '../model/config';
import { speakerStats } from '../model/speaker-stats';
import { labelsFor, loadAudio, resolveData, splitData } from './data';
import { teacherTargets, type Teacher, type TeacherTargets } from './teacher';
import type { SplitSummary, TrainOptions, TrainProgress } from './types';

export interface PreparedData {
  labels: string[];
  protocol: Protocol;
  split: SplitSummary;
  skipped: { path: string; reason: string }[];
  /** Training clips: decoded audio (emptied once the native pipeline holds it) and label indices. */
  trainClips: Float32Array[];
  trainLabels: Int32Array;
  /** With config.features.speakerNorm: each training clip's speaker's statistics (lib/model/speaker-stats.ts). */
  trainStats: Float32Array[] | null;
  /** With options.teacher: its calibrated probabilities for each training clip, in `labels` order, and what the bundle records (teacher.ts). */
  teacher: TeacherTargets | null;
  /** Validation: the items (for per-corpus figures), their label indices and decoded clips (scored by the native clip pipeline). */
  valItems: DatasetItem[];
  valLabels: number[];
  valClips: Float32Array[];
  /** Per validation clip, its speaker's statistics (speakerNorm > 0), else null. */
  valStats: Float32Array[] | null;
}

export function protocolOf(split: Split): Protocol {
  return {
    name: split.protocol === 'speaker-dependent' ? 'speaker-dependent' : 'speaker-independent',
    description: split.description,
    trainSpeakers: split.speakers.train,
    testSpeakers: split.speakers.validation,
  };
}

/** `teacher`: the loaded teacher of a distilled run (teacher.ts openTeacher), or null. */
export async function prepareTraining(o: TrainOptions, config: TrainConfig, device: string, report: (p: TrainProgress) => void, teacher: Teacher | null = null): Promise<PreparedData> {
  const f = config.features;
  report({ phase: 'data', message: 'indexing data' });
  const data = await resolveData(o);
  const split = splitData(data, o.split, config.seed);
  if (split.train.length === 0) throw new SerNativeError('ERR_DATA', `the split '${split.description}' leaves no training items`);
  if (o.validation === 'none' && split.validation.length > 0) throw is.rangeError('options.validation', `'split' with the split '${split.description}', which has validation speakers ('none' needs a split without: all, or speakers:<test>)`, 'none');
  if (split.validation.length === 0 && o.validation !== 'none') throw new SerNativeError('ERR_DATA', `the split '${split.description}' leaves no validation items: give a split with validation speakers (e.g. --split speakers:<test>/<validation>), or train a final model on every speaker with --split all`);
  const labels = labelsFor(split.train, split.validation);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${split.description}` });

  const loadedTrain = loadAudio(split.train, f.logMel.sampleRate, (done, total) => report({ phase: 'audio', done, total: total + split.validation.length }), o.audioCache);
  const loadedVal = loadAudio(split.validation, f.logMel.sampleRate, (done, total) => report({ phase: 'audio', done: split.train.length + done, total: split.train.length + total }), o.audioCache);
  if (loadedTrain.items.length === 0) throw new SerNativeError('ERR_DATA', `none of the ${split.train.length} training files could be read (e.g. ${loadedTrain.skipped[0]?.path}: ${loadedTrain.skipped[0]?.reason})`);

  // Distillation: the teacher's soft targets for the clean training clips, once for the whole run.
  if (teacher) report({ phase: 'features', message: `teacher probabilities of ${loadedTrain.clips.length} training clips (${teacher.dir})` });
  const targets = teacher ? await teacherTargets(teacher, loadedTrain.clips, labels) : null;
  report({ phase: 'features', message: `log-mel of ${loadedTrain.clips.length} training clips` });
  return {
    labels,
    protocol: protocolOf(split),
    split: {
      description: split.description,
      train: { n: loadedTrain.items.length, speakers: split.speakers.train },
      validation: { n: loadedVal.items.length, speakers: split.speakers.validation },
    },
    skipped: [...data.skipped, ...split.excluded, ...loadedTrain.skipped, ...loadedVal.skipped],
    trainClips: loadedTrain.clips,
    trainStats: f.speakerNorm > 0 ? speakerStats(loadedTrain.clips, loadedTrain.items.map((it) => it.speaker), f, device).perClip : null,
    teacher: targets,
    trainLabels: Int32Array.from(loadedTrain.items.map((it) => labelIndex.get(it.emotion)!)),
    valItems: loadedVal.items,
    valLabels: loadedVal.items.map((it) => labelIndex.get(it.emotion)!),
    valClips: loadedVal.clips,
    // The validation speakers' own statistics, for the adapted half of validation (speakerNorm > 0).
    valStats: f.speakerNorm > 0 && loadedVal.clips.length > 0 ? speakerStats(loadedVal.clips, loadedVal.items.map((it) => it.speaker), f, device).perClip : null,
  };
}

/** Inverse-frequency class weights over the training labels (0 for a class with no examples). */
export function balancedWeights(labels: Int32Array, classes: number): Float32Array {
  const counts = new Float32Array(classes);
  for (const l of labels) counts[l]++;
  const w = new Float32Array(classes);
  for (let k = 0; k < classes; k++) w[k] = counts[k] > 0 ? labels.length / (classes * counts[k]) : 0;
  return w;
}
