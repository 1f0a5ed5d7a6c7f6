// Shared helpers for the bindings: argument readers that fail with a TypeError naming the
// argument, the exception boundary (no C++ exception ever reaches Node), and device parsing.
#pragma once

#include <napi.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

// ArgumentError and CodedError, the exceptions that become coded JS errors (no N-API there, so
// kernels can raise them too).
#include "errors.h"

namespace ser {

// The message of any exception, without LibTorch's C++ backtrace.
std::string describeException(const std::exception& e);

// initialize({ SerNativeError, TypeError }): lib/binding.ts hands over its error classes once
// (better-sqlite3's setErrorConstructor), so native errors are the package's own classes.
Napi::Value Initialize(const Napi::CallbackInfo& info);

// An exception caught off the JS thread (libuv worker), kept until it can become a JS error.
struct CapturedError {
  std::string code;  // "ERR_ARGUMENT" means a TypeError
  std::string message;
};
CapturedError capture(const std::exception& e);
Napi::Error toJsError(Napi::Env env, const CapturedError& c);

// Runs `body` and turns any C++ exception into a coded JS exception (sharp's baton->err, tch's
// PROTECT). The single boundary: every binding runs inside it, async workers use capture/toJsError.
Napi::Value guarded(const Napi::CallbackInfo& info, const std::function<Napi::Value()>& body);

// Argument readers: `what` names the argument in the error ("options.nFft").
Napi::Object requireObject(const Napi::Value& v, const std::string& what);
double requireNumber(const Napi::Object& o, const char* key, const std::string& what);
int64_t requireInt(const Napi::Object& o, const char* key, const std::string& what);
bool requireBool(const Napi::Object& o, const char* key, const std::string& what);
std::string requireString(const Napi::Object& o, const char* key, const std::string& what);
bool isNullish(const Napi::Object& o, const char* key);
Napi::Float32Array requireFloat32Array(const Napi::Value& v, const std::string& what);

// 'auto' | 'cpu' | 'cuda' | 'cuda:N' → a usable device; CUDA requests fail with a clear message
// when this build or this machine has no CUDA (checked by touching the device once).
torch::Device parseDevice(const std::string& spec);

// A JS Float32Array holding a copy of a contiguous float tensor (moved to CPU first).
Napi::Float32Array toFloat32Array(Napi::Env env, const torch::Tensor& t);

}  // namespace ser
