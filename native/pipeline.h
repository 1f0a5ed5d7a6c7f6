// Clips → probabilities in one native call: log-mel, per-utterance normalisation, evaluation
// windows, the network(s) and the per-clip mean, the same steps as lib/model/features.ts +
// EmotionModel.probabilities(), so predict() can run off the JS thread (PredictClipsWorker) and
// without a JS round trip between stages. A kernel: no N-API (the binding and its worker are
// native/pipeline_binding.cc).
#pragma once
#include <memory>
#include <vector>

#include "feature_norm.h"
#include "logmel.h"
#include "trainer.h"

namespace ser {

struct ClipPipelineOptions {
  MelOptions mel;
  FeatureNorm norm;
  int64_t windowFrames = 1;  // frames in one window
  int64_t hopFrames = 1;     // hop between evaluation windows
  int64_t padSamples = 0;    // clips are zero-padded to at least this many samples (one window)
  bool mean = true;          // per-clip mean over windows, or one row per window
};

struct ClipBatch {
  torch::Tensor samples;         // [clips, width] float, zero-padded
  std::vector<int64_t> lengths;  // each clip's length after padding to padSamples
  // Optional [clips, 2, nMels]: statistics (a speaker's) that replace a clip's own; a row whose first
  // value is NaN uses the clip's own.
  torch::Tensor stats;
};

struct ClipProbabilities {
  torch::Tensor probabilities;  // [clips, classes] (mean) or [windows, classes]
  std::vector<int64_t> starts;  // start frame of each window
  std::vector<int64_t> owner;   // clip of each window
};

// Window start frames covering `frames` (lib/model/features.ts windowStartFrames, same rule).
std::vector<int64_t> windowStarts(int64_t frames, int64_t len, int64_t hop);

ClipProbabilities predictClips(const std::vector<std::shared_ptr<Trainer>>& members, const ClipBatch& clips, const ClipPipelineOptions& o);

}  // namespace ser
