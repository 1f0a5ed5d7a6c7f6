// The binding of the polyphase resampler (native/resample.cc).
#include "resample_binding.h"

#include "resample.h"

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
    auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(resampledLength(n, orig, nw)));
    polyphaseResample(input.Data(), n, kernel.Data(), taps, offsets.Data(), orig, nw, out.Data());
    return out;
  });
}

}  // namespace ser
