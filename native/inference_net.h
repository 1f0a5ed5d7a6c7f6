// SerNet's forward pass for prediction only, with the work eval mode makes redundant removed:
// each BatchNorm folded into its convolution (w·γ/σ, β − μ·γ/σ), the activation applied after the
// max-pool when it is monotonic (ReLU, ELU: max and a monotonic map commute, so the activation
// touches a quarter of the values), in place, and no dropout. Equal to SerNet::forward in eval mode
// up to float rounding. Built from the network's current weights; rebuild after they change.
// In bfloat16 the convolutions, LSTM, attention and head run on bfloat16 copies of the weights
// (normalisation and the logits stay float32): faster on CPUs with bf16 instructions, with the
// rounding of an 8-bit mantissa (docs/benchmarks.md measures both).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model.h"

namespace ser {

class InferenceNet {
 public:
  // Reads the weights; in float32 the LSTM, attention and head are SerNet's own (shared), in
  // bfloat16 copies. dtype: torch::kFloat or torch::kBFloat16.
  InferenceNet(SerNet& net, torch::Dtype dtype);
  // x: [batch, 1, nMels, frames] raw log-mel dB → float32 logits [batch, nClasses]; call under InferenceMode.
  torch::Tensor forward(torch::Tensor x);
  torch::Dtype dtype() const { return dtype_; }

 private:
  struct ConvBlock {
    torch::Tensor weight, bias;
    std::vector<int64_t> pool;
  };
  SerNet net_;
  torch::Dtype dtype_;
  std::vector<ConvBlock> blocks_;
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear attention_{nullptr}, head_{nullptr};
  bool activateAfterPool_;
};

}  // namespace ser
