// Typed wrapper around the addon's NativeModel (native/model_binding.cc).
import { native } from '../binding';
import { callNative, fromNative, SerNativeError } from '../errors';
import type { Architecture, OptimizerConfig } from './config';

export interface TensorState {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface EpochStats {
  loss: number;
  accuracy: number;
  batches: number;
  samples: number;
  cancelled: boolean;
}

export interface EpochRequest {
  batchSize: number;
  seed: number;
  freqMasks: number;
  freqMaskWidth: number;
  timeMasks: number;
  timeMaskWidth: number;
  mixupAlpha: number;
}

interface RawNativeModel {
  configureOptimizer(o: Record<string, unknown>): void;
  setLearningRate(lr: number): void;
  setNormalization(mean: Float32Array, std: Float32Array): void;
  trainEpoch(features: Float32Array, labels: Int32Array, n: number, frames: number, o: EpochRequest, onProgress?: (p: { batch: number; batches: number; loss: number }) => void): Promise<EpochStats>;
  predict(features: Float32Array, n: number, frames: number): Float32Array;
  predictAsync(features: Float32Array, n: number, frames: number): Promise<Float32Array>;
  getState(): TensorState[];
  setState(state: TensorState[]): void;
  snapshot(): void;
  restore(): boolean;
  cancel(): void;
  describe(): { device: string; parameters: number };
}

type NativeModelCtor = new (config: Record<string, unknown>, device: string, seed: number) => RawNativeModel;

export class NativeModel {
  private readonly raw: RawNativeModel;
  readonly nMels: number;
  readonly nClasses: number;

  constructor(architecture: Architecture, nMels: number, nClasses: number, device: string, seed: number) {
    const Ctor = native().NativeModel as NativeModelCtor;
    this.nMels = nMels;
    this.nClasses = nClasses;
    this.raw = callNative(() => new Ctor({ ...architecture, nMels, nClasses }, device, seed));
  }

  configureOptimizer(o: OptimizerConfig, classWeights: Float32Array | null): void {
    const { classWeights: _mode, ...rest } = o;
    callNative(() => this.raw.configureOptimizer({ ...rest, classWeights }));
  }
  setLearningRate(lr: number): void {
    callNative(() => this.raw.setLearningRate(lr));
  }
  setNormalization(mean: Float32Array, std: Float32Array): void {
    callNative(() => this.raw.setNormalization(mean, std));
  }

  /** One epoch off the JS thread; `signal` cancels between batches (stats.cancelled is then true). */
  async trainEpoch(features: Float32Array, labels: Int32Array, frames: number, request: EpochRequest, onBatch?: (p: { batch: number; batches: number; loss: number }) => void, signal?: AbortSignal): Promise<EpochStats> {
    const onAbort = () => this.raw.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      return await callNative(() => this.raw.trainEpoch(features, labels, labels.length, frames, request, onBatch));
    } catch (e) {
      throw fromNative(e);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Softmax probabilities, row-major [n, nClasses]; synchronous (fast for a few windows). */
  predict(features: Float32Array, n: number, frames: number): Float32Array {
    return callNative(() => this.raw.predict(features, n, frames));
  }
  async predictAsync(features: Float32Array, n: number, frames: number): Promise<Float32Array> {
    try {
      return await callNative(() => this.raw.predictAsync(features, n, frames));
    } catch (e) {
      throw fromNative(e);
    }
  }

  getState(): TensorState[] {
    return callNative(() => this.raw.getState());
  }
  setState(state: TensorState[]): void {
    try {
      this.raw.setState(state);
    } catch (e) {
      throw new SerNativeError('ERR_MODEL', (e as Error).message, { cause: e });
    }
  }
  snapshot(): void {
    callNative(() => this.raw.snapshot());
  }
  restore(): boolean {
    return callNative(() => this.raw.restore());
  }
  describe(): { device: string; parameters: number } {
    return callNative(() => this.raw.describe());
  }
}
