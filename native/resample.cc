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
    // Four independent partial sums: one chain of dependent double additions made this loop
    // latency-bound (4.3 ms for 3.5 s at 48 kHz → 16 kHz); the order of the sum changes the result
    // only at float rounding.
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const float* xp = x + start;
    int64_t i = k0;
    for (; i + 4 <= k1; i += 4) {
      a0 += static_cast<double>(kp[i]) * xp[i];
      a1 += static_cast<double>(kp[i + 1]) * xp[i + 1];
      a2 += static_cast<double>(kp[i + 2]) * xp[i + 2];
      a3 += static_cast<double>(kp[i + 3]) * xp[i + 3];
    }
    for (; i < k1; ++i) a0 += static_cast<double>(kp[i]) * xp[i];
    y[j] = static_cast<float>((a0 + a1) + (a2 + a3));
  }
}

}  // namespace ser
