#include "trainer.h"

#include "threads.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>

#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

namespace ser {

namespace {
// bfloat16 autocast on the CPU for one forward pass (thread-local state), off again however the
// scope ends, so an exception never leaves later work in bfloat16.
class CpuAutocast {
 public:
  explicit CpuAutocast(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCPU, true);
  }
  ~CpuAutocast() {
    if (!on_) return;
    at::autocast::set_autocast_enabled(at::kCPU, false);
    at::autocast::clear_cache();
  }
  CpuAutocast(const CpuAutocast&) = delete;
  CpuAutocast& operator=(const CpuAutocast&) = delete;

 private:
  bool on_;
};
}  // namespace

namespace {
std::mutex globalSeedMutex;  // torch::manual_seed is process-wide

// Adds the seconds since the last lap to `slot` (the phase timer of trainEpoch).
struct Lap {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  void operator()(double& slot) {
    const auto now = std::chrono::steady_clock::now();
    slot += std::chrono::duration<double>(now - t).count();
    t = now;
  }
};

NamedTensors collect(torch::nn::Module& m) {
  NamedTensors out;
  for (const auto& p : m.named_parameters(true)) out.emplace_back(p.key(), p.value());
  for (const auto& b : m.named_buffers(true)) out.emplace_back(b.key(), b.value());
  return out;
}
}  // namespace

Trainer::Trainer(const ModelConfig& config, const torch::Device& device, uint64_t seed) : device_(device) {
  {
    std::lock_guard<std::mutex> lock(globalSeedMutex);
    torch::manual_seed(seed);  // weight initialisation is repeatable for a seed
    net_ = SerNet(config);
  }
  net_->to(device_);
  configureOptimizer(OptimizerOptions());
}

std::unique_lock<std::mutex> Trainer::lockIdle(const std::string& who) {
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) throw CodedError("ERR_BUSY", who + " is busy (an epoch or a prediction is running); wait for it to finish");
  return lock;
}

void Trainer::configureOptimizer(const OptimizerOptions& o) {
  optimizerOptions_ = o;
  if (o.decoupledWeightDecay) {
    optimizer_ = std::make_unique<torch::optim::AdamW>(
        net_->parameters(), torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weightDecay));
  } else {
    optimizer_ = std::make_unique<torch::optim::Adam>(
        net_->parameters(), torch::optim::AdamOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weightDecay));
  }
  classWeights_ = torch::Tensor();
  if (!o.classWeights.empty()) {
    if (static_cast<int64_t>(o.classWeights.size()) != net_->config.nClasses)
      throw std::invalid_argument("classWeights must have one weight per class (" + std::to_string(net_->config.nClasses) + ")");
    classWeights_ = torch::tensor(o.classWeights, torch::kFloat32).to(device_);
  }
}

void Trainer::setLearningRate(double lr) {
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
}

void Trainer::setNormalization(const torch::Tensor& mean, const torch::Tensor& std) {
  const int64_t m = net_->config.nMels;
  if (mean.numel() != m || std.numel() != m) throw std::invalid_argument("normalisation statistics must have nMels = " + std::to_string(m) + " entries");
  torch::NoGradGuard guard;
  net_->featMean.copy_(mean.reshape({m}));
  net_->featStd.copy_(std.reshape({m}).clamp_min(1e-5));
}

torch::Tensor Trainer::specAugment(torch::Tensor x, const EpochOptions& o, std::mt19937_64& rng) {
  // x: [batch, 1, mels, frames]; masked cells take the per-mel mean so they read as "nothing" after normalisation.
  const int64_t batch = x.size(0), mels = x.size(2), frames = x.size(3);
  auto fill = net_->featMean.view({1, -1, 1});
  for (int64_t b = 0; b < batch; ++b) {
    auto item = x[b];
    for (int64_t k = 0; k < o.freqMasks && o.freqMaskWidth > 0; ++k) {
      const int64_t w = std::uniform_int_distribution<int64_t>(0, std::min(o.freqMaskWidth, mels - 1))(rng);
      const int64_t f0 = std::uniform_int_distribution<int64_t>(0, mels - w)(rng);
      if (w > 0) item.narrow(1, f0, w).copy_(fill.narrow(1, f0, w).expand({1, w, frames}));
    }
    for (int64_t k = 0; k < o.timeMasks && o.timeMaskWidth > 0; ++k) {
      const int64_t w = std::uniform_int_distribution<int64_t>(0, std::min(o.timeMaskWidth, frames - 1))(rng);
      const int64_t t0 = std::uniform_int_distribution<int64_t>(0, frames - w)(rng);
      if (w > 0) item.narrow(2, t0, w).copy_(fill.expand({1, mels, w}));
    }
  }
  return x;
}

