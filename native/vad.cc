#include "vad.h"

#include <algorithm>
#include <cmath>

namespace ser {

VadFrames voiceActivity(const torch::Tensor& samples, int64_t sampleRate, const VadOptions& o) {
  torch::NoGradGuard noGrad;
  const int64_t frameLen = std::max<int64_t>(2, std::llround(o.frameSeconds * sampleRate));
  const int64_t hop = std::max<int64_t>(1, std::llround(o.hopSeconds * sampleRate));
  const auto opts = samples.options().dtype(torch::kFloat32);
  VadFrames out;
  if (samples.numel() < frameLen) {
    out.energyDb = torch::empty({0}, opts);
    out.flatness = torch::empty({0}, opts);
    out.speech = torch::empty({0}, opts.dtype(torch::kBool));
    return out;
  }
  auto frames = samples.to(torch::kFloat32).unfold(0, frameLen, hop);  // [F, frameLen]
  frames = frames - frames.mean(1, true);                                // DC offset is not voice
  out.energyDb = 10 * torch::log10(frames.pow(2).mean(1) + 1e-12);

  int64_t nFft = 1;
  while (nFft < frameLen) nFft <<= 1;
  auto window = torch::hann_window(frameLen, opts);
  auto power = torch::fft::rfft(frames * window, nFft, 1).abs().pow(2);  // [F, nFft/2+1]
  const double binHz = static_cast<double>(sampleRate) / nFft;
  const int64_t bins = power.size(1);
  int64_t lo = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(o.lowHz / binHz)), 1, bins - 1);
  int64_t hi = std::clamp<int64_t>(static_cast<int64_t>(std::floor(o.highHz / binHz)), lo, bins - 1);
  auto band = power.slice(1, lo, hi + 1) + 1e-20;
  out.flatness = torch::exp(band.log().mean(1)) / band.mean(1);

  out.noiseFloorDb = torch::quantile(out.energyDb, o.floorQuantile).item<double>();
  const double threshold = std::max(o.minDb, out.noiseFloorDb + o.marginDb);
  out.speech = out.energyDb.gt(threshold).logical_and(out.flatness.lt(o.maxFlatness));
  return out;
}

}  // namespace ser
