#include "model.h"

#include <stdexcept>

namespace ser {

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
}  // namespace

void ModelConfig::validate() const {
  require(nMels > 0, "nMels must be positive");
  require(nClasses >= 2, "nClasses must be at least 2");
  for (int i = 0; i < 4; ++i) {
    require(channels[i] > 0, "channels must be positive");
    require(poolFreq[i] >= 1 && poolTime[i] >= 1, "pools must be >= 1");
  }
  require(reducedMels() >= 1, "nMels (" + std::to_string(nMels) + ") is too small for the frequency pooling");
  require(activation == "relu" || activation == "elu" || activation == "gelu", "activation must be relu, elu or gelu");
  require(lstmHidden > 0 && lstmLayers >= 1, "lstmHidden and lstmLayers must be positive");
  require(pooling == "mean" || pooling == "last" || pooling == "attention", "pooling must be mean, last or attention");
  for (double p : {convDropout, lstmDropout, headDropout}) require(p >= 0 && p < 1, "dropout must be in [0, 1)");
}

int64_t ModelConfig::reducedMels() const {
  int64_t m = nMels;
  for (int i = 0; i < 4; ++i) m /= poolFreq[i];
  return m;
}

SerNetImpl::SerNetImpl(const ModelConfig& c) : config(c) {
  config.validate();
  blocks = register_module("blocks", torch::nn::ModuleList());
  int64_t in = 1;
  for (int i = 0; i < 4; ++i) {
    torch::nn::Sequential block;
    block->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, c.channels[i], 3).padding(1).bias(false)));
    block->push_back(torch::nn::BatchNorm2d(c.channels[i]));
    if (c.activation == "elu") block->push_back(torch::nn::ELU());
    else if (c.activation == "gelu") block->push_back(torch::nn::GELU());
    else block->push_back(torch::nn::ReLU());
    block->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions({c.poolFreq[i], c.poolTime[i]})));
    block->push_back(torch::nn::Dropout2d(c.convDropout));
    blocks->push_back(block);
    in = c.channels[i];
  }
  const int64_t lstmIn = c.channels[3] * c.reducedMels();
  lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(lstmIn, c.lstmHidden)
                                                    .num_layers(c.lstmLayers)
                                                    .batch_first(true)
                                                    .bidirectional(c.bidirectional)
                                                    .dropout(c.lstmLayers > 1 ? c.lstmDropout : 0.0)));
  const int64_t out = c.lstmHidden * (c.bidirectional ? 2 : 1);
  if (c.pooling == "attention") attention = register_module("attention", torch::nn::Linear(out, 1));
  headDropout = register_module("head_dropout", torch::nn::Dropout(c.headDropout));
  head = register_module("head", torch::nn::Linear(out, c.nClasses));
  featMean = register_buffer("feat_mean", torch::zeros({c.nMels}));
  featStd = register_buffer("feat_std", torch::ones({c.nMels}));
}

torch::Tensor SerNetImpl::forward(torch::Tensor x) {
  x = normalize(x);
  for (const auto& block : *blocks) x = block->as<torch::nn::Sequential>()->forward(x);
  return classifyMaps(x);
}

torch::Tensor SerNetImpl::normalize(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) == config.nMels,
              "expected log-mel input [batch, 1, ", config.nMels, ", frames], got ", x.sizes());
  return (x - featMean.view({1, 1, -1, 1})) / featStd.view({1, 1, -1, 1});
}

torch::Tensor SerNetImpl::classifyMaps(torch::Tensor x) { return mapsToLogits(x, lstm, attention, head, config.pooling, &headDropout); }

torch::Tensor mapsToLogits(torch::Tensor x, torch::nn::LSTM& lstm, torch::nn::Linear& attention, torch::nn::Linear& head,
                           const std::string& pooling, torch::nn::Dropout* dropout) {
  // [batch, channels, mels', frames'] → a sequence over time of channels·mels' features
  const int64_t batch = x.size(0), frames = x.size(3);
  TORCH_CHECK(frames >= 1, "the input is too short for the time pooling");
  x = x.permute({0, 3, 1, 2}).reshape({batch, frames, -1});
  auto seq = std::get<0>(lstm->forward(x));  // [batch, frames', hidden·dirs]
  torch::Tensor pooled;
  if (pooling == "last") {
    pooled = seq.select(1, frames - 1);
  } else if (pooling == "attention") {
    auto weights = torch::softmax(attention->forward(seq), 1);  // [batch, frames', 1]
    pooled = (weights * seq).sum(1);
  } else {
    pooled = seq.mean(1);
  }
  return head->forward(dropout ? (*dropout)->forward(pooled) : pooled);
}

}  // namespace ser
