#pragma once
#include "common.h"

namespace ser {
// polyphaseResample(input: Float32Array, kernel: Float32Array [new·taps], offsets: Int32Array [new],
//                   orig: number, new: number) → Float32Array of ceil(n·new/orig) samples.
// The kernel comes from lib/audio/resample.ts (one design, two speeds): output sample j of phase
// p = j mod new and block b = j div new is Σ_k kernel[p·taps + k] · input[b·orig + offsets[p] + k].
Napi::Value PolyphaseResample(const Napi::CallbackInfo& info);
}  // namespace ser
