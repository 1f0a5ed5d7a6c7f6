// Polyphase resampling with a kernel designed by lib/audio/resample.ts (one design, two speeds).
// A kernel: no N-API (the binding is native/resample_binding.cc).
#pragma once
#include <cstdint>

namespace ser {

// Samples out of n input samples: ceil(n·new/orig).
int64_t resampledLength(int64_t n, int64_t orig, int64_t nw);

// Writes resampledLength(n, orig, nw) samples to y. kernel: [nw·taps] floats, offsets: [nw]. Output
// sample j of phase p = j mod nw and block b = j div nw is Σ_k kernel[p·taps + k] · x[b·orig + offsets[p] + k]
// (samples outside [0, n) count as 0), accumulated in double like the TypeScript version, so both
// agree to float rounding.
void polyphaseResample(const float* x, int64_t n, const float* kernel, int64_t taps, const int32_t* offsets, int64_t orig, int64_t nw,
                       float* y);

}  // namespace ser
