// Normalisation of a log-mel [nMels, frames] before it is cut into windows: subtract a per-mel mean
// (and divide by a per-mel standard deviation), with the utterance's own statistics or with given
// ones (a speaker's, from their own clips). Pure tensor code with no N-API; the TypeScript twin for
// validation windows is normalizeLogMel in lib/model/features.ts (same double arithmetic).
#pragma once

#include <torch/torch.h>

namespace ser {

struct FeatureNorm {
  bool utteranceNorm = true;  // subtract the per-mel mean
  bool utteranceStd = false;  // and divide by the per-mel standard deviation (needs utteranceNorm)
};

// Smallest standard deviation divided by (dB): a bin that never changes is left centred, not blown up.
constexpr double kMinFeatureStd = 1e-2;

// Returns m normalised as `norm` says. `stats`, when defined, is [2, nMels] float (row 0 the mean,
// row 1 the standard deviation) and replaces the utterance's own statistics. `speech`, when defined
// and stats are not, is a bool [frames] mask: the own statistics come from those frames only (as a
// voice's do, so silence does not shift them); a mask with no frame set falls back to all frames.
torch::Tensor normalizeFeatures(const torch::Tensor& m, const FeatureNorm& norm, const torch::Tensor& stats = torch::Tensor(),
                                const torch::Tensor& speech = torch::Tensor());

}  // namespace ser
