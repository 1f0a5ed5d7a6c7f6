// K member networks scored as one: the mean of their softmax probabilities, computed in one native
// call (native/ensemble.cc) so a prediction crosses into C++ once whatever K is.
import { native, RawNativeEnsemble } from '../binding';
import type { NativeModel } from './native-model';

/** What scores windows of features: one network or an ensemble. */
export interface WindowScorer {
  /** Probabilities, row-major [n, classes]. */
  predict(features: Float32Array, n: number, frames: number): Float32Array;
  predictAsync(features: Float32Array, n: number, frames: number): Promise<Float32Array>;
}

export class Ensemble implements WindowScorer {
  private readonly raw: RawNativeEnsemble;
  /** Kept so the members outlive the ensemble's use of them. */
  readonly members: readonly NativeModel[];

  constructor(members: NativeModel[]) {
    this.members = members;
    this.raw = new (native().NativeEnsemble)(members.map((m) => m.handle()));
  }

  predict(features: Float32Array, n: number, frames: number): Float32Array {
    return this.raw.predict(features, n, frames);
  }
  predictAsync(features: Float32Array, n: number, frames: number): Promise<Float32Array> {
    return this.raw.predictAsync(features, n, frames);
  }
  get size(): number {
    return this.raw.size();
  }
}
