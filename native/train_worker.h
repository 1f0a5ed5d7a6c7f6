// Long work off the JS thread: one training epoch (with per-batch progress) and batch prediction.
#pragma once
#include <memory>

#include "common.h"
#include "trainer.h"

namespace ser {

struct BatchProgress {
  int64_t batch, batches;
  double loss;
};

// The epoch itself: given the per-batch progress function and the cancel flag, it trains and
// returns the result (ready tensors: Trainer::trainEpoch; planned: trainPlannedEpoch).
using EpochJob = std::function<EpochResult(const std::function<void(int64_t, int64_t, double)>&, const std::atomic<bool>&)>;

class TrainEpochWorker : public Napi::AsyncProgressQueueWorker<BatchProgress> {
 public:
  TrainEpochWorker(Napi::Env env, std::shared_ptr<Trainer> trainer, std::shared_ptr<std::atomic<bool>> cancel, EpochJob job,
                   Napi::Function onProgress);
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute(const ExecutionProgress& progress) override;
  void OnProgress(const BatchProgress* data, size_t count) override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Trainer> trainer_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  EpochJob job_;
  Napi::FunctionReference onProgress_;
  EpochResult result_;
  CapturedError failure_;  // coded on the worker thread, thrown as JS on the main thread
};

// How every epoch starts: clears the model's cancel flag, queues `job` on libuv's pool with an
// optional progress callback (`onProgress` when it is a function) and returns the epoch's promise.
Napi::Promise startEpoch(Napi::Env env, std::shared_ptr<Trainer> trainer, std::shared_ptr<std::atomic<bool>> cancel, EpochJob job,
                         const Napi::Value& onProgress);

class PredictWorker : public Napi::AsyncWorker {
 public:
  PredictWorker(Napi::Env env, std::shared_ptr<Trainer> trainer, torch::Tensor features);
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Trainer> trainer_;
  torch::Tensor features_, probabilities_;
  CapturedError failure_;
};

}  // namespace ser
