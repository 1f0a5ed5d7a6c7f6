// NativeEnsemble: K member networks (NativeModel objects with the same input and classes, possibly
// different architectures) whose softmax probabilities are averaged in one call, sync or off the
// JS thread. The members stay owned by their JS objects; the ensemble keeps them alive.
#pragma once
#include <memory>
#include <vector>

#include "common.h"
#include "trainer.h"

namespace ser {

// Mean of the members' softmax outputs for features [n, nMels, frames] (each member locked in turn).
torch::Tensor ensemblePredict(const std::vector<std::shared_ptr<Trainer>>& members, const torch::Tensor& features);

class NativeEnsemble : public Napi::ObjectWrap<NativeEnsemble> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NativeEnsemble(const Napi::CallbackInfo& info);

 private:
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value PredictAsync(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);
  torch::Tensor features(const Napi::CallbackInfo& info) const;

  std::vector<std::shared_ptr<Trainer>> members_;
  std::vector<Napi::ObjectReference> keep_;
};

}  // namespace ser
