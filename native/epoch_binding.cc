// The bindings of the native epoch pipeline (native/epoch_pipeline.h): NativeModel's methods
//   setTrainingData(clips: Float32Array[], labels: Int32Array, mel,
//                   { utteranceNorm, utteranceStd?, speakerStats?: Float32Array [clips·2·nMels],
//                     teacher?: Float32Array [clips·nClasses], speechMasks?: Uint8Array [Σ frames],
//                     windowFrames, padSamples })
//     → { frames: Int32Array, mean: Float32Array, std: Float32Array }
//   trainPlannedEpoch(plan, options, onProgress?) → Promise<EpochStats>
//   planInputs(plan, entries: Int32Array) → Float32Array (the producer's inputs for some entries; tests)
// and the free functions whiteNoise() and liveProducerThreads(). NativeModel is one JS class (one
// DefineClass, in native/model_binding.cc, and one wrapped object holding the Trainer and the
// TrainingSet), so these methods stay members of it; they live here because their job is the epoch
// pipeline, not the model (native/model_binding.h).
#include "epoch_binding.h"

#include <cmath>

#include "mel_bindings.h"
#include "model_binding.h"
#include "train_worker.h"

namespace ser {

namespace {

template <class T>
std::vector<T> typedVector(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* typeName) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw ArgumentError(std::string("Expected ") + typeName + " for plan." + key);
  auto a = v.As<Napi::TypedArrayOf<T>>();
  return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}

std::shared_ptr<EpochPlan> readPlan(const Napi::Value& v, const TrainingSet& set) {
  auto p = requireObject(v, "plan");
  auto plan = std::make_shared<EpochPlan>();
  plan->order = typedVector<int32_t>(p, "order", napi_int32_array, "Int32Array");
  plan->item = typedVector<int32_t>(p, "item", napi_int32_array, "Int32Array");
  plan->snrDb = typedVector<float>(p, "snrDb", napi_float32_array, "Float32Array");
  plan->noiseSeed = typedVector<uint32_t>(p, "noiseSeed", napi_uint32_array, "Uint32Array");
  plan->start = typedVector<int32_t>(p, "start", napi_int32_array, "Int32Array");
  plan->timeScale = typedVector<double>(p, "timeScale", napi_float64_array, "Float64Array");
  plan->freqScale = typedVector<double>(p, "freqScale", napi_float64_array, "Float64Array");
  plan->masks = typedVector<int32_t>(p, "masks", napi_int32_array, "Int32Array");
  plan->freqMasks = requireInt(p, "freqMasks", "plan");
  plan->timeMasks = requireInt(p, "timeMasks", "plan");
  if (!isNullish(p, "bySpeaker")) plan->bySpeaker = typedVector<uint8_t>(p, "bySpeaker", napi_uint8_array, "Uint8Array");
  try {
    plan->validate(set);
  } catch (const std::invalid_argument& e) {
    throw ArgumentError(e.what());
  }
  return plan;
}

}  // namespace

