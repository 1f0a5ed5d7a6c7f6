#pragma once
#include "common.h"

namespace ser {
// polyphaseResample(input: Float32Array, kernel: Float32Array [new·taps], offsets: Int32Array [new],
//                   orig: number, new: number) → Float32Array of ceil(n·new/orig) samples
// (native/resample.h polyphaseResample).
Napi::Value PolyphaseResample(const Napi::CallbackInfo& info);
}  // namespace ser
