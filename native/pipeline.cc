#include "pipeline.h"

#include <cmath>

#include "ensemble.h"

namespace ser {

std::vector<int64_t> windowStarts(int64_t frames, int64_t len, int64_t hop) {
  if (frames <= len) return {0};
  if (frames <= len + hop) return {(frames - len) / 2};
  std::vector<int64_t> s;
  for (int64_t t = 0; t + len <= frames; t += hop) s.push_back(t);
  if (s.back() + len < frames) s.push_back(frames - len);
  return s;
}

ClipProbabilities predictClips(const std::vector<std::shared_ptr<Trainer>>& members, const ClipBatch& clips, const ClipPipelineOptions& o) {
  c10::InferenceMode guard;
  const auto device = members[0]->device();
  const int64_t n = clips.samples.size(0), nMels = o.mel.nMels;
  auto db = logMel(clips.samples.to(device), clips.lengths, o.mel).to(torch::kCPU).contiguous();  // [clips, nMels, maxFrames]
  ClipProbabilities r;
  std::vector<torch::Tensor> windows;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t frames = frameCount(o.mel, clips.lengths[i]);
    const bool given = clips.stats.defined() && !std::isnan(clips.stats[i][0][0].item<float>());
    auto m = normalizeFeatures(db[i].narrow(1, 0, frames), o.norm, given ? clips.stats[i] : torch::Tensor());
    for (int64_t s : windowStarts(frames, o.windowFrames, o.hopFrames)) {
      windows.push_back(m.narrow(1, s, o.windowFrames));
      r.starts.push_back(s);
      r.owner.push_back(i);
    }
  }
  auto x = torch::stack(windows).contiguous();  // [windows, nMels, windowFrames]
  TORCH_CHECK(x.size(1) == nMels);
  auto p = ensemblePredict(members, x);  // [windows, classes]
  if (!o.mean) {
    r.probabilities = p;
    return r;
  }
  // Per-clip mean in double (meanByOwner's arithmetic).
  const int64_t k = p.size(1);
  auto sum = torch::zeros({n, k}, torch::kFloat64);
  auto counts = torch::zeros({n, 1}, torch::kFloat64);
  auto owner = torch::tensor(r.owner, torch::kLong);
  sum.index_add_(0, owner, p.to(torch::kFloat64));
  counts.index_add_(0, owner, torch::ones({static_cast<int64_t>(r.owner.size()), 1}, torch::kFloat64));
  r.probabilities = (sum / counts).to(torch::kFloat32);
  return r;
}

}  // namespace ser
