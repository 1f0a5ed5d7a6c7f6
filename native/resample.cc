#include "resample.h"

#include <cmath>

namespace ser {

Napi::Value PolyphaseResample(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 5) throw ArgumentError("Expected (input, kernel, offsets, orig, new)");
    auto input = requireFloat32Array(info[0], "input");
    auto kernel = requireFloat32Array(info[1], "kernel");
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw ArgumentError("Expected Int32Array for offsets");
    auto offsets = info[2].As<Napi::Int32Array>();
    if (!info[3].IsNumber() || !info[4].IsNumber()) throw ArgumentError("Expected integers for orig and new");
    const int64_t orig = info[3].As<Napi::Number>().Int64Value(), nw = info[4].As<Napi::Number>().Int64Value();
    if (orig < 1 || nw < 1 || static_cast<int64_t>(offsets.ElementLength()) != nw || kernel.ElementLength() % static_cast<size_t>(nw) != 0)
      throw ArgumentError("inconsistent resampling kernel");
    const int64_t taps = static_cast<int64_t>(kernel.ElementLength()) / nw;
    const int64_t n = static_cast<int64_t>(input.ElementLength());
    const int64_t outLen = (n * nw + orig - 1) / orig;
    auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(outLen));
    const float* x = input.Data();
    const float* k = kernel.Data();
    const int32_t* off = offsets.Data();
    float* y = out.Data();
    for (int64_t j = 0; j < outLen; ++j) {
      const int64_t phase = j % nw, start = (j / nw) * orig + off[phase];
      const float* kp = k + phase * taps;
      const int64_t k0 = std::max<int64_t>(0, -start), k1 = std::min<int64_t>(taps, n - start);
      // Accumulate in double like the TypeScript version, so both agree to float rounding.
      double acc = 0;
      for (int64_t i = k0; i < k1; ++i) acc += static_cast<double>(kp[i]) * x[start + i];
      y[j] = static_cast<float>(acc);
    }
    return out;
  });
}

}  // namespace ser
