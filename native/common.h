// Shared helpers for the bindings: argument readers that fail with a TypeError naming the
// argument, the exception boundary (no C++ exception ever reaches Node), and device parsing.
#pragma once

#include <napi.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace ser {

// Raised for a bad argument from JS; becomes a JS TypeError (everything else a JS Error).
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The message of any exception, without LibTorch's C++ backtrace.
std::string describeException(const std::exception& e);

// Runs `body` and turns any C++ exception into a JS exception (sharp's baton->err, tch's PROTECT).
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
