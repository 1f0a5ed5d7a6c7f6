// The public shapes of a training run: its options, progress events, per-epoch records and result.
import type { Protocol, ClassificationReport } from '../metrics';
import type { DeepPartial, TrainConfig } from '../model/config';
import type * as is from '../is';
import type { AudioCache, DataOptions } from './data';
import type { EpochProfile } from './profile';
import type { TeacherRecord } from './teacher';

export type TrainProgress =
  | { phase: 'data'; message: string }
  | { phase: 'audio'; done: number; total: number }
  | { phase: 'features'; message: string }
  | { phase: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number }
  | { phase: 'epoch'; record: EpochRecord; best: boolean };

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  valUar: number | null;
  /** With speakerNorm > 0: validation UAR and loss with each speaker's statistics (the best epoch is chosen on (1 − p)·valUar + p·valUarAdapted). */
  valUarAdapted?: number;
  valLossAdapted?: number;
  lr: number;
  seconds: number;
  /** Where the epoch's time went (lib/train/profile.ts). */
  profile: EpochProfile;
}

export interface TrainOptions extends DataOptions {
  /** Overrides of the default recipe (lib/model/config.ts). */
  config?: DeepPartial<TrainConfig>;
  /** Folder for the bundle and reports; nothing is written when omitted. */
  out?: string;
  /**
   * 'split' (default): the split's validation speakers choose the best epoch and stop early. 'none':
   * a split without validation speakers (split 'all', or speakers:<test>), exactly config.epochs
   * epochs, the last epoch is the model (a final model on all the data, e.g. an ensemble member).
   */
  validation?: 'split' | 'none';
  device?: is.Device;
  /** Shortcut for config.epochs / config.seed. */
  epochs?: number;
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Reuse decoded audio across runs in this process (optimize's worker processes pass one). */
  audioCache?: AudioCache;
  /**
   * Where each epoch's data is made (lib/train/epoch-data.ts): 'native' (default) on a native
   * producer thread overlapped with training; 'js' is the previous TypeScript pipeline on the JS
   * thread, kept as the baseline of `npm run bench:train`.
   */
  pipeline?: 'native' | 'js';
  /**
   * Knowledge distillation (lib/train/teacher.ts): a model folder (e.g. an ensemble from trainFolds)
   * whose calibrated probabilities for each clean training clip are soft targets besides the labels.
   * It must know every class of this run and take audio at the same sample rate.
   */
  teacher?: string;
  /** With `teacher`: α in [0, 1], the share of the loss on the teacher's probabilities (default 0.5; 0 = labels only, 1 = teacher only). */
  teacherWeight?: number;
}

export interface SplitSummary {
  description: string;
  train: { n: number; speakers: string[] };
  validation: { n: number; speakers: string[] };
}

export interface TrainResult {
  labels: string[];
  config: TrainConfig;
  protocol: Protocol;
  split: SplitSummary;
  metrics: ClassificationReport | null;
  perCorpus: Record<string, ClassificationReport>;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  skipped: { path: string; reason: string }[];
  out: string | null;
  seconds: number;
  device: string;
  /** The teacher of a distilled run (also in the bundle's training record), else null. */
  teacher: TeacherRecord | null;
}