Napi::Value NativeModel::SetTrainingData(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsArray()) throw ArgumentError("Expected (clips: Float32Array[], labels: Int32Array, melOptions, featureOptions)");
    auto list = info[0].As<Napi::Array>();
    std::vector<Napi::Float32Array> arrays;
    std::vector<const float*> clips;
    std::vector<int64_t> lengths;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      arrays.push_back(requireFloat32Array(list.Get(i), "clips[" + std::to_string(i) + "]"));
      clips.push_back(arrays.back().Data());
      lengths.push_back(static_cast<int64_t>(arrays.back().ElementLength()));
    }
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw ArgumentError("Expected Int32Array for labels");
    auto labelsJs = info[1].As<Napi::Int32Array>();
    if (labelsJs.ElementLength() != clips.size()) throw ArgumentError("labels must have one entry per clip");
    std::vector<int64_t> labels(labelsJs.Data(), labelsJs.Data() + labelsJs.ElementLength());
    for (auto l : labels)
      if (l < 0 || l >= trainer_->config().nClasses) throw ArgumentError("labels must be in [0, nClasses)");
    TrainingFeatureOptions fo;
    fo.mel = readMelOptions(requireObject(info[2], "melOptions"));
    if (fo.mel.nMels != trainer_->config().nMels) throw ArgumentError("melOptions.nMels differs from the model's nMels");
    auto f = requireObject(info[3], "featureOptions");
    fo.norm.utteranceNorm = requireBool(f, "utteranceNorm", "featureOptions");
    fo.norm.utteranceStd = !isNullish(f, "utteranceStd") && requireBool(f, "utteranceStd", "featureOptions");
    torch::Tensor speakerStats;
    if (!isNullish(f, "speakerStats")) {
      auto st = requireFloat32Array(f.Get("speakerStats"), "featureOptions.speakerStats");
      const int64_t want = static_cast<int64_t>(clips.size()) * 2 * fo.mel.nMels;
      if (static_cast<int64_t>(st.ElementLength()) != want)
        throw ArgumentError("featureOptions.speakerStats must hold clips × 2 × nMels = " + std::to_string(want) + " values, not " + std::to_string(st.ElementLength()));
      speakerStats = torch::from_blob(st.Data(), {static_cast<int64_t>(clips.size()), 2, fo.mel.nMels}, torch::kFloat32).clone();
    }
    torch::Tensor teacher;
    if (!isNullish(f, "teacher")) {
      auto q = requireFloat32Array(f.Get("teacher"), "featureOptions.teacher");
      const int64_t k = trainer_->config().nClasses, want = static_cast<int64_t>(clips.size()) * k;
      if (static_cast<int64_t>(q.ElementLength()) != want)
        throw ArgumentError("featureOptions.teacher must hold clips × nClasses = " + std::to_string(want) + " values, not " + std::to_string(q.ElementLength()));
      teacher = torch::from_blob(q.Data(), {static_cast<int64_t>(clips.size()), k}, torch::kFloat32).clone();
    }
    fo.windowFrames = requireInt(f, "windowFrames", "featureOptions");
    fo.padSamples = requireInt(f, "padSamples", "featureOptions");
    fo.device = trainer_->device();
    if (fo.windowFrames < 1 || fo.padSamples < 0) throw ArgumentError("Expected positive featureOptions.windowFrames and featureOptions.padSamples >= 0");
    // speechMasks: every clip's frames (of the clip padded to padSamples) back to back, 1 = speech.
    std::vector<torch::Tensor> speechMasks;
    if (!isNullish(f, "speechMasks")) {
      auto v = f.Get("speechMasks");
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw ArgumentError("Expected Uint8Array for featureOptions.speechMasks");
      auto masks = v.As<Napi::Uint8Array>();
      int64_t at = 0;
      for (size_t i = 0; i < clips.size(); ++i) {
        const int64_t frames = frameCount(fo.mel, std::max(lengths[i], fo.padSamples));
        if (at + frames > static_cast<int64_t>(masks.ElementLength())) throw ArgumentError("featureOptions.speechMasks is shorter than the clips' frames (" + std::to_string(masks.ElementLength()) + " values)");
        speechMasks.push_back(torch::from_blob(masks.Data() + at, {frames}, torch::kUInt8).to(torch::kBool));
        at += frames;
      }
      if (at != static_cast<int64_t>(masks.ElementLength())) throw ArgumentError("featureOptions.speechMasks must hold one value per frame of every clip: " + std::to_string(at) + ", not " + std::to_string(masks.ElementLength()));
    }
    std::shared_ptr<TrainingSet> set;
    try {
      set = std::make_shared<TrainingSet>(clips, lengths, std::move(labels), fo, speakerStats, teacher, std::move(speechMasks));
    } catch (const std::invalid_argument& e) {
      throw ArgumentError(e.what());
    }
    {
      auto lock = trainer_->lockIdle();
      trainingSet_ = set;
    }
    auto frames = Napi::Int32Array::New(env, static_cast<size_t>(set->size()));
    for (int64_t i = 0; i < set->size(); ++i) frames.Data()[i] = static_cast<int32_t>(set->frames(i));
    auto out = Napi::Object::New(env);
    out.Set("frames", frames);
    out.Set("mean", toFloat32Array(env, set->mean()));
    out.Set("std", toFloat32Array(env, set->std()));
    return out;
  });
}

