#include "ensemble.h"

#include "model_binding.h"

namespace ser {

torch::Tensor ensemblePredict(const std::vector<std::shared_ptr<Trainer>>& members, const torch::Tensor& features) {
  torch::Tensor sum;
  for (size_t i = 0; i < members.size(); ++i) {
    std::unique_lock<std::mutex> lock(members[i]->mutex(), std::try_to_lock);
    if (!lock.owns_lock()) throw CodedError("ERR_BUSY", "ensemble member " + std::to_string(i) + " is busy (an epoch or a prediction is running)");
    auto p = members[i]->predict(features, 64).to(torch::kFloat64);  // sum in double: the mean is exact to float rounding
    sum = sum.defined() ? sum + p : p;
  }
  return (sum / static_cast<double>(members.size())).to(torch::kFloat32);
}

namespace {

class EnsemblePredictWorker : public Napi::AsyncWorker {
 public:
  EnsemblePredictWorker(Napi::Env env, std::vector<std::shared_ptr<Trainer>> members, torch::Tensor features)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), members_(std::move(members)), features_(std::move(features)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      probabilities_ = ensemblePredict(members_, features_);
    } catch (const std::exception& e) {
      failure_ = capture(e);
      SetError(failure_.message);
    }
  }
  void OnOK() override { deferred_.Resolve(toFloat32Array(Env(), probabilities_)); }
  void OnError(const Napi::Error&) override { deferred_.Reject(toJsError(Env(), failure_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::shared_ptr<Trainer>> members_;
  torch::Tensor features_, probabilities_;
  CapturedError failure_;
};

}  // namespace

Napi::Function NativeEnsemble::Define(Napi::Env env) {
  return DefineClass(env, "NativeEnsemble",
                     {InstanceMethod("predict", &NativeEnsemble::Predict), InstanceMethod("predictAsync", &NativeEnsemble::PredictAsync),
                      InstanceMethod("size", &NativeEnsemble::Size)});
}

NativeEnsemble::NativeEnsemble(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeEnsemble>(info) {
  guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0) throw ArgumentError("Expected a non-empty array of NativeModel for members");
    auto list = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      NativeModel* m = NativeModel::FromValue(list.Get(i));
      if (!m) throw ArgumentError("Expected NativeModel for members[" + std::to_string(i) + "]");
      const auto& c = m->trainer()->config();
      const auto& c0 = members_.empty() ? c : members_[0]->config();
      if (c.nMels != c0.nMels || c.nClasses != c0.nClasses)
        throw ArgumentError("members[" + std::to_string(i) + "] takes " + std::to_string(c.nMels) + " mel bins and has " + std::to_string(c.nClasses) +
                            " classes, but members[0] takes " + std::to_string(c0.nMels) + " and has " + std::to_string(c0.nClasses));
      if (m->trainer()->device() != (members_.empty() ? m->trainer()->device() : members_[0]->device()))
        throw ArgumentError("members[" + std::to_string(i) + "] is on another device than members[0]");
      members_.push_back(m->trainer());
      keep_.push_back(Napi::Persistent(list.Get(i).As<Napi::Object>()));
    }
    return info.Env().Undefined();
  });
}

torch::Tensor NativeEnsemble::features(const Napi::CallbackInfo& info) const {
  if (!info[1].IsNumber() || !info[2].IsNumber()) throw ArgumentError("Expected integers for n and frames");
  return featuresFromJs(info[0], info[1].As<Napi::Number>().Int64Value(), members_[0]->config().nMels, info[2].As<Napi::Number>().Int64Value());
}

Napi::Value NativeEnsemble::Predict(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value { return toFloat32Array(info.Env(), ensemblePredict(members_, features(info))); });
}

Napi::Value NativeEnsemble::PredictAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto* worker = new EnsemblePredictWorker(info.Env(), members_, features(info));
    auto promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

Napi::Value NativeEnsemble::Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(members_.size())); }

}  // namespace ser
