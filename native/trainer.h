// Training, evaluation and weights of one SerNet on one device: the tensor work behind the
// NativeModel binding. The TypeScript side orchestrates epochs, schedules and early stopping.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "inference_net.h"
#include "model.h"

namespace ser {

// Windows per forward pass in prediction. Small on purpose: at 8 windows a conv block's activations
// stay under glibc's 32 MB mmap ceiling on any thread's arena; at 64 every op faulted in fresh pages
// (26 ms per window against 3.7 ms at 8, torch 2.13 on 2 threads, tmp/batch_sweep.py).
constexpr int64_t kPredictBatch = 8;

struct OptimizerOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, weightDecay = 0.0;
  bool decoupledWeightDecay = false;  // AdamW instead of Adam's L2 term
  double clipNorm = 0.0;              // 0 = no gradient clipping
  double labelSmoothing = 0.0;
  std::vector<double> classWeights;   // empty = unweighted cross-entropy
};

struct EpochOptions {
  int64_t batchSize = 32;
  uint64_t seed = 0;
  // SpecAugment (Park et al. 2019): masks of up to `width` mel bins / frames, `count` of each.
  int64_t freqMasks = 0, freqMaskWidth = 0, timeMasks = 0, timeMaskWidth = 0;
  double mixupAlpha = 0.0;  // 0 = off
  // Knowledge distillation: the share α in [0, 1] of the loss on the teacher's probabilities (Batch.q):
  // (1−α)·CE(logits, y) + α·(−Σ_k q_k·log_softmax(logits)_k), mean over the batch. 0 = labels only.
  double teacherWeight = 0.0;
  // The forward pass and loss under bfloat16 autocast (CPU only); weights and optimizer stay float32.
  bool bf16 = false;
};

// Wall seconds per phase of an epoch (steady clock on the worker thread; on CUDA, launch time
// unless a phase synchronises). intraOpThreads: LibTorch's threads as seen by this thread.
struct EpochTimings {
  double batch = 0, specAugment = 0, forward = 0, backward = 0, step = 0, progress = 0;
  double noise = 0, noisyLogMel = 0, crops = 0;  // the batch producer's own work (native/epoch_pipeline.cc)
  int intraOpThreads = 0;
};

struct EpochResult {
  double loss = 0, accuracy = 0;
  int64_t batches = 0, samples = 0;
  bool cancelled = false;
  EpochTimings seconds;
};

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// One training batch on the CPU: x [batch, 1, nMels, frames] float (augmented), y [batch] int64, and
// optionally q [batch, nClasses] float, a teacher's probabilities (soft targets; EpochOptions.teacherWeight).
struct Batch {
  torch::Tensor x, y, q;
};

class Trainer {
 public:
  Trainer(const ModelConfig& config, const torch::Device& device, uint64_t seed);

  void configureOptimizer(const OptimizerOptions& options);
  void setLearningRate(double lr);
  void setNormalization(const torch::Tensor& mean, const torch::Tensor& std);

  // features [n, nMels, frames] float, labels [n] int64, both on CPU.
  EpochResult trainEpoch(const torch::Tensor& features, const torch::Tensor& labels, const EpochOptions& options,
                         const std::function<void(int64_t batch, int64_t batches, double loss)>& progress,
                         const std::atomic<bool>& cancel);
  // The training loop over batches from `next` (false = no more): forward, loss, backward, clipping,
  // optimizer step. `rng` drives mixup; dropout follows LibTorch's generator seeded with o.seed.
  // Seconds waiting for `next` count as r.seconds.batch.
  EpochResult trainBatches(const std::function<bool(Batch&)>& next, int64_t batches, const EpochOptions& o, std::mt19937_64& rng,
                           const std::function<void(int64_t batch, int64_t batches, double loss)>& progress, const std::atomic<bool>& cancel);
  // The per-mel mean the SpecAugment masks are filled with (the normalisation mean), on CPU.
  torch::Tensor maskFill() const { return net_->featMean.detach().to(torch::kCPU).clone(); }
  // Softmax probabilities [n, nClasses] on CPU, in eval mode, through the folded InferenceNet.
  torch::Tensor predict(const torch::Tensor& features, int64_t batchSize);
  // The dtype predict() runs in: torch::kFloat (default) or torch::kBFloat16 (InferenceNet).
  void setInferenceDtype(torch::Dtype dtype);
  torch::Dtype inferenceDtype() const { return inferenceDtype_; }

  NamedTensors state();                       // parameters and buffers, on CPU
  void loadState(const NamedTensors& tensors);  // validates names and shapes
  void snapshot();                            // keep a copy of the current weights in memory
  bool restore();                             // back to the last snapshot (false if none)

  const ModelConfig& config() const { return net_->config; }
  const torch::Device& device() const { return device_; }
  // The one way to hold this model (every binding call, worker and ensemble prediction that touches
  // it): the lock when nothing else runs on it, else CodedError ERR_BUSY ("<who> is busy ...") at
  // once; nothing ever waits. `who` names the model in the message.
  std::unique_lock<std::mutex> lockIdle(const std::string& who = "the model");

 private:
  torch::Tensor specAugment(torch::Tensor x, const EpochOptions& o, std::mt19937_64& rng);

  SerNet net_{nullptr};
  std::unique_ptr<InferenceNet> inference_;  // built on the first predict; dropped when weights or dtype change
  torch::Dtype inferenceDtype_ = torch::kFloat;
  torch::Device device_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  OptimizerOptions optimizerOptions_;
  torch::Tensor classWeights_;
  NamedTensors snapshot_;
  std::mutex mutex_;
};

}  // namespace ser
