// The CNN+LSTM emotion classifier (Abdelhamid et al. 2022): 4 conv blocks (Conv2d 3×3 → BatchNorm →
// activation → MaxPool → Dropout), the feature maps read as a sequence over time into an LSTM,
// then a linear head. Input: log-mel [batch, 1, nMels, frames], normalised inside the model with
// per-mel statistics learnt on the training set (saved with the weights as buffers).
#pragma once

#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

namespace ser {

struct ModelConfig {
  int64_t nMels = 64;
  int64_t nClasses = 8;
  std::array<int64_t, 4> channels{32, 64, 64, 128};
  std::array<int64_t, 4> poolFreq{2, 2, 2, 2};
  std::array<int64_t, 4> poolTime{2, 2, 2, 1};
  double convDropout = 0.1;
  std::string activation = "relu";  // relu | elu | gelu
  int64_t lstmHidden = 128;
  int64_t lstmLayers = 2;
  bool bidirectional = true;
  double lstmDropout = 0.2;
  double headDropout = 0.3;
  std::string pooling = "mean";  // mean | last | attention
  void validate() const;
  int64_t reducedMels() const;  // mel bins left after the four poolings
};

struct SerNetImpl : torch::nn::Module {
  explicit SerNetImpl(const ModelConfig& config);
  // x: [batch, 1, nMels, frames] raw log-mel dB → logits [batch, nClasses]
  torch::Tensor forward(torch::Tensor x);
  // The two ends of forward(), shared with InferenceNet: the checked, normalised input, and the
  // conv blocks' maps [batch, channels, mels', frames'] → LSTM over time → pooling → logits.
  torch::Tensor normalize(const torch::Tensor& x);
  torch::Tensor classifyMaps(torch::Tensor maps);

  ModelConfig config;
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Linear attention{nullptr};
  torch::nn::Dropout headDropout{nullptr};
  torch::nn::Linear head{nullptr};
  torch::Tensor featMean, featStd;  // [nMels] buffers
};
TORCH_MODULE(SerNet);

// classifyMaps' work with the modules given (SerNet's own, or InferenceNet's bfloat16 copies):
// maps [batch, channels, mels', frames'] → LSTM over time → pooling → (dropout, when given) → logits.
torch::Tensor mapsToLogits(torch::Tensor maps, torch::nn::LSTM& lstm, torch::nn::Linear& attention, torch::nn::Linear& head,
                           const std::string& pooling, torch::nn::Dropout* dropout = nullptr);

}  // namespace ser
