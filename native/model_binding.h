// NativeModel: the JS class around a Trainer (one CNN+LSTM on one device).
// One class over two files, split by job: a JS class is one DefineClass and one wrapped object (here
// holding the Trainer and the TrainingSet its epochs read), so its methods cannot be spread over two
// classes. native/model_binding.cc: construction, optimizer, weights, training on given features
// (trainEpoch), prediction and Define(); native/epoch_binding.cc: the methods of the native epoch
// pipeline (setTrainingData, trainPlannedEpoch, planInputs).
#pragma once
#include <memory>

#include "common.h"
#include "epoch_pipeline.h"
#include "trainer.h"

namespace ser {

class NativeModel : public Napi::ObjectWrap<NativeModel> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NativeModel(const Napi::CallbackInfo& info);
  // The NativeModel behind a JS value, or nullptr when it is not one (checked with instanceof).
  static NativeModel* FromValue(const Napi::Value& v);
  std::shared_ptr<Trainer> trainer() const { return trainer_; }

 private:
  Napi::Value ConfigureOptimizer(const Napi::CallbackInfo& info);
  Napi::Value SetLearningRate(const Napi::CallbackInfo& info);
  Napi::Value SetNormalization(const Napi::CallbackInfo& info);
  Napi::Value TrainEpoch(const Napi::CallbackInfo& info);
  // The native epoch pipeline: defined in native/epoch_binding.cc.
  Napi::Value SetTrainingData(const Napi::CallbackInfo& info);
  Napi::Value TrainPlannedEpoch(const Napi::CallbackInfo& info);
  Napi::Value PlanInputs(const Napi::CallbackInfo& info);  // the producer's inputs for some entries (tests)
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value PredictAsync(const Napi::CallbackInfo& info);
  Napi::Value GetState(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
  Napi::Value Snapshot(const Napi::CallbackInfo& info);
  Napi::Value Restore(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Describe(const Napi::CallbackInfo& info);
  Napi::Value SetInferencePrecision(const Napi::CallbackInfo& info);

  std::shared_ptr<Trainer> trainer_;
  std::shared_ptr<TrainingSet> trainingSet_;
  std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
};

// Features passed from JS as a flat Float32Array [n · nMels · frames], copied into a tensor.
torch::Tensor featuresFromJs(const Napi::Value& v, int64_t n, int64_t nMels, int64_t frames);

// EpochOptions from the JS request object (batchSize, seed, SpecAugment counts/widths, mixupAlpha).
EpochOptions readEpochOptions(const Napi::Value& v);

}  // namespace ser
