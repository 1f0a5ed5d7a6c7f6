// NativeModel's construction, optimizer, weights, training on given features and prediction, and its
// Define() (the whole class's method table); the epoch pipeline's methods are in
// native/epoch_binding.cc (why one class over two files: native/model_binding.h).
#include "model_binding.h"

#include <cstring>

#include "train_worker.h"

namespace ser {

namespace {

ModelConfig readModelConfig(const Napi::Object& o) {
  const std::string w = "config";
  ModelConfig c;
  c.nMels = requireInt(o, "nMels", w);
  c.nClasses = requireInt(o, "nClasses", w);
  auto readFour = [&](const char* key) {
    Napi::Value v = o.Get(key);
    if (!v.IsArray() || v.As<Napi::Array>().Length() != 4) throw ArgumentError(std::string("Expected an array of 4 integers for config.") + key);
    std::array<int64_t, 4> out{};
    for (uint32_t i = 0; i < 4; ++i) {
      Napi::Value e = v.As<Napi::Array>().Get(i);
      if (!e.IsNumber()) throw ArgumentError(std::string("Expected an array of 4 integers for config.") + key);
      out[i] = e.As<Napi::Number>().Int64Value();
    }
    return out;
  };
  c.channels = readFour("channels");
  c.poolFreq = readFour("poolFreq");
  c.poolTime = readFour("poolTime");
  c.convDropout = requireNumber(o, "convDropout", w);
  c.activation = requireString(o, "activation", w);
  c.lstmHidden = requireInt(o, "lstmHidden", w);
  c.lstmLayers = requireInt(o, "lstmLayers", w);
  c.bidirectional = requireBool(o, "bidirectional", w);
  c.lstmDropout = requireNumber(o, "lstmDropout", w);
  c.headDropout = requireNumber(o, "headDropout", w);
  c.pooling = requireString(o, "pooling", w);
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw ArgumentError(std::string("invalid model config: ") + e.what());
  }
  return c;
}

}  // namespace

torch::Tensor featuresFromJs(const Napi::Value& v, int64_t n, int64_t nMels, int64_t frames) {
  auto arr = requireFloat32Array(v, "features");
  if (n < 1 || frames < 1) throw ArgumentError("Expected at least one sample and one frame");
  if (static_cast<int64_t>(arr.ElementLength()) != n * nMels * frames)
    throw ArgumentError("features has " + std::to_string(arr.ElementLength()) + " values, expected n·nMels·frames = " +
                        std::to_string(n) + "·" + std::to_string(nMels) + "·" + std::to_string(frames));
  auto t = torch::empty({n, nMels, frames}, torch::kFloat32);
  std::memcpy(t.data_ptr<float>(), arr.Data(), sizeof(float) * static_cast<size_t>(t.numel()));
  return t;
}

// One constructor per environment; each environment (main thread, worker_threads) has its own thread.
static thread_local Napi::FunctionReference* nativeModelCtor = nullptr;

NativeModel* NativeModel::FromValue(const Napi::Value& v) {
  if (!nativeModelCtor || !v.IsObject() || !v.As<Napi::Object>().InstanceOf(nativeModelCtor->Value())) return nullptr;
  return NativeModel::Unwrap(v.As<Napi::Object>());
}

EpochOptions readEpochOptions(const Napi::Value& v) {
  auto o = requireObject(v, "options");
  const std::string w = "options";
  EpochOptions eo;
  eo.batchSize = requireInt(o, "batchSize", w);
  eo.seed = static_cast<uint64_t>(requireInt(o, "seed", w));
  eo.freqMasks = requireInt(o, "freqMasks", w);
  eo.freqMaskWidth = requireInt(o, "freqMaskWidth", w);
  eo.timeMasks = requireInt(o, "timeMasks", w);
  eo.timeMaskWidth = requireInt(o, "timeMaskWidth", w);
  eo.mixupAlpha = requireNumber(o, "mixupAlpha", w);
  if (!isNullish(o, "teacherWeight")) eo.teacherWeight = requireNumber(o, "teacherWeight", w);
  eo.bf16 = !isNullish(o, "bf16") && requireBool(o, "bf16", w);
  if (eo.batchSize < 1) throw ArgumentError("Expected positive integer for options.batchSize");
  if (!(eo.teacherWeight >= 0 && eo.teacherWeight <= 1)) throw ArgumentError("Expected a number in [0, 1] for options.teacherWeight");
  return eo;
}

