// The process's bindings: info(), setNumThreads(), setSerialForwardWindows(), checkDevice(), releaseMemory(), raiseTorchError():
// what this binary is and what it can use.
#include "info_binding.h"

#include "allocator.h"
#include "block_cache.h"
#include "threads.h"

#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>
#ifdef SER_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace ser {

Napi::Value Info(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto out = Napi::Object::New(env);
    out.Set("torchVersion", TORCH_VERSION);
#ifdef SER_WITH_CUDA
    out.Set("builtWithCuda", true);
#else
    out.Set("builtWithCuda", false);
#endif
    const bool cuda = torch::cuda::is_available();
    out.Set("cudaAvailable", cuda);
    const int64_t count = cuda ? static_cast<int64_t>(torch::cuda::device_count()) : 0;
    out.Set("cudaDeviceCount", Napi::Number::New(env, static_cast<double>(count)));
    auto names = Napi::Array::New(env);
#ifdef SER_WITH_CUDA
    for (int64_t i = 0; i < count; ++i) names.Set(static_cast<uint32_t>(i), at::cuda::getDeviceProperties(i)->name);
#endif
    out.Set("cudaDevices", names);
    out.Set("cudnnAvailable", torch::cuda::cudnn_is_available());
    long cudnnVersion = 0;
    try {
      if (cuda) cudnnVersion = at::detail::getCUDAHooks().versionCuDNN();
    } catch (const std::exception&) {
      cudnnVersion = 0;  // not compiled in
    }
    out.Set("cudnnVersion", Napi::Number::New(env, static_cast<double>(cudnnVersion)));
    out.Set("numThreads", at::get_num_threads());
    out.Set("numInteropThreads", at::get_num_interop_threads());
    out.Set("buildType", SER_BUILD_TYPE);
    out.Set("parallelInfo", at::get_parallel_info());
    // Reuse of large tensor blocks (block_cache.h); all zero with SER_NATIVE_MALLOC=system.
    const auto cache = blockCacheStats();
    auto blocks = Napi::Object::New(env);
    blocks.Set("enabled", cache.installed);
    blocks.Set("hits", Napi::Number::New(env, static_cast<double>(cache.hits)));
    blocks.Set("misses", Napi::Number::New(env, static_cast<double>(cache.misses)));
    blocks.Set("idleBytes", Napi::Number::New(env, static_cast<double>(cache.idleBytes)));
    blocks.Set("idleBlocks", Napi::Number::New(env, static_cast<double>(cache.idleBlocks)));
    out.Set("blockCache", blocks);
    return out;
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsNumber()) throw ArgumentError("Expected positive integer for threads");
    const double n = info[0].As<Napi::Number>().DoubleValue();
    if (n < 1 || n != static_cast<int>(n)) throw ArgumentError("Expected positive integer for threads but received " + info[0].ToString().Utf8Value());
    requestIntraOpThreads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

Napi::Value SetSerialForwardWindows(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsNumber()) throw ArgumentError("Expected integer >= 0 for windows");
    const double n = info[0].As<Napi::Number>().DoubleValue();
    if (!(n >= 0) || n > 1e9 || n != static_cast<double>(static_cast<int64_t>(n))) throw ArgumentError("Expected integer >= 0 for windows but received " + info[0].ToString().Utf8Value());
    const int64_t previous = serialForwardWindows();
    setSerialForwardWindows(static_cast<int64_t>(n));
    return Napi::Number::New(info.Env(), static_cast<double>(previous));
  });
}

Napi::Value CheckDevice(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) throw ArgumentError("Expected string for device");
    return Napi::String::New(info.Env(), parseDevice(info[0].As<Napi::String>().Utf8Value()).str());
  });
}

Napi::Value ReleaseMemory(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value { return Napi::Number::New(info.Env(), static_cast<double>(releaseIdleMemory())); });
}

// Raises a real c10::Error inside LibTorch, so tests can check that it becomes a JS Error.
Napi::Value RaiseTorchError(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    auto a = torch::zeros({2, 3});
    auto b = torch::zeros({4, 5});
    return Napi::Number::New(info.Env(), torch::matmul(a, b).sum().item<double>());
  });
}

}  // namespace ser