Napi::Value NativeModel::TrainPlannedEpoch(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (!trainingSet_) throw CodedError("ERR_BUSY", "no training data: call setTrainingData() before trainPlannedEpoch()");
    if (info.Length() < 2) throw ArgumentError("Expected (plan, options[, onProgress])");
    auto plan = readPlan(info[0], *trainingSet_);
    auto p = info[0].As<Napi::Object>();
    const int64_t prefetch = isNullish(p, "prefetch") ? 3 : requireInt(p, "prefetch", "plan");
    if (prefetch < 1) throw ArgumentError("Expected positive integer for plan.prefetch");
    const EpochOptions eo = readEpochOptions(info[1]);
    if (eo.teacherWeight > 0 && !trainingSet_->hasTeacher())
      throw ArgumentError("options.teacherWeight > 0 needs the teacher's probabilities: pass featureOptions.teacher to setTrainingData");
    auto trainer = trainer_;
    auto set = trainingSet_;
    EpochJob job = [trainer, set, plan, eo, prefetch](const std::function<void(int64_t, int64_t, double)>& progress, const std::atomic<bool>& cancel) {
      EpochTimings made;
      EpochResult r = trainPlannedEpoch(*trainer, *set, *plan, eo, prefetch, progress, cancel, &made);
      r.seconds.noise = made.noise;
      r.seconds.noisyLogMel = made.noisyLogMel;
      r.seconds.crops = made.crops;
      return r;
    };
    return startEpoch(info.Env(), trainer_, cancel_, std::move(job), info[2]);
  });
}

Napi::Value NativeModel::PlanInputs(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (!trainingSet_) throw CodedError("ERR_BUSY", "no training data: call setTrainingData() first");
    auto plan = readPlan(info[0], *trainingSet_);
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw ArgumentError("Expected Int32Array for entries");
    auto entries = info[1].As<Napi::Int32Array>();
    const int64_t nMels = trainingSet_->options().mel.nMels, len = trainingSet_->options().windowFrames;
    auto out = torch::empty({static_cast<int64_t>(entries.ElementLength()), nMels, len}, torch::kFloat32);
    auto lock = trainer_->lockIdle();
    const auto fill = trainer_->maskFill();
    for (size_t k = 0; k < entries.ElementLength(); ++k) {
      const int32_t e = entries[k];
      if (e < 0 || static_cast<size_t>(e) >= plan->item.size()) throw ArgumentError("entries[" + std::to_string(k) + "] is not an entry of the plan");
      makeInput(*trainingSet_, *plan, e, fill, out.data_ptr<float>() + static_cast<int64_t>(k) * nMels * len, nullptr);
    }
    return toFloat32Array(info.Env(), out);
  });
}

Napi::Value WhiteNoise(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto clip = requireFloat32Array(info[0], "clip");
    if (!info[1].IsNumber() || !std::isfinite(info[1].As<Napi::Number>().DoubleValue())) throw ArgumentError("Expected finite number for snrDb");
    if (!info[2].IsNumber() || info[2].As<Napi::Number>().DoubleValue() < 0) throw ArgumentError("Expected non-negative integer for seed");
    const int64_t len = static_cast<int64_t>(clip.ElementLength());
    auto x = torch::from_blob(clip.Data(), {len}, torch::kFloat32).clone();
    if (len > 0) addWhiteNoise(x, len, info[1].As<Napi::Number>().DoubleValue(), static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value()));
    return toFloat32Array(info.Env(), x);
  });
}

Napi::Value LiveProducerThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveProducerThreads()));
}

}  // namespace ser
