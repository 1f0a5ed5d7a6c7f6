// Model bundles for tests that check plumbing (loading, ensembles, speech gating, calibration), not
// accuracy: a freshly initialised network (real LibTorch weights, seeded) saved as a real bundle.
import { saveBundle } from '../../lib/model/bundle';
import { defaultTrainConfig, DeepPartial, FeatureConfig, Architecture, resolveTrainConfig, TrainConfig } from '../../lib/model/config';
import { NativeModel, TensorState } from '../../lib/model/native-model';

export const SMALL: DeepPartial<TrainConfig> = {
  features: { clipSeconds: 1, windowHopSeconds: 0.5 },
  architecture: { channels: [4, 8, 8, 8], lstmHidden: 8, lstmLayers: 1 },
};

export function initialState(architecture: Architecture, features: FeatureConfig, classes: number, seed: number): TensorState[] {
  const net = new NativeModel(architecture, features.logMel.nMels, classes, 'cpu', seed);
  return net.getState();
}

/** An untrained single-network bundle with `labels`, seeded. */
export function untrainedBundle(dir: string, labels: string[], seed: number, overrides: DeepPartial<TrainConfig> = SMALL): { features: FeatureConfig; architecture: Architecture; state: TensorState[] } {
  const c = resolveTrainConfig(overrides);
  const state = initialState(c.architecture, c.features, labels.length, seed);
  saveBundle(dir, { labels, features: c.features, architecture: c.architecture, versions: { package: 'test', libtorch: 'test' } }, state);
  return { features: c.features, architecture: c.architecture, state };
}

export { defaultTrainConfig };
