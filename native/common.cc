#include "common.h"

#include <c10/util/Exception.h>

namespace ser {

std::string describeException(const std::exception& e) {
  if (auto* c10err = dynamic_cast<const c10::Error*>(&e)) return c10err->what_without_backtrace();
  return e.what();
}

namespace {
// Per-environment addon state (one per Node main thread or worker_thread).
struct ErrorClasses {
  Napi::FunctionReference serNativeError, typeError;
};
}  // namespace

Napi::Value Initialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "Expected { SerNativeError, TypeError } for initialize");
  auto o = info[0].As<Napi::Object>();
  if (!o.Get("SerNativeError").IsFunction() || !o.Get("TypeError").IsFunction())
    throw Napi::TypeError::New(env, "Expected { SerNativeError, TypeError } for initialize");
  auto* classes = env.GetInstanceData<ErrorClasses>();
  if (!classes) {
    classes = new ErrorClasses();
    env.SetInstanceData(classes);  // deleted by node-addon-api when the environment exits
  }
  classes->serNativeError = Napi::Persistent(o.Get("SerNativeError").As<Napi::Function>());
  classes->typeError = Napi::Persistent(o.Get("TypeError").As<Napi::Function>());
  return env.Undefined();
}

CapturedError capture(const std::exception& e) {
  if (auto* coded = dynamic_cast<const CodedError*>(&e)) return {coded->code, e.what()};
  if (dynamic_cast<const ArgumentError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e)) return {"ERR_ARGUMENT", e.what()};
  return {"ERR_TORCH", describeException(e)};
}

Napi::Error toJsError(Napi::Env env, const CapturedError& c) {
  const bool argument = c.code == "ERR_ARGUMENT";
  auto* classes = env.GetInstanceData<ErrorClasses>();
  Napi::Object error;
  if (classes && argument) {
    error = classes->typeError.New({Napi::String::New(env, c.message)});
  } else if (classes) {
    error = classes->serNativeError.New({Napi::String::New(env, c.code), Napi::String::New(env, c.message)});
  } else {
    // Not initialized (the addon required directly): Node's own classes, still coded.
    error = (argument ? Napi::TypeError::New(env, c.message) : Napi::Error::New(env, c.message)).Value();
  }
  error.Set("code", Napi::String::New(env, c.code));
  return Napi::Error(env, error);
}

Napi::Value guarded(const Napi::CallbackInfo& info, const std::function<Napi::Value()>& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception
  } catch (const std::exception& e) {
    throw toJsError(env, capture(e));
  } catch (...) {
    throw toJsError(env, {"ERR_TORCH", "unknown native error"});
  }
}

Napi::Object requireObject(const Napi::Value& v, const std::string& what) {
  if (!v.IsObject()) throw ArgumentError("Expected object for " + what);
  return v.As<Napi::Object>();
}

static Napi::Value get(const Napi::Object& o, const char* key, const std::string& what) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) throw ArgumentError("Missing " + what + "." + key);
  return v;
}

double requireNumber(const Napi::Object& o, const char* key, const std::string& what) {
  Napi::Value v = get(o, key, what);
  if (!v.IsNumber()) throw ArgumentError("Expected number for " + what + "." + key);
  return v.As<Napi::Number>().DoubleValue();
}

int64_t requireInt(const Napi::Object& o, const char* key, const std::string& what) {
  double d = requireNumber(o, key, what);
  if (d != static_cast<double>(static_cast<int64_t>(d))) throw ArgumentError("Expected integer for " + what + "." + key);
  return static_cast<int64_t>(d);
}

bool requireBool(const Napi::Object& o, const char* key, const std::string& what) {
  Napi::Value v = get(o, key, what);
  if (!v.IsBoolean()) throw ArgumentError("Expected boolean for " + what + "." + key);
  return v.As<Napi::Boolean>().Value();
}

std::string requireString(const Napi::Object& o, const char* key, const std::string& what) {
  Napi::Value v = get(o, key, what);
  if (!v.IsString()) throw ArgumentError("Expected string for " + what + "." + key);
  return v.As<Napi::String>().Utf8Value();
}

bool isNullish(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsUndefined() || v.IsNull();
}

Napi::Float32Array requireFloat32Array(const Napi::Value& v, const std::string& what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw ArgumentError("Expected Float32Array for " + what);
  return v.As<Napi::Float32Array>();
}

torch::Device parseDevice(const std::string& spec) {
  if (spec == "cpu") return torch::Device(torch::kCPU);
  if (spec == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec.rfind("cuda", 0) != 0)
    throw ArgumentError("Expected 'auto', 'cpu', 'cuda' or 'cuda:N' for device but received '" + spec + "'");
  [[maybe_unused]] int index = 0;
  if (spec.size() > 4) {
    if (spec[4] != ':' || spec.size() == 5 || spec.find_first_not_of("0123456789", 5) != std::string::npos)
      throw ArgumentError("Expected 'auto', 'cpu', 'cuda' or 'cuda:N' for device but received '" + spec + "'");
    index = std::stoi(spec.substr(5));
  }
#ifndef SER_WITH_CUDA
  throw CodedError("ERR_DEVICE", "device '" + spec + "' requested, but this ser-native binary was built against a CPU-only LibTorch. " +
                           "Run `npx ser-native setup --cuda` to install the CUDA LibTorch and build the addon against it, or use device 'cpu'.");
#else
  const torch::Device device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  try {
    // Touch the device once: a missing driver or GPU surfaces here as a c10::Error.
    torch::zeros({1}, torch::TensorOptions().device(device));
  } catch (const std::exception& e) {
    throw CodedError("ERR_DEVICE", "device '" + spec + "' is not usable: " + describeException(e) +
                             " (torch::cuda::device_count() = " + std::to_string(torch::cuda::device_count()) +
                             "). Use device 'cpu', or check the NVIDIA driver with nvidia-smi.");
  }
  return device;
#endif
}

Napi::Float32Array toFloat32Array(Napi::Env env, const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kCPU, torch::kFloat32).contiguous();
  auto out = Napi::Float32Array::New(env, static_cast<size_t>(c.numel()));
  std::memcpy(out.Data(), c.data_ptr<float>(), sizeof(float) * static_cast<size_t>(c.numel()));
  return out;
}

}  // namespace ser
