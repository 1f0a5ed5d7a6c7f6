#pragma once
#include "common.h"

namespace ser {
Napi::Value Info(const Napi::CallbackInfo& info);
Napi::Value SetNumThreads(const Napi::CallbackInfo& info);
Napi::Value SetSerialForwardWindows(const Napi::CallbackInfo& info);
Napi::Value CheckDevice(const Napi::CallbackInfo& info);
Napi::Value RaiseTorchError(const Napi::CallbackInfo& info);
Napi::Value ReleaseMemory(const Napi::CallbackInfo& info);
}  // namespace ser
