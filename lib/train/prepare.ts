// Step 1 of train(): everything an epoch loop needs, computed once — the data and its speaker
// split, the decoded audio, the clean log-mel of every training clip, the validation windows and
// the per-mel normalisation statistics.
import type { DatasetItem, Split } from '../dataset';
import { SerNativeError } from '../errors';
import type { LogMel } from '../features/logmel';
import type { Protocol } from '../metrics';
import type { TrainConfig } from '../model/config';
import { clipFeatures, evaluationWindows } from '../model/features';
import { labelsFor, loadAudio, resolveData, splitData } from './data';
import type { SplitSummary, TrainOptions, TrainProgress } from './types';

export interface PreparedData {
  labels: string[];
  protocol: Protocol;
  split: SplitSummary;
  skipped: { path: string; reason: string }[];
  /** Training clips: decoded audio (for the noisy copies), clean log-mel, label indices. */
  trainClips: Float32Array[];
  cleanTrain: LogMel[];
  trainLabels: Int32Array;
  /** Validation: the items (for per-corpus figures), their label indices and stacked windows. */
  valItems: DatasetItem[];
  valLabels: number[];
  valWindows: { data: Float32Array; n: number; frames: number; owner: number[] };
  /** Per-mel mean and standard deviation over every frame of the clean training features. */
  stats: { mean: Float32Array; std: Float32Array };
}

export function protocolOf(split: Split): Protocol {
  return {
    name: split.protocol === 'speaker-dependent' ? 'speaker-dependent' : 'speaker-independent',
    description: split.description,
    trainSpeakers: split.speakers.train,
    testSpeakers: split.speakers.validation,
  };
}

export async function prepareTraining(o: TrainOptions, config: TrainConfig, device: string, report: (p: TrainProgress) => void): Promise<PreparedData> {
  const f = config.features;
  report({ phase: 'data', message: 'indexing data' });
  const data = await resolveData(o);
  const split = splitData(data, o.split, config.seed);
  if (split.train.length === 0) throw new SerNativeError('ERR_DATA', `the split '${split.description}' leaves no training items`);
  if (split.validation.length === 0) throw new SerNativeError('ERR_DATA', `the split '${split.description}' leaves no validation items: give a split with validation speakers (e.g. --split speakers:<test>/<validation>)`);
  const labels = labelsFor(split.train, split.validation);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  report({ phase: 'data', message: `${data.items.length} items (${data.source}); ${split.description}` });

  const loadedTrain = loadAudio(split.train, f.logMel.sampleRate, (done, total) => report({ phase: 'audio', done, total: total + split.validation.length }), o.audioCache);
  const loadedVal = loadAudio(split.validation, f.logMel.sampleRate, (done, total) => report({ phase: 'audio', done: split.train.length + done, total: split.train.length + total }), o.audioCache);
  if (loadedTrain.items.length === 0) throw new SerNativeError('ERR_DATA', `none of the ${split.train.length} training files could be read (e.g. ${loadedTrain.skipped[0]?.path}: ${loadedTrain.skipped[0]?.reason})`);

  report({ phase: 'features', message: `log-mel of ${loadedTrain.clips.length + loadedVal.clips.length} clips` });
  // Clean features are computed once; only noisy copies are recomputed per epoch.
  const cleanTrain = clipFeatures(loadedTrain.clips, f, device);
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
    cleanTrain,
    trainLabels: Int32Array.from(loadedTrain.items.map((it) => labelIndex.get(it.emotion)!)),
    valItems: loadedVal.items,
    valLabels: loadedVal.items.map((it) => labelIndex.get(it.emotion)!),
    valWindows: evaluationWindows(clipFeatures(loadedVal.clips, f, device), f),
    stats: normalisationStats(cleanTrain, f.logMel.nMels),
  };
}

/** Per-mel mean and standard deviation over every frame of the training features. */
function normalisationStats(feats: LogMel[], nMels: number): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(nMels);
  const sq = new Float64Array(nMels);
  let count = 0;
  for (const m of feats) {
    for (let k = 0; k < nMels; k++) {
      const row = m.data.subarray(k * m.frames, (k + 1) * m.frames);
      for (let t = 0; t < row.length; t++) {
        sum[k] += row[t];
        sq[k] += row[t] * row[t];
      }
    }
    count += m.frames;
  }
  const mean = new Float32Array(nMels);
  const std = new Float32Array(nMels);
  for (let k = 0; k < nMels; k++) {
    mean[k] = sum[k] / count;
    std[k] = Math.sqrt(Math.max(1e-8, sq[k] / count - mean[k] * mean[k]));
  }
  return { mean, std };
}

/** Inverse-frequency class weights over the training labels (0 for a class with no examples). */
export function balancedWeights(labels: Int32Array, classes: number): Float32Array {
  const counts = new Float32Array(classes);
  for (const l of labels) counts[l]++;
  const w = new Float32Array(classes);
  for (let k = 0; k < classes; k++) w[k] = counts[k] > 0 ? labels.length / (classes * counts[k]) : 0;
  return w;
}
