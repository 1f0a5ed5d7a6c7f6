#include "feature_norm.h"

#include <stdexcept>

namespace ser {

torch::Tensor normalizeFeatures(const torch::Tensor& m, const FeatureNorm& norm, const torch::Tensor& stats) {
  if (!norm.utteranceNorm) return m;
  auto m64 = m.to(torch::kFloat64);
  torch::Tensor mean, std;
  if (stats.defined()) {
    if (stats.dim() != 2 || stats.size(0) != 2 || stats.size(1) != m.size(0)) throw std::invalid_argument("normalisation statistics must be [2, nMels]");
    mean = stats[0].to(torch::kFloat64).view({-1, 1});
    std = stats[1].to(torch::kFloat64).view({-1, 1});
  } else {
    mean = m64.mean(1, true);
    if (norm.utteranceStd) std = (m64 - mean).square().mean(1, true).sqrt();
  }
  auto centred = m64 - mean;
  if (norm.utteranceStd) centred = centred / std.clamp_min(kMinFeatureStd);
  return centred.to(torch::kFloat32).contiguous();
}

}  // namespace ser
