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

class TrainEpochWorker : public Napi::AsyncProgressQueueWorker<BatchProgress> {
 public:
  TrainEpochWorker(Napi::Env env, std::shared_ptr<Trainer> trainer, std::shared_ptr<std::atomic<bool>> cancel, torch::Tensor features,
                   torch::Tensor labels, EpochOptions options, Napi::Function onProgress);
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
  torch::Tensor features_, labels_;
  EpochOptions options_;
  Napi::FunctionReference onProgress_;
  EpochResult result_;
  CapturedError failure_;  // coded on the worker thread, thrown as JS on the main thread
};

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
