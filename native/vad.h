// Voice activity per frame, from two measures that separate speech from silence and steady noise:
//  - frame energy (dBFS, DC removed) against the clip's noise floor (its 10th-percentile frame
//    energy) and an absolute floor: speech rises well above the floor, stationary noise does not;
//  - spectral flatness (geometric / arithmetic mean of the power spectrum over lowHz..highHz):
//    voiced speech is harmonic (flatness ≲ 0.3), white noise is flat (≈ 0.56 for a periodogram).
// A frame is speech when its energy exceeds max(minDb, noiseFloorDb + marginDb) and its flatness is
// below maxFlatness. Smoothing (gap filling, minimum durations) is done by lib/audio/vad.ts.
// A kernel: no N-API (the binding is native/vad_binding.cc).
#pragma once
#include <torch/torch.h>

namespace ser {

struct VadOptions {
  double frameSeconds = 0.025, hopSeconds = 0.010;
  double minDb = -70, marginDb = 9, maxFlatness = 0.35;
  double lowHz = 100, highHz = 4000;
  double floorQuantile = 0.1;
};

struct VadFrames {
  torch::Tensor energyDb, flatness, speech;  // [frames] float, float, bool
  double noiseFloorDb = -120;
};

// samples: [n] float on any device; fewer samples than one frame gives zero frames.
VadFrames voiceActivity(const torch::Tensor& samples, int64_t sampleRate, const VadOptions& o);

}  // namespace ser
