// Step 2a of train(): where each epoch's training batches come from (an EpochSource).
//   'native' (the default): the training clips go to the network once (NativeModel.setTrainingData:
//     int16 audio, clean log-mel and its statistics computed natively); each epoch, plan.ts draws the
//     plan (noise, SNR, seeds, crops, warps, SpecAugment masks, order) and a native producer thread
//     turns it into batches while earlier batches train (native/epoch_pipeline.cc).
//   'js': the reference TypeScript pipeline (reference-pipeline.ts), the baseline of
//     bench/train-epochs.ts (TrainOptions.pipeline).
import type { BatchProgress, EpochRequest, EpochStats } from '../binding';
import type { TrainConfig } from '../model/config';
import { windowFrames } from '../model/features';
import type { NativeModel } from '../model/native-model';
import { packStats, speechMasks } from '../model/speaker-stats';
import { planTrainingEpoch } from './plan';
import { referenceSource } from './reference-pipeline';
import type { PreparedData } from './prepare';
import type { Stopwatch } from './profile';

export type PipelineKind = 'native' | 'js';

export interface EpochSource {
  kind: PipelineKind;
  /** Per-mel mean and standard deviation over every frame of the clean training features. */
  stats: { mean: Float32Array; std: Float32Array };
  /** Trains one epoch on its data; the data phases are added to `watch.profile`. */
  trainEpoch(epoch: number, request: EpochRequest, onBatch: (p: BatchProgress) => void, signal: AbortSignal | undefined, watch: Stopwatch): Promise<EpochStats>;
}

export function epochSource(kind: PipelineKind, net: NativeModel, d: PreparedData, config: TrainConfig, device: string): EpochSource {
  return kind === 'native' ? nativeSource(net, d, config) : referenceSource(net, d, config, device);
}

function nativeSource(net: NativeModel, d: PreparedData, config: TrainConfig): EpochSource {
  const f = config.features;
  const len = windowFrames(f);
  // Speaker normalisation: each clip's speaker's statistics, from that speaker's clean training clips.
  const speakerStats = f.speakerNorm > 0 ? packStats(d.trainStats!, f.logMel.nMels) : undefined;
  const padSamples = Math.round(f.clipSeconds * f.logMel.sampleRate);
  // speechStats: each clip's own statistics (clean or noisy copy) from its speech frames only.
  const masks = f.speechStats ? speechMasks(d.trainClips, f, padSamples) : undefined;
  // Distillation: each clip's row of the teacher's probabilities (teacher.ts), the batches' soft targets.
  const teacher = d.teacher?.probs;
  const set = net.setTrainingData(d.trainClips, d.trainLabels, f.logMel, { utteranceNorm: f.utteranceNorm, utteranceStd: f.utteranceStd, speakerStats, teacher, speechMasks: masks, windowFrames: len, padSamples });
  // The network holds the audio now (int16); our float copies can go (an audioCache keeps its own).
  d.trainClips.length = 0;
  return {
    kind: 'native',
    stats: { mean: set.mean, std: set.std },
    async trainEpoch(epoch, request, onBatch, signal, watch) {
      watch.profile.pipeline = 'native';
      const stats = await net.trainPlannedEpoch(planTrainingEpoch(config, epoch, set.frames, len), request, onBatch, signal);
      // Producer-thread seconds, overlapped with training (not on the epoch's critical path).
      for (const k of ['noise', 'noisyLogMel', 'crops'] as const) watch.profile[k] += stats.seconds[k];
      return stats;
    },
  };
}

