// The training epoch's data pipeline in native code (issue 13): the whole training corpus is handed
// over once (TrainingSet: int16 audio, float32 clean log-mel, labels); each epoch TypeScript hands
// over a plan (EpochPlan: order, noise, crops, warps, SpecAugment masks, all drawn from seeds in
// lib/train/plan.ts) and a producer thread turns it into batches — seeded white noise, log-mel of
// the noisy copies, crop/warp, masks — into a bounded queue while the previous batches train.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "feature_norm.h"
#include "logmel.h"
#include "trainer.h"

namespace ser {

struct TrainingFeatureOptions {
  MelOptions mel;
  FeatureNorm norm;
  int64_t windowFrames = 1;  // frames of one training crop
  int64_t padSamples = 0;    // clips are zero-padded to at least this many samples
  // Where the log-mel of each clip is computed: the trainer's device, so a CUDA run does its STFTs
  // and filterbank on the GPU. Noise stays on LibTorch's CPU generator (a seed gives the same noise
  // on every device) and crops/masks are copies the producer makes on the CPU.
  torch::Device device{torch::kCPU};
};

// Clips of the training set, kept compact: audio as int16 with a per-clip scale (quantisation noise
// ~90 dB below the clip's peak, far under any SNR the schedules draw), clean features as float32.
class TrainingSet {
 public:
  // clips: float samples at the feature rate; labels: class of each clip; speakerStats, when defined,
  // [clips, 2, nMels]: the statistics of each clip's speaker (normalizeFeatures), for plan entries
  // that are normalised per speaker instead of per utterance; teacher, when defined, [clips, classes]
  // float32: a teacher's probabilities for each clip (finite, non-negative, rows summing to 1), the
  // soft targets of knowledge distillation (Batch.q, EpochOptions.teacherWeight). speechMasks, when
  // not empty, one bool [frames(i)] per clip: a clip's own statistics (clean or noisy) come from
  // those frames only.
  TrainingSet(const std::vector<const float*>& clips, const std::vector<int64_t>& lengths, std::vector<int64_t> labels,
              const TrainingFeatureOptions& options, torch::Tensor speakerStats = torch::Tensor(), torch::Tensor teacher = torch::Tensor(),
              std::vector<torch::Tensor> speechMasks = {});

  int64_t size() const { return static_cast<int64_t>(labels_.size()); }
  int64_t frames(int64_t i) const { return clean_[i].size(1); }
  int64_t label(int64_t i) const { return labels_[i]; }
  const torch::Tensor& clean(int64_t i) const { return clean_[i]; }  // [nMels, frames], not normalised
  bool hasSpeakerStats() const { return speakerStats_.defined(); }
  bool hasTeacher() const { return teacher_.defined(); }
  const torch::Tensor& teacher() const { return teacher_; }  // [clips, classes] float32, or undefined
  const TrainingFeatureOptions& options() const { return options_; }
  // Per-mel mean and standard deviation over every frame of the clean features, each normalised with
  // its own statistics (as normalisationStats in TS).
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& std() const { return std_; }

  // The clip (padded) plus white Gaussian noise from LibTorch's generator seeded with `seed`, rescaled
  // so the SNR against the clip's mean square is exactly snrDb; a silent clip stays unchanged.
  torch::Tensor noisyAudio(int64_t i, double snrDb, uint64_t seed) const;
  // Log-mel of a padded clip, [nMels, frames], not normalised.
  torch::Tensor features(const torch::Tensor& audio) const;
  // m (features of clip i, clean or noisy) normalised with its own statistics, or its speaker's.
  torch::Tensor normalize(const torch::Tensor& m, int64_t i, bool bySpeaker) const;
  // Clip i's speech frames (bool [frames]), or undefined when own statistics use every frame.
  torch::Tensor speechMask(int64_t i) const;

 private:
  torch::Tensor audio(int64_t i) const;  // float [padded samples]

  TrainingFeatureOptions options_;
  std::vector<std::vector<int16_t>> audio_;
  std::vector<float> scale_;
  std::vector<int64_t> labels_;
  std::vector<torch::Tensor> clean_;
  torch::Tensor mean_, std_;
  torch::Tensor speakerStats_;
  torch::Tensor teacher_;
  std::vector<torch::Tensor> speechMasks_;
};

// Adds white Gaussian noise from LibTorch's CPU generator seeded with `seed` to x[0, len), rescaled so
// that 10·log10(P_x / P_noise) is exactly snrDb (P over x[0, len)); a silent clip (P < 1e-10) is left alone.
void addWhiteNoise(torch::Tensor& x, int64_t len, double snrDb, uint64_t seed);

// One epoch's decisions, entry by entry (an entry is a clip, clean or noisy), and the training order.
struct EpochPlan {
  std::vector<int32_t> order;      // entries in training order
  std::vector<int32_t> item;       // clip of each entry
  std::vector<float> snrDb;        // NaN = clean
  std::vector<uint32_t> noiseSeed;
  std::vector<int32_t> start;      // first source frame of the crop
  std::vector<double> timeScale, freqScale;  // 1 = no warp
  // Per entry, freqMasks (start, width) pairs then timeMasks (start, width) pairs; width 0 = none.
  std::vector<int32_t> masks;
  int64_t freqMasks = 0, timeMasks = 0;
  std::vector<uint8_t> bySpeaker;  // 1 = normalise with the speaker's statistics; empty = every entry by its own
  void validate(const TrainingSet& set) const;  // throws std::invalid_argument naming the field
};

// The model input of one entry: crop/warp of `m` [nMels, frames] into [nMels, len] (the same
// arithmetic as copyWindowWarped in lib/model/features.ts), then the masks filled with `fill` [nMels].
void cropWarpMask(const torch::Tensor& m, int64_t start, int64_t len, double timeScale, double freqScale, const int32_t* masks,
                  int64_t freqMasks, int64_t timeMasks, const torch::Tensor& fill, float* out);

// The model input of plan entry `e` into `out` [nMels, windowFrames]: clean or noisy features, then
// cropWarpMask. What the producer thread does for each entry.
void makeInput(const TrainingSet& set, const EpochPlan& plan, int64_t e, const torch::Tensor& fill, float* out, EpochTimings* times);

// Batches of the plan, `batchSize` entries each (a lone last entry is dropped: batch norm needs two);
// with a teacher in the set, each batch carries its entries' rows of it (Batch.q).
// Produced on a thread of its own (one intra-op thread), at most `prefetch` batches ahead, and
// consumed by Trainer::trainBatches on the calling thread. Returns when the epoch ends, is
// cancelled or fails; the producer thread has always been joined by then.
EpochResult trainPlannedEpoch(Trainer& trainer, const TrainingSet& set, const EpochPlan& plan, const EpochOptions& options,
                              int64_t prefetch, const std::function<void(int64_t, int64_t, double)>& progress,
                              const std::atomic<bool>& cancel, EpochTimings* producer);

// Producer threads alive in this process (tests check that cancelling leaves none).
int64_t liveProducerThreads();

}  // namespace ser
