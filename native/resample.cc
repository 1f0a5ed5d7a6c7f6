#include "resample.h"

#include <algorithm>

namespace ser {

int64_t resampledLength(int64_t n, int64_t orig, int64_t nw) { return (n * nw + orig - 1) / orig; }

void polyphaseResample(const float* x, int64_t n, const float* k, int64_t taps, const int32_t* off, int64_t orig, int64_t nw, float* y) {
  const int64_t outLen = resampledLength(n, orig, nw);
  for (int64_t j = 0; j < outLen; ++j) {
    const int64_t phase = j % nw, start = (j / nw) * orig + off[phase];
    const float* kp = k + phase * taps;
    const int64_t k0 = std::max<int64_t>(0, -start), k1 = std::min<int64_t>(taps, n - start);
    double acc = 0;
    for (int64_t i = k0; i < k1; ++i) acc += static_cast<double>(kp[i]) * x[start + i];
    y[j] = static_cast<float>(acc);
  }
}

}  // namespace ser
