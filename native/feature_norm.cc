#include "feature_norm.h"

#include <stdexcept>

namespace ser {

torch::Tensor normalizeFeatures(const torch::Tensor& m, const FeatureNorm& norm, const torch::Tensor& stats, const torch::Tensor& speech) {
  if (!norm.utteranceNorm) return m;
  auto m64 = m.to(torch::kFloat64);
  torch::Tensor mean, std;
  if (stats.defined()) {
    if (stats.dim() != 2 || stats.size(0) != 2 || stats.size(1) != m.size(0)) throw std::invalid_argument("normalisation statistics must be [2, nMels]");
    mean = stats[0].to(torch::kFloat64).view({-1, 1});
    std = stats[1].to(torch::kFloat64).view({-1, 1});
  } else {
    torch::Tensor from = m64;
    if (speech.defined()) {
      if (speech.dim() != 1 || speech.size(0) != m.size(1)) throw std::invalid_argument("a speech mask must have one entry per frame");
      auto idx = speech.to(torch::kBool).nonzero().view(-1);
      if (idx.numel() > 0) from = m64.index_select(1, idx);
    }
    mean = from.mean(1, true);
    if (norm.utteranceStd) std = (from - mean).square().mean(1, true).sqrt();
  }
  auto centred = m64 - mean;
  if (norm.utteranceStd) centred = centred / std.clamp_min(kMinFeatureStd);
  return centred.to(torch::kFloat32).contiguous();
}

}  // namespace ser
