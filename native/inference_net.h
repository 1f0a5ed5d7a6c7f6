// SerNet's forward pass for prediction only, with the work eval mode makes redundant removed:
// each BatchNorm folded into its convolution (w·γ/σ, β − μ·γ/σ), the activation applied after the
// max-pool when it is monotonic (ReLU, ELU: max and a monotonic map commute, so the activation
// touches a quarter of the values), in place, and no dropout. Equal to SerNet::forward in eval mode
// up to float rounding. Built from the network's current weights; rebuild after they change.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model.h"

namespace ser {

class InferenceNet {
 public:
  explicit InferenceNet(SerNet& net);  // reads the weights (no copy of the LSTM or head: shared)
  // x: [batch, 1, nMels, frames] raw log-mel dB → logits [batch, nClasses]; call under InferenceMode.
  torch::Tensor forward(torch::Tensor x);

 private:
  struct ConvBlock {
    torch::Tensor weight, bias;
    std::vector<int64_t> pool;
  };
  SerNet net_;
  std::vector<ConvBlock> blocks_;
  bool activateAfterPool_;
};

}  // namespace ser
