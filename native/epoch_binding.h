// The epoch pipeline's free bindings (native/epoch_binding.cc); its NativeModel methods are declared
// with the class in native/model_binding.h.
#pragma once
#include "common.h"

namespace ser {
// liveProducerThreads(): batch producer threads alive now (0 between epochs; for tests).
Napi::Value LiveProducerThreads(const Napi::CallbackInfo& info);
// whiteNoise(clip, snrDb, seed): the pipeline's seeded noise on one clip (native/epoch_pipeline.h addWhiteNoise).
Napi::Value WhiteNoise(const Napi::CallbackInfo& info);
}  // namespace ser