Napi::Function NativeModel::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "NativeModel",
                     {InstanceMethod("configureOptimizer", &NativeModel::ConfigureOptimizer),
                      InstanceMethod("setLearningRate", &NativeModel::SetLearningRate),
                      InstanceMethod("setNormalization", &NativeModel::SetNormalization),
                      InstanceMethod("trainEpoch", &NativeModel::TrainEpoch),
                      InstanceMethod("setTrainingData", &NativeModel::SetTrainingData),
                      InstanceMethod("trainPlannedEpoch", &NativeModel::TrainPlannedEpoch),
                      InstanceMethod("planInputs", &NativeModel::PlanInputs),
                      InstanceMethod("predict", &NativeModel::Predict),
                      InstanceMethod("predictAsync", &NativeModel::PredictAsync),
                      InstanceMethod("getState", &NativeModel::GetState),
                      InstanceMethod("setState", &NativeModel::SetState),
                      InstanceMethod("snapshot", &NativeModel::Snapshot),
                      InstanceMethod("restore", &NativeModel::Restore),
                      InstanceMethod("cancel", &NativeModel::Cancel),
                      InstanceMethod("describe", &NativeModel::Describe),
                      InstanceMethod("setInferencePrecision", &NativeModel::SetInferencePrecision)});
  // Released with the environment: the pointer is cleared (not deleted: the reference dies with its env).
  nativeModelCtor = new Napi::FunctionReference(Napi::Persistent(ctor));
  env.AddCleanupHook([]() { nativeModelCtor = nullptr; });
  return ctor;
}

NativeModel::NativeModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeModel>(info) {
  guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 3) throw ArgumentError("Expected (config, device, seed)");
    const ModelConfig config = readModelConfig(requireObject(info[0], "config"));
    if (!info[1].IsString()) throw ArgumentError("Expected string for device");
    const torch::Device device = parseDevice(info[1].As<Napi::String>().Utf8Value());
    if (!info[2].IsNumber()) throw ArgumentError("Expected integer for seed");
    trainer_ = std::make_shared<Trainer>(config, device, static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value()));
    return info.Env().Undefined();
  });
}

Napi::Value NativeModel::ConfigureOptimizer(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto o = requireObject(info[0], "options");
    const std::string w = "options";
    OptimizerOptions opt;
    opt.lr = requireNumber(o, "lr", w);
    opt.beta1 = requireNumber(o, "beta1", w);
    opt.beta2 = requireNumber(o, "beta2", w);
    opt.weightDecay = requireNumber(o, "weightDecay", w);
    opt.decoupledWeightDecay = requireBool(o, "decoupledWeightDecay", w);
    opt.clipNorm = requireNumber(o, "clipNorm", w);
    opt.labelSmoothing = requireNumber(o, "labelSmoothing", w);
    if (!isNullish(o, "classWeights")) {
      auto cw = requireFloat32Array(o.Get("classWeights"), "options.classWeights");
      opt.classWeights.assign(cw.Data(), cw.Data() + cw.ElementLength());
    }
    auto lock = trainer_->lockIdle();
    try {
      trainer_->configureOptimizer(opt);
    } catch (const std::invalid_argument& e) {
      throw ArgumentError(e.what());
    }
    return info.Env().Undefined();
  });
}

Napi::Value NativeModel::SetLearningRate(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (!info[0].IsNumber() || !(info[0].As<Napi::Number>().DoubleValue() > 0)) throw ArgumentError("Expected positive number for lr");
    auto lock = trainer_->lockIdle();
    trainer_->setLearningRate(info[0].As<Napi::Number>().DoubleValue());
    return info.Env().Undefined();
  });
}

Napi::Value NativeModel::SetNormalization(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto mean = requireFloat32Array(info[0], "mean");
    auto std = requireFloat32Array(info[1], "std");
    auto toTensor = [](Napi::Float32Array a) {
      return torch::from_blob(a.Data(), {static_cast<int64_t>(a.ElementLength())}, torch::kFloat32).clone();
    };
    auto lock = trainer_->lockIdle();
    try {
      trainer_->setNormalization(toTensor(mean), toTensor(std));
    } catch (const std::invalid_argument& e) {
      throw ArgumentError(e.what());
    }
    return info.Env().Undefined();
  });
}

Napi::Value NativeModel::TrainEpoch(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    // trainEpoch(features, labels: Int32Array, n, frames, options, onProgress?)
    if (info.Length() < 5) throw ArgumentError("Expected (features, labels, n, frames, options[, onProgress])");
    if (!info[2].IsNumber() || !info[3].IsNumber()) throw ArgumentError("Expected integers for n and frames");
    const int64_t n = info[2].As<Napi::Number>().Int64Value(), frames = info[3].As<Napi::Number>().Int64Value();
    auto features = featuresFromJs(info[0], n, trainer_->config().nMels, frames);
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw ArgumentError("Expected Int32Array for labels");
    auto labelsJs = info[1].As<Napi::Int32Array>();
    if (static_cast<int64_t>(labelsJs.ElementLength()) != n) throw ArgumentError("labels must have n entries");
    auto labels = torch::from_blob(labelsJs.Data(), {n}, torch::kInt32).to(torch::kLong);
    const EpochOptions eo = readEpochOptions(info[4]);
    auto trainer = trainer_;
    EpochJob job = [trainer, features, labels, eo](const std::function<void(int64_t, int64_t, double)>& progress, const std::atomic<bool>& cancel) {
      return trainer->trainEpoch(features, labels, eo, progress, cancel);
    };
    return startEpoch(info.Env(), trainer_, cancel_, std::move(job), info[5]);
  });
}

