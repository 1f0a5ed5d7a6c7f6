// Typed wrapper around the addon's NativeModel (native/model_binding.cc).
import { native, EpochPlanArrays, EpochRequest, EpochStats, BatchProgress, NativeMelOptions, RawNativeModel, TensorState, TrainingFeatures, InferencePrecision } from '../binding';
import type { Architecture, OptimizerConfig } from './config';

export type { EpochRequest, EpochStats, TensorState };

export class NativeModel {
  private readonly raw: RawNativeModel;
  readonly nMels: number;
  readonly nClasses: number;

  constructor(architecture: Architecture, nMels: number, nClasses: number, device: string, seed: number) {
    this.nMels = nMels;
    this.nClasses = nClasses;
    this.raw = new (native().NativeModel)({ ...architecture, nMels, nClasses }, device, seed);
  }

  configureOptimizer(o: OptimizerConfig, classWeights: Float32Array | null): void {
    const { classWeights: _mode, ...rest } = o;
    this.raw.configureOptimizer({ ...rest, classWeights });
  }
  setLearningRate(lr: number): void {
    this.raw.setLearningRate(lr);
  }
  setNormalization(mean: Float32Array, std: Float32Array): void {
    this.raw.setNormalization(mean, std);
  }

  /** One epoch off the JS thread; `signal` cancels between batches (stats.cancelled is then true). */
  async trainEpoch(features: Float32Array, labels: Int32Array, frames: number, request: EpochRequest, onBatch?: (p: BatchProgress) => void, signal?: AbortSignal): Promise<EpochStats> {
    const onAbort = () => this.raw.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      return await this.raw.trainEpoch(features, labels, labels.length, frames, request, onBatch);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Hands the training clips over once for trainPlannedEpoch; returns their frame counts and the clean features' per-mel statistics. */
  setTrainingData(clips: Float32Array[], labels: Int32Array, mel: NativeMelOptions, features: TrainingFeatures): { frames: Int32Array; mean: Float32Array; std: Float32Array } {
    return this.raw.setTrainingData(clips, labels, mel, features);
  }

  /** One epoch of planned data through the native pipeline (producer thread + bounded queue); `signal` cancels between batches. */
  async trainPlannedEpoch(plan: EpochPlanArrays, request: EpochRequest, onBatch?: (p: BatchProgress) => void, signal?: AbortSignal): Promise<EpochStats> {
    const onAbort = () => this.raw.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      return await this.raw.trainPlannedEpoch(plan, request, onBatch);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The native pipeline's model inputs for some plan entries, [entries, nMels, windowFrames] row-major. */
  planInputs(plan: EpochPlanArrays, entries: Int32Array): Float32Array {
    return this.raw.planInputs(plan, entries);
  }

  /** Softmax probabilities, row-major [n, nClasses]; synchronous (fast for a few windows). */
  predict(features: Float32Array, n: number, frames: number): Float32Array {
    return this.raw.predict(features, n, frames);
  }
  predictAsync(features: Float32Array, n: number, frames: number): Promise<Float32Array> {
    return this.raw.predictAsync(features, n, frames);
  }

  getState(): TensorState[] {
    return this.raw.getState();
  }
  /** Weights that do not fit this architecture fail with ERR_MODEL (set in C++). */
  setState(state: TensorState[]): void {
    this.raw.setState(state);
  }
  snapshot(): void {
    this.raw.snapshot();
  }
  restore(): boolean {
    return this.raw.restore();
  }
  describe(): { device: string; parameters: number; precision: InferencePrecision } {
    return this.raw.describe();
  }
  /** Prediction in float32 (default) or bfloat16; the weights themselves and training stay float32. */
  setInferencePrecision(precision: InferencePrecision): void {
    this.raw.setInferencePrecision(precision);
  }
  /** The addon object, for the clip pipeline that scores all members at once (native/pipeline.cc). */
  handle(): RawNativeModel {
    return this.raw;
  }
}