EpochResult Trainer::trainEpoch(const torch::Tensor& features, const torch::Tensor& labels, const EpochOptions& o,
                                const std::function<void(int64_t, int64_t, double)>& progress, const std::atomic<bool>& cancel) {
  const int64_t n = features.size(0);
  if (n == 0) throw std::invalid_argument("no training samples");
  if (labels.size(0) != n) throw std::invalid_argument("labels and features disagree on the number of samples");
  if (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= net_->config.nClasses)
    throw std::invalid_argument("labels must be in [0, nClasses)");
  if (o.batchSize < 1) throw std::invalid_argument("batchSize must be positive");
  if (o.teacherWeight != 0)
    throw std::invalid_argument("options.teacherWeight must be 0 in trainEpoch (it has no teacher's probabilities): distil through setTrainingData's featureOptions.teacher and trainPlannedEpoch");

  std::mt19937_64 rng(o.seed);
  auto order = torch::arange(n, torch::TensorOptions().dtype(torch::kLong));
  {
    // Fisher-Yates from our own seeded engine: independent of LibTorch's global generator.
    auto a = order.accessor<int64_t, 1>();
    for (int64_t i = n - 1; i > 0; --i) std::swap(a[i], a[std::uniform_int_distribution<int64_t>(0, i)(rng)]);
  }
  const int64_t batches = (n + o.batchSize - 1) / o.batchSize;
  int64_t b = 0;
  double masking = 0;
  auto next = [&](Batch& out) {
    for (; b < batches; ++b) {
      auto idx = order.narrow(0, b * o.batchSize, std::min(o.batchSize, n - b * o.batchSize));
      // Batch norm cannot train on a single sample; a lone last sample is skipped.
      if (idx.size(0) < 2 && n >= 2) continue;
      out.x = features.index_select(0, idx).unsqueeze(1);
      out.y = labels.index_select(0, idx);
      if (o.freqMasks > 0 || o.timeMasks > 0) {
        Lap lap;
        out.x = specAugment(out.x.to(device_).clone(), o, rng);
        lap(masking);
      }
      ++b;
      return true;
    }
    return false;
  };
  EpochResult r = trainBatches(next, batches, o, rng, progress, cancel);
  r.seconds.batch -= masking;
  r.seconds.specAugment += masking;
  return r;
}

EpochResult Trainer::trainBatches(const std::function<bool(Batch&)>& next, int64_t batches, const EpochOptions& o, std::mt19937_64& rng,
                                  const std::function<void(int64_t, int64_t, double)>& progress, const std::atomic<bool>& cancel) {
  {
    std::lock_guard<std::mutex> lock(globalSeedMutex);
    torch::manual_seed(o.seed);  // dropout masks for this epoch
  }
  net_->train();
  inference_.reset();
  EpochResult r;
  r.seconds.intraOpThreads = at::get_num_threads();
  Lap lap;
  double lossSum = 0;
  int64_t correct = 0;
  auto ceOptions = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(optimizerOptions_.labelSmoothing);
  if (classWeights_.defined()) ceOptions = ceOptions.weight(classWeights_);
  const double alpha = o.teacherWeight;
  if (!(alpha >= 0 && alpha <= 1)) throw std::invalid_argument("options.teacherWeight must be in [0, 1]");
  const bool distil = alpha > 0;
  if (o.bf16 && !device_.is_cpu()) throw std::invalid_argument("bfloat16 precision (autocast) is for CPU training; use precision 'float32' on " + device_.str());
  Batch batch;
  for (int64_t b = 0;; ++b) {
    if (cancel.load()) {
      r.cancelled = true;
      break;
    }
    lap(r.seconds.batch);
    if (!next(batch)) break;
    auto x = batch.x.to(device_);
    auto y = batch.y.to(device_);
    const int64_t size = x.size(0);
    // Soft targets take part only with a weight: α = 0 is exactly the labels-only loss.
    const bool soft = distil && batch.q.defined();
    if (distil && !soft) throw std::invalid_argument("options.teacherWeight > 0 needs the teacher's probabilities in every batch");
    torch::Tensor q;
    if (soft) {
      if (batch.q.dim() != 2 || batch.q.size(0) != size || batch.q.size(1) != net_->config.nClasses)
        throw std::invalid_argument("the teacher's probabilities must be [batch, nClasses] = [" + std::to_string(size) + ", " + std::to_string(net_->config.nClasses) + "]");
      q = batch.q.to(device_, torch::kFloat32);
    }
    lap(r.seconds.batch);
    optimizer_->zero_grad();
    torch::Tensor loss, logits;
    std::optional<CpuAutocast> autocast;
    autocast.emplace(o.bf16);
    if (o.mixupAlpha > 0) {
      std::gamma_distribution<double> g(o.mixupAlpha, 1.0);
      const double g1 = g(rng), g2 = g(rng);
      const double lam = g1 / (g1 + g2);
      auto perm = torch::arange(size, torch::kLong);
      auto pa = perm.accessor<int64_t, 1>();
      for (int64_t i = size - 1; i > 0; --i) std::swap(pa[i], pa[std::uniform_int_distribution<int64_t>(0, i)(rng)]);
      perm = perm.to(device_);
      logits = net_->forward(lam * x + (1 - lam) * x.index_select(0, perm)).to(torch::kFloat32);
      if (soft) q = lam * q + (1 - lam) * q.index_select(0, perm);  // the mixed clip's teacher target: the same λ and partner
      if (!soft || alpha < 1)
        loss = lam * torch::nn::functional::cross_entropy(logits, y, ceOptions) +
               (1 - lam) * torch::nn::functional::cross_entropy(logits, y.index_select(0, perm), ceOptions);
    } else {
      logits = net_->forward(x).to(torch::kFloat32);
      if (!soft || alpha < 1) loss = torch::nn::functional::cross_entropy(logits, y, ceOptions);
    }
    if (soft) {
      // Cross-entropy against the teacher's distribution, mean over the batch.
      auto distilled = -(q * torch::log_softmax(logits, 1)).sum(1).mean();
      loss = alpha < 1 ? (1 - alpha) * loss + alpha * distilled : distilled;
    }
    autocast.reset();  // backward and the step in the weights' own float32
    lap(r.seconds.forward);
    loss.backward();
    lap(r.seconds.backward);
    if (optimizerOptions_.clipNorm > 0) torch::nn::utils::clip_grad_norm_(net_->parameters(), optimizerOptions_.clipNorm);
    optimizer_->step();
    const double l = loss.item<double>();
    if (!std::isfinite(l)) throw std::runtime_error("the training loss became " + std::to_string(l) + " (try a lower learning rate)");
    lossSum += l * static_cast<double>(size);
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
    r.samples += size;
    r.batches += 1;
    lap(r.seconds.step);
    if (progress) progress(std::min(b + 1, batches), batches, l);
    lap(r.seconds.progress);
  }
  r.loss = r.samples ? lossSum / static_cast<double>(r.samples) : 0;
  r.accuracy = r.samples ? static_cast<double>(correct) / static_cast<double>(r.samples) : 0;
  return r;
}