Napi::Value NativeModel::Predict(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (!info[1].IsNumber() || !info[2].IsNumber()) throw ArgumentError("Expected integers for n and frames");
    auto features = featuresFromJs(info[0], info[1].As<Napi::Number>().Int64Value(), trainer_->config().nMels, info[2].As<Napi::Number>().Int64Value());
    auto lock = trainer_->lockIdle();
    return toFloat32Array(info.Env(), trainer_->predict(features, kPredictBatch));
  });
}

Napi::Value NativeModel::PredictAsync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (!info[1].IsNumber() || !info[2].IsNumber()) throw ArgumentError("Expected integers for n and frames");
    auto features = featuresFromJs(info[0], info[1].As<Napi::Number>().Int64Value(), trainer_->config().nMels, info[2].As<Napi::Number>().Int64Value());
    auto* worker = new PredictWorker(info.Env(), trainer_, std::move(features));
    auto promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

Napi::Value NativeModel::GetState(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto lock = trainer_->lockIdle();
    auto state = trainer_->state();
    auto out = Napi::Array::New(env, state.size());
    for (size_t i = 0; i < state.size(); ++i) {
      auto entry = Napi::Object::New(env);
      entry.Set("name", state[i].first);
      auto shape = Napi::Array::New(env, state[i].second.dim());
      for (int64_t d = 0; d < state[i].second.dim(); ++d) shape.Set(static_cast<uint32_t>(d), Napi::Number::New(env, static_cast<double>(state[i].second.size(d))));
      entry.Set("shape", shape);
      entry.Set("data", toFloat32Array(env, state[i].second));
      out.Set(static_cast<uint32_t>(i), entry);
    }
    return out;
  });
}

Napi::Value NativeModel::SetState(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (!info[0].IsArray()) throw ArgumentError("Expected an array of { name, shape, data } for state");
    auto list = info[0].As<Napi::Array>();
    NamedTensors tensors;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      auto e = requireObject(list.Get(i), "state[" + std::to_string(i) + "]");
      const std::string name = requireString(e, "name", "state[i]");
      auto shapeJs = e.Get("shape");
      if (!shapeJs.IsArray()) throw ArgumentError("Expected array for state[" + std::to_string(i) + "].shape");
      std::vector<int64_t> shape;
      int64_t numel = 1;
      for (uint32_t d = 0; d < shapeJs.As<Napi::Array>().Length(); ++d) {
        shape.push_back(shapeJs.As<Napi::Array>().Get(d).As<Napi::Number>().Int64Value());
        numel *= shape.back();
      }
      auto data = requireFloat32Array(e.Get("data"), "state[" + std::to_string(i) + "].data");
      if (static_cast<int64_t>(data.ElementLength()) != numel) throw ArgumentError("tensor '" + name + "' has " + std::to_string(data.ElementLength()) + " values for its shape's " + std::to_string(numel));
      tensors.emplace_back(name, torch::from_blob(data.Data(), shape, torch::kFloat32).clone());
    }
    auto lock = trainer_->lockIdle();
    try {
      trainer_->loadState(tensors);
    } catch (const std::invalid_argument& e) {
      throw CodedError("ERR_MODEL", std::string("the weights do not fit this model: ") + e.what());
    }
    return info.Env().Undefined();
  });
}

Napi::Value NativeModel::Snapshot(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto lock = trainer_->lockIdle();
    trainer_->snapshot();
    return info.Env().Undefined();
  });
}

Napi::Value NativeModel::Restore(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto lock = trainer_->lockIdle();
    return Napi::Boolean::New(info.Env(), trainer_->restore());
  });
}

Napi::Value NativeModel::Cancel(const Napi::CallbackInfo& info) {
  cancel_->store(true);  // checked between batches
  return info.Env().Undefined();
}

Napi::Value NativeModel::Describe(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto out = Napi::Object::New(info.Env());
    out.Set("device", trainer_->device().str());
    int64_t params = 0;
    auto lock = trainer_->lockIdle();
    for (auto& [name, t] : trainer_->state())
      if (name.find("running_") == std::string::npos && name.find("num_batches") == std::string::npos && name.find("feat_") == std::string::npos) params += t.numel();
    out.Set("parameters", Napi::Number::New(info.Env(), static_cast<double>(params)));
    out.Set("precision", trainer_->inferenceDtype() == torch::kBFloat16 ? "bfloat16" : "float32");
    return out;
  });
}

Napi::Value NativeModel::SetInferencePrecision(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const std::string p = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    if (p != "float32" && p != "bfloat16") throw ArgumentError("Expected 'float32' or 'bfloat16' for precision");
    auto lock = trainer_->lockIdle();
    trainer_->setInferenceDtype(p == "bfloat16" ? torch::kBFloat16 : torch::kFloat);
    return info.Env().Undefined();
  });
}

}  // namespace ser
