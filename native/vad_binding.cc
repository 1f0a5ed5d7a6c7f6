// The binding of voice activity detection (native/vad.cc).
#include "vad_binding.h"

#include <cmath>
#include <cstring>

#include "vad.h"

namespace ser {

Napi::Value VoiceActivity(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 3) throw ArgumentError("Expected (samples, sampleRate, options)");
    auto samples = requireFloat32Array(info[0], "samples");
    if (!info[1].IsNumber()) throw ArgumentError("Expected integer for sampleRate");
    const int64_t rate = info[1].As<Napi::Number>().Int64Value();
    if (rate < 1000) throw ArgumentError("Expected sampleRate >= 1000");
    auto o = requireObject(info[2], "options");
    const std::string w = "options";
    VadOptions v;
    v.frameSeconds = requireNumber(o, "frameSeconds", w);
    v.hopSeconds = requireNumber(o, "hopSeconds", w);
    v.minDb = requireNumber(o, "minDb", w);
    v.marginDb = requireNumber(o, "marginDb", w);
    v.maxFlatness = requireNumber(o, "maxFlatness", w);
    v.lowHz = requireNumber(o, "lowHz", w);
    v.highHz = requireNumber(o, "highHz", w);
    v.floorQuantile = requireNumber(o, "floorQuantile", w);
    if (!(v.frameSeconds > 0) || !(v.hopSeconds > 0) || !(v.floorQuantile >= 0 && v.floorQuantile <= 1) || !(v.highHz > v.lowHz))
      throw ArgumentError("inconsistent VAD options (frameSeconds, hopSeconds > 0; 0 <= floorQuantile <= 1; highHz > lowHz)");
    auto x = torch::from_blob(samples.Data(), {static_cast<int64_t>(samples.ElementLength())}, torch::kFloat32);
    VadFrames r = voiceActivity(x, rate, v);
    Napi::Env env = info.Env();
    auto out = Napi::Object::New(env);
    out.Set("energyDb", toFloat32Array(env, r.energyDb));
    out.Set("flatness", toFloat32Array(env, r.flatness));
    auto mask = r.speech.to(torch::kCPU, torch::kUInt8).contiguous();
    auto speech = Napi::Uint8Array::New(env, static_cast<size_t>(mask.numel()));
    if (mask.numel() > 0) std::memcpy(speech.Data(), mask.data_ptr<uint8_t>(), static_cast<size_t>(mask.numel()));
    out.Set("speech", speech);
    out.Set("noiseFloorDb", Napi::Number::New(env, r.noiseFloorDb));
    out.Set("frameSamples", Napi::Number::New(env, static_cast<double>(std::max<int64_t>(2, std::llround(v.frameSeconds * rate)))));
    out.Set("hopSamples", Napi::Number::New(env, static_cast<double>(std::max<int64_t>(1, std::llround(v.hopSeconds * rate)))));
    return out;
  });
}

}  // namespace ser