torch::Tensor Trainer::predict(const torch::Tensor& features, int64_t batchSize) {
  c10::InferenceMode guard;
  net_->eval();
  if (!inference_) inference_ = std::make_unique<InferenceNet>(net_, inferenceDtype_);
  const int64_t n = features.size(0);
  // Small inputs on one intra-op thread (native/threads.h); results do not depend on the thread count beyond float rounding.
  std::optional<IntraOpThreadsScope> serial;
  if (device_.is_cpu() && n <= serialForwardWindows() && at::get_num_threads() > 1) serial.emplace(1);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < n; start += batchSize) {
    auto x = features.narrow(0, start, std::min(batchSize, n - start)).unsqueeze(1).to(device_);
    parts.push_back(torch::softmax(inference_->forward(x), 1).to(torch::kCPU));
  }
  return parts.size() == 1 ? parts[0] : torch::cat(parts, 0);
}

void Trainer::setInferenceDtype(torch::Dtype dtype) {
  if (dtype != torch::kFloat && dtype != torch::kBFloat16) throw std::invalid_argument("the inference precision must be float32 or bfloat16");
  if (dtype != inferenceDtype_) inference_.reset();
  inferenceDtype_ = dtype;
}

NamedTensors Trainer::state() {
  NamedTensors out;
  for (auto& [name, t] : collect(*net_)) out.emplace_back(name, t.detach().to(torch::kCPU).clone());
  return out;
}

void Trainer::loadState(const NamedTensors& tensors) {
  std::map<std::string, torch::Tensor> given(tensors.begin(), tensors.end());
  auto own = collect(*net_);
  for (auto& [name, t] : own) {
    auto it = given.find(name);
    if (it == given.end()) throw std::invalid_argument("the weights have no tensor '" + name + "' (a bundle of another architecture?)");
    if (it->second.sizes() != t.sizes()) {
      std::ostringstream msg;
      msg << "tensor '" << name << "' has shape " << it->second.sizes() << " but the model expects " << t.sizes();
      throw std::invalid_argument(msg.str());
    }
  }
  if (given.size() != own.size()) throw std::invalid_argument("the weights hold " + std::to_string(given.size()) + " tensors, the model has " + std::to_string(own.size()));
  torch::NoGradGuard guard;
  for (auto& [name, t] : own) t.copy_(given[name].to(t.device(), t.dtype()));
  inference_.reset();
}

void Trainer::snapshot() { snapshot_ = state(); }

bool Trainer::restore() {
  if (snapshot_.empty()) return false;
  loadState(snapshot_);
  return true;
}

}  // namespace ser
