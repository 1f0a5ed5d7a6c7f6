// The exceptions native code raises with a known JS error code. Plain C++ with no N-API, so kernels
// raise them too (Trainer::lockIdle, ensemblePredict); the bindings' boundary in common.h
// (guarded(), capture()/toJsError()) turns them into coded JS errors.
#pragma once

#include <stdexcept>
#include <string>

namespace ser {

// Raised for a bad argument from JS; becomes a JS TypeError with code ERR_ARGUMENT (so does a
// kernel's std::invalid_argument).
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Raised with the SerNativeError code it becomes in JS (lib/errors.ts lists them): the code is set
// where the failure is known, never guessed from the message. Any other exception is ERR_TORCH.
struct CodedError : std::runtime_error {
  CodedError(const char* code, const std::string& message) : std::runtime_error(message), code(code) {}
  const char* code;  // a string literal: "ERR_DEVICE", "ERR_MODEL", "ERR_BUSY", "ERR_CANCELLED"
};

}  // namespace ser
