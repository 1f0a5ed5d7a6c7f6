#pragma once
#include "common.h"

namespace ser {
// predictClips(members: NativeModel[], clips: Float32Array[], options, async: boolean)
//   options: { logMel, utteranceNorm, utteranceStd?, stats?: Float32Array [clips·2·nMels], windowFrames, hopFrames, padSamples, mean }
//   → { probabilities: Float32Array, starts: Int32Array, owner: Int32Array } (a Promise when async)
// (native/pipeline.h predictClips; async runs it in a PredictClipsWorker on the libuv pool).
Napi::Value PredictClips(const Napi::CallbackInfo& info);
}  // namespace ser
