// Export registration only: each function lives in the file named after its job.
#include "allocator.h"
#include "epoch_binding.h"
#include "info_binding.h"
#include "mel_bindings.h"
#include "model_binding.h"
#include "pipeline_binding.h"
#include "resample_binding.h"
#include "vad_binding.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // NNPACK cannot start on CPUs without AVX2 and LibTorch then logs "Could not initialize NNPACK!"
  // on every convolution; our convolutions are small and faster without it anyway.
  at::globalContext().setUserEnabledNNPACK(false);
  ser::configureMemory();
  exports.Set("initialize", Napi::Function::New(env, ser::Initialize, "initialize"));
  exports.Set("info", Napi::Function::New(env, ser::Info, "info"));
  exports.Set("setNumThreads", Napi::Function::New(env, ser::SetNumThreads, "setNumThreads"));
  exports.Set("setSerialForwardWindows", Napi::Function::New(env, ser::SetSerialForwardWindows, "setSerialForwardWindows"));
  exports.Set("releaseMemory", Napi::Function::New(env, ser::ReleaseMemory, "releaseMemory"));
  exports.Set("checkDevice", Napi::Function::New(env, ser::CheckDevice, "checkDevice"));
  exports.Set("raiseTorchError", Napi::Function::New(env, ser::RaiseTorchError, "raiseTorchError"));
  exports.Set("logMel", Napi::Function::New(env, ser::LogMel, "logMel"));
  exports.Set("melFilterbank", Napi::Function::New(env, ser::MelFilterbank, "melFilterbank"));
  exports.Set("polyphaseResample", Napi::Function::New(env, ser::PolyphaseResample, "polyphaseResample"));
  exports.Set("voiceActivity", Napi::Function::New(env, ser::VoiceActivity, "voiceActivity"));
  exports.Set("predictClips", Napi::Function::New(env, ser::PredictClips, "predictClips"));
  exports.Set("NativeModel", ser::NativeModel::Define(env));
  exports.Set("whiteNoise", Napi::Function::New(env, ser::WhiteNoise, "whiteNoise"));
  exports.Set("liveProducerThreads", Napi::Function::New(env, ser::LiveProducerThreads, "liveProducerThreads"));
  return exports;
}

NODE_API_MODULE(ser_native, Init)
