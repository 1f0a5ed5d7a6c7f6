#include "inference_net.h"

namespace ser {

namespace {
torch::Tensor activate(torch::Tensor x, const std::string& activation) {
  if (activation == "elu") return torch::elu_(x);
  if (activation == "gelu") return torch::gelu(x);
  return torch::relu_(x);
}

// max_pool2d with kernel = stride, no padding, floor mode, as elementwise maxima of strided views:
// the same values (NaN propagates in both), but LibTorch's NCHW max_pool2d kernel is slow at batch 1
// (measured with LibTorch 2.13 at one thread: 7.0 ms against 0.11 ms on the first block's maps; see
// docs/benchmarks.md, "Forward against onnxruntime").
torch::Tensor maxPool(torch::Tensor x, const std::vector<int64_t>& kernel) {
  for (int d = 0; d < 2; ++d) {
    const int64_t k = kernel[d], dim = 2 + d;
    if (k == 1) continue;
    const int64_t n = x.size(dim) / k * k;
    auto pooled = x.slice(dim, 0, n, k);
    for (int64_t j = 1; j < k; ++j) pooled = torch::maximum(pooled, x.slice(dim, j, n, k));
    x = pooled;
  }
  return x;
}
}  // namespace

namespace {
// A deep copy of a submodule in another dtype (the SerNet's own stays float32 for training).
template <typename Holder>
Holder copyAs(const Holder& m, torch::Dtype dtype) {
  if (m.is_empty()) return Holder{nullptr};
  Holder copy{std::dynamic_pointer_cast<typename Holder::ContainedType>(m->clone())};
  copy->to(dtype);
  return copy;
}
}  // namespace

InferenceNet::InferenceNet(SerNet& net, torch::Dtype dtype)
    : net_(net), dtype_(dtype), activateAfterPool_(net->config.activation != "gelu") {
  TORCH_CHECK(dtype == torch::kFloat || dtype == torch::kBFloat16, "the inference dtype must be float32 or bfloat16");
  torch::NoGradGuard guard;
  for (int i = 0; i < 4; ++i) {
    auto* block = net_->blocks[i]->as<torch::nn::Sequential>();
    auto* conv = block->ptr(0)->as<torch::nn::Conv2d>();
    auto* bn = block->ptr(1)->as<torch::nn::BatchNorm2d>();
    // BatchNorm in eval mode is y = (x − μ)·γ/√(σ² + ε) + β: a per-channel scale and shift.
    const auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    ConvBlock b;
    b.weight = (conv->weight * scale.view({-1, 1, 1, 1})).contiguous();
    b.bias = (bn->bias - bn->running_mean * scale).contiguous();
    b.weight = b.weight.to(dtype);
    b.bias = b.bias.to(dtype);
    b.pool = {net_->config.poolFreq[i], net_->config.poolTime[i]};
    blocks_.push_back(std::move(b));
  }
  const bool own = dtype == torch::kFloat;
  lstm_ = own ? net_->lstm : copyAs(net_->lstm, dtype);
  attention_ = own ? net_->attention : copyAs(net_->attention, dtype);
  head_ = own ? net_->head : copyAs(net_->head, dtype);
}

torch::Tensor InferenceNet::forward(torch::Tensor x) {
  // Normalisation is not folded into the first convolution: its zero padding would then pad
  // normalised values where SerNet pads raw ones.
  x = net_->normalize(x).to(dtype_);
  const auto& activation = net_->config.activation;
  for (const auto& b : blocks_) {
    x = torch::conv2d(x, b.weight, b.bias, 1, 1);
    x = activateAfterPool_ ? activate(maxPool(x, b.pool), activation) : maxPool(activate(x, activation), b.pool);
  }
  return mapsToLogits(x, lstm_, attention_, head_, net_->config.pooling).to(torch::kFloat);
}

}  // namespace ser
