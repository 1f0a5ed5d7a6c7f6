#pragma once
#include "common.h"

namespace ser {
// voiceActivity(samples: Float32Array, sampleRate: number, options) →
//   { energyDb: Float32Array, flatness: Float32Array, speech: Uint8Array, noiseFloorDb, hopSamples, frameSamples }
// (native/vad.h voiceActivity).
Napi::Value VoiceActivity(const Napi::CallbackInfo& info);
}  // namespace ser
