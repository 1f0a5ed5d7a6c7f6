// The binding of the clip pipeline (native/pipeline.cc) and its libuv worker: the clips are copied and
// checked on the JS thread, then predictClips runs there (sync) or in a PredictClipsWorker (async).
#include "pipeline_binding.h"

#include <cmath>

#include "mel_bindings.h"
#include "model_binding.h"
#include "pipeline.h"
#include "threads.h"

namespace ser {

namespace {

Napi::Object toJs(Napi::Env env, const ClipProbabilities& r) {
  auto out = Napi::Object::New(env);
  out.Set("probabilities", toFloat32Array(env, r.probabilities));
  auto starts = Napi::Int32Array::New(env, r.starts.size());
  auto owner = Napi::Int32Array::New(env, r.owner.size());
  for (size_t i = 0; i < r.starts.size(); ++i) {
    starts[i] = static_cast<int32_t>(r.starts[i]);
    owner[i] = static_cast<int32_t>(r.owner[i]);
  }
  out.Set("starts", starts);
  out.Set("owner", owner);
  return out;
}

class PredictClipsWorker : public Napi::AsyncWorker {
 public:
  PredictClipsWorker(Napi::Env env, std::vector<std::shared_ptr<Trainer>> members, ClipBatch clips, ClipPipelineOptions options)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), members_(std::move(members)), clips_(std::move(clips)), options_(std::move(options)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      applyIntraOpThreads();  // this libuv thread takes the process's current count (setNumThreads), as the epoch workers do
      result_ = predictClips(members_, clips_, options_);
    } catch (const std::exception& e) {
      failure_ = capture(e);
      SetError(failure_.message);
    }
  }
  void OnOK() override { deferred_.Resolve(toJs(Env(), result_)); }
  void OnError(const Napi::Error&) override { deferred_.Reject(toJsError(Env(), failure_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::shared_ptr<Trainer>> members_;
  ClipBatch clips_;
  ClipPipelineOptions options_;
  ClipProbabilities result_;
  CapturedError failure_;
};

}  // namespace

Napi::Value PredictClips(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 4) throw ArgumentError("Expected (members, clips, options, async)");
    if (!info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0) throw ArgumentError("Expected a non-empty array of NativeModel for members");
    std::vector<std::shared_ptr<Trainer>> members;
    auto list = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      NativeModel* m = NativeModel::FromValue(list.Get(i));
      if (!m) throw ArgumentError("Expected NativeModel for members[" + std::to_string(i) + "]");
      members.push_back(m->trainer());
    }
    auto o = requireObject(info[2], "options");
    ClipPipelineOptions opts;
    opts.mel = readMelOptions(requireObject(o.Get("logMel"), "options.logMel"));
    opts.norm.utteranceNorm = requireBool(o, "utteranceNorm", "options");
    opts.norm.utteranceStd = !isNullish(o, "utteranceStd") && requireBool(o, "utteranceStd", "options");
    if (opts.norm.utteranceStd && !opts.norm.utteranceNorm) throw ArgumentError("options.utteranceStd needs options.utteranceNorm");
    opts.windowFrames = requireInt(o, "windowFrames", "options");
    opts.hopFrames = requireInt(o, "hopFrames", "options");
    opts.padSamples = requireInt(o, "padSamples", "options");
    opts.mean = requireBool(o, "mean", "options");
    if (opts.windowFrames < 1 || opts.hopFrames < 1 || opts.padSamples < 0) throw ArgumentError("options.windowFrames and hopFrames must be positive, padSamples >= 0");
    if (opts.mel.nMels != members[0]->config().nMels) throw ArgumentError("options.logMel.nMels must match the model's nMels (" + std::to_string(members[0]->config().nMels) + ")");
    if (!info[1].IsArray() || info[1].As<Napi::Array>().Length() == 0) throw ArgumentError("Expected a non-empty array of Float32Array for clips");
    auto arr = info[1].As<Napi::Array>();
    const uint32_t n = arr.Length();
    std::vector<Napi::Float32Array> js;
    ClipBatch clips;
    int64_t width = 1;
    for (uint32_t i = 0; i < n; ++i) {
      js.push_back(requireFloat32Array(arr.Get(i), "clips[" + std::to_string(i) + "]"));
      if (js.back().ElementLength() == 0) throw ArgumentError("clips[" + std::to_string(i) + "] is empty");
      clips.lengths.push_back(std::max<int64_t>(static_cast<int64_t>(js.back().ElementLength()), opts.padSamples));
      width = std::max(width, clips.lengths.back());
    }
    // Copied on the JS thread (the worker must not read JS memory), checked in the same pass.
    clips.samples = torch::zeros({static_cast<int64_t>(n), width}, torch::kFloat32);
    float* base = clips.samples.data_ptr<float>();
    for (uint32_t i = 0; i < n; ++i) {
      const float* src = js[i].Data();
      float* row = base + static_cast<size_t>(i) * static_cast<size_t>(width);
      for (size_t k = 0; k < js[i].ElementLength(); ++k) {
        if (!std::isfinite(src[k])) throw ArgumentError("clips[" + std::to_string(i) + "] contains NaN or Infinity (at sample " + std::to_string(k) + ")");
        row[k] = src[k];
      }
    }
    if (!isNullish(o, "stats")) {
      auto st = requireFloat32Array(o.Get("stats"), "options.stats");
      const int64_t want = static_cast<int64_t>(n) * 2 * opts.mel.nMels;
      if (static_cast<int64_t>(st.ElementLength()) != want) throw ArgumentError("options.stats must hold clips × 2 × nMels = " + std::to_string(want) + " values, not " + std::to_string(st.ElementLength()));
      if (!opts.norm.utteranceNorm) throw ArgumentError("options.stats needs options.utteranceNorm (the model normalises nothing)");
      clips.stats = torch::from_blob(st.Data(), {static_cast<int64_t>(n), 2, opts.mel.nMels}, torch::kFloat32).clone();
      for (uint32_t i = 0; i < n; ++i) {
        auto row = clips.stats[i];
        if (!std::isnan(row[0][0].item<float>()) && !row.isfinite().all().item<bool>()) throw ArgumentError("options.stats row " + std::to_string(i) + " contains NaN or Infinity");
      }
    }
    if (!info[3].IsBoolean() || !info[3].As<Napi::Boolean>().Value()) {
      try {
        return toJs(info.Env(), predictClips(members, clips, opts));
      } catch (const std::invalid_argument& e) {
        throw ArgumentError(e.what());
      }
    }
    auto* worker = new PredictClipsWorker(info.Env(), std::move(members), std::move(clips), std::move(opts));
    auto promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace ser
