// Bindings for the log-mel kernel (native/logmel.cc).
#include "mel_bindings.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ser {

MelOptions readMelOptions(const Napi::Object& o) {
  const std::string w = "options";
  MelOptions m;
  m.sampleRate = requireInt(o, "sampleRate", w);
  m.nFft = requireInt(o, "nFft", w);
  m.winLength = requireInt(o, "winLength", w);
  m.hopLength = requireInt(o, "hopLength", w);
  m.center = requireBool(o, "center", w);
  m.padMode = requireString(o, "padMode", w);
  m.power = requireNumber(o, "power", w);
  m.nMels = requireInt(o, "nMels", w);
  m.fMin = requireNumber(o, "fMin", w);
  m.fMax = requireNumber(o, "fMax", w);
  m.melScale = requireString(o, "melScale", w);
  m.norm = isNullish(o, "norm") ? "" : requireString(o, "norm", w);
  m.amin = requireNumber(o, "amin", w);
  if (!isNullish(o, "topDb")) m.topDb = requireNumber(o, "topDb", w);
  m.ref = requireNumber(o, "ref", w);
  try {
    m.validate();
  } catch (const std::invalid_argument& e) {
    throw ArgumentError(std::string("invalid log-mel options: ") + e.what());
  }
  return m;
}

Napi::Value LogMel(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsArray()) throw ArgumentError("Expected an array of Float32Array for signals");
    auto list = info[0].As<Napi::Array>();
    const MelOptions opts = readMelOptions(requireObject(info[1], "options"));
    if (!info[2].IsString()) throw ArgumentError("Expected string for device");
    const torch::Device device = parseDevice(info[2].As<Napi::String>().Utf8Value());
    const uint32_t batch = list.Length();
    if (batch == 0) throw ArgumentError("Expected at least one signal");
    std::vector<Napi::Float32Array> arrays;
    std::vector<int64_t> lengths;
    int64_t maxLen = 0;
    for (uint32_t i = 0; i < batch; ++i) {
      arrays.push_back(requireFloat32Array(list.Get(i), "signals[" + std::to_string(i) + "]"));
      lengths.push_back(static_cast<int64_t>(arrays.back().ElementLength()));
      maxLen = std::max(maxLen, lengths.back());
    }
    const int64_t width = std::max<int64_t>(maxLen, 1);
    auto host = torch::empty({static_cast<int64_t>(batch), width}, torch::kFloat32);
    float* base = host.data_ptr<float>();
    for (uint32_t i = 0; i < batch; ++i) {
      if (lengths[i] == 0) throw ArgumentError("signals[" + std::to_string(i) + "] is empty");
      const float* src = arrays[i].Data();
      float* row = base + static_cast<size_t>(i) * static_cast<size_t>(width);
      // Copy and check in one pass: NaN/Inf would silently poison the whole spectrogram.
      for (int64_t k = 0; k < lengths[i]; ++k) {
        if (!std::isfinite(src[k])) throw ArgumentError("signals[" + std::to_string(i) + "] contains NaN or Infinity (at sample " + std::to_string(k) + ")");
        row[k] = src[k];
      }
      std::fill(row + lengths[i], row + width, 0.0f);
    }
    try {
      const auto db = logMel(host.to(device), lengths, opts).to(torch::kCPU).contiguous();
      auto out = Napi::Object::New(env);
      auto data = Napi::Array::New(env, batch);
      auto frames = Napi::Array::New(env, batch);
      for (uint32_t i = 0; i < batch; ++i) {
        const int64_t f = frameCount(opts, lengths[i]);
        data.Set(i, toFloat32Array(env, db[i].narrow(1, 0, f)));
        frames.Set(i, Napi::Number::New(env, static_cast<double>(f)));
      }
      out.Set("nMels", Napi::Number::New(env, static_cast<double>(opts.nMels)));
      out.Set("frames", frames);
      out.Set("data", data);
      return out;
    } catch (const std::invalid_argument& e) {
      throw ArgumentError(e.what());
    }
  });
}

Napi::Value MelFilterbank(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const MelOptions opts = readMelOptions(requireObject(info[0], "options"));
    return toFloat32Array(info.Env(), melFilterbank(opts, torch::Device(torch::kCPU)));
  });
}

}  // namespace ser
