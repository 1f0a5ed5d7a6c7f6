#pragma once
// (Not named features.h: that would shadow glibc's <features.h> on the include path.)
#include "common.h"
#include "logmel.h"

namespace ser {
// Reads the options object that lib/features fills completely (sharp's one-baton style).
MelOptions readMelOptions(const Napi::Object& o);
// logMel(signals: Float32Array[], options, device) → { nMels, frames: number[], data: Float32Array[] }
Napi::Value LogMel(const Napi::CallbackInfo& info);
// melFilterbank(options) → Float32Array [nFreqs * nMels] row-major, for parity tests and plots.
Napi::Value MelFilterbank(const Napi::CallbackInfo& info);
}  // namespace ser
