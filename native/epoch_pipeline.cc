#include "epoch_pipeline.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <thread>

#include "batch_queue.h"
#include "threads.h"

// libgomp's per-thread team size (weak: absent when LibTorch was built without OpenMP).
extern "C" void omp_set_num_threads(int) __attribute__((weak));

namespace ser {

namespace {

std::atomic<int64_t> producers{0};

constexpr double kSilencePower = 1e-10;  // lib/augment/noise.ts SILENCE_POWER

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

TrainingSet::TrainingSet(const std::vector<const float*>& clips, const std::vector<int64_t>& lengths, std::vector<int64_t> labels,
                         const TrainingFeatureOptions& options, torch::Tensor speakerStats, torch::Tensor teacher, std::vector<torch::Tensor> speechMasks)
    : options_(options), labels_(std::move(labels)), speakerStats_(std::move(speakerStats)), teacher_(std::move(teacher)), speechMasks_(std::move(speechMasks)) {
  require(!clips.empty(), "the training set is empty");
  require(clips.size() == lengths.size() && clips.size() == labels_.size(), "clips, lengths and labels differ in count");
  const int64_t nMels = options_.mel.nMels;
  require(!options_.norm.utteranceStd || options_.norm.utteranceNorm, "utteranceStd needs utteranceNorm");
  if (speakerStats_.defined()) {
    require(options_.norm.utteranceNorm, "speaker statistics need utteranceNorm");
    require(speakerStats_.dim() == 3 && speakerStats_.size(0) == static_cast<int64_t>(clips.size()) && speakerStats_.size(1) == 2 && speakerStats_.size(2) == nMels,
            "speakerStats must be [clips, 2, nMels]");
    require(speakerStats_.isfinite().all().item<bool>(), "speakerStats contains NaN or Infinity");
  }
  require(speechMasks_.empty() || speechMasks_.size() == clips.size(), "speechMasks must have one mask per clip");
  require(speechMasks_.empty() || options_.norm.utteranceNorm, "speech masks need utteranceNorm");
  if (teacher_.defined()) {
    require(teacher_.dim() == 2 && teacher_.size(0) == static_cast<int64_t>(clips.size()) && teacher_.size(1) >= 2,
            "teacher must be [clips, classes] with at least 2 classes");
    teacher_ = teacher_.to(torch::kFloat32).contiguous();
    require(teacher_.isfinite().all().item<bool>(), "teacher contains NaN or Infinity");
    auto negative = (teacher_ < 0).any(1).nonzero();
    if (negative.numel() > 0) throw std::invalid_argument("teacher row " + std::to_string(negative[0][0].item<int64_t>()) + " has a negative probability");
    auto sums = teacher_.to(torch::kFloat64).sum(1);
    auto off = (sums - 1).abs().gt(1e-3).nonzero();
    if (off.numel() > 0) {
      const int64_t row = off[0][0].item<int64_t>();
      throw std::invalid_argument("teacher row " + std::to_string(row) + " sums to " + std::to_string(sums[row].item<double>()) + ", not 1 (rows are probabilities)");
    }
  }
  auto sum = torch::zeros({nMels}, torch::kFloat64), sq = torch::zeros({nMels}, torch::kFloat64);
  int64_t count = 0;
  audio_.resize(clips.size());
  scale_.resize(clips.size());
  clean_.resize(clips.size());
  for (size_t i = 0; i < clips.size(); ++i) {
    require(lengths[i] > 0, "clip " + std::to_string(i) + " is empty");
    const float* c = clips[i];
    float peak = 0;
    for (int64_t k = 0; k < lengths[i]; ++k) {
      if (!std::isfinite(c[k])) throw std::invalid_argument("clip " + std::to_string(i) + " contains NaN or Infinity");
      peak = std::max(peak, std::abs(c[k]));
    }
    const float scale = peak > 0 ? peak / 32767.0f : 1.0f;
    scale_[i] = scale;
    audio_[i].resize(static_cast<size_t>(lengths[i]));
    for (int64_t k = 0; k < lengths[i]; ++k) audio_[i][k] = static_cast<int16_t>(std::lrint(c[k] / scale));
    // Clean features from the original float samples (exactly what the TS pipeline computed).
    const int64_t padded = std::max(lengths[i], options_.padSamples);
    auto wave = torch::zeros({padded}, torch::kFloat32);
    std::copy(c, c + lengths[i], wave.data_ptr<float>());
    clean_[i] = features(wave);
    if (!speechMasks_.empty())
      require(speechMasks_[i].dim() == 1 && speechMasks_[i].size(0) == clean_[i].size(1),
              "speechMasks[" + std::to_string(i) + "] has " + std::to_string(speechMasks_[i].numel()) + " frames, the clip " + std::to_string(clean_[i].size(1)));
    auto m64 = normalizeFeatures(clean_[i], options_.norm, torch::Tensor(), speechMask(i)).to(torch::kFloat64);
    sum += m64.sum(1);
    sq += m64.square().sum(1);
    count += clean_[i].size(1);
  }
  mean_ = (sum / static_cast<double>(count));
  std_ = (sq / static_cast<double>(count) - mean_.square()).clamp_min(1e-8).sqrt().to(torch::kFloat32);
  mean_ = mean_.to(torch::kFloat32);
}

torch::Tensor TrainingSet::audio(int64_t i) const {
  const auto& a = audio_[i];
  const int64_t len = static_cast<int64_t>(a.size());
  auto out = torch::zeros({std::max(len, options_.padSamples)}, torch::kFloat32);
  float* o = out.data_ptr<float>();
  const float s = scale_[i];
  for (int64_t k = 0; k < len; ++k) o[k] = static_cast<float>(a[k]) * s;
  return out;
}

void addWhiteNoise(torch::Tensor& x, int64_t len, double snrDb, uint64_t seed) {
  // Signal power over the clip itself (not its zero padding), as addWhiteNoise in TS.
  auto part = x.narrow(0, 0, len);
  const double power = part.to(torch::kFloat64).square().mean().item<double>();
  if (power < kSilencePower) return;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto noise = torch::randn({len}, gen, torch::TensorOptions().dtype(torch::kFloat64));
  const double gain = std::sqrt(power / std::pow(10.0, snrDb / 10.0) / noise.square().mean().item<double>());
  part.add_((noise * gain).to(torch::kFloat32));
}

torch::Tensor TrainingSet::noisyAudio(int64_t i, double snrDb, uint64_t seed) const {
  auto x = audio(i);
  addWhiteNoise(x, static_cast<int64_t>(audio_[i].size()), snrDb, seed);
  return x;
}

torch::Tensor TrainingSet::features(const torch::Tensor& audio) const {
  return logMel(audio.to(options_.device).unsqueeze(0), {audio.size(0)}, options_.mel)[0].to(torch::kCPU).contiguous();
}

torch::Tensor TrainingSet::normalize(const torch::Tensor& m, int64_t i, bool bySpeaker) const {
  return normalizeFeatures(m, options_.norm, bySpeaker ? speakerStats_[i] : torch::Tensor(), speechMask(i));
}

torch::Tensor TrainingSet::speechMask(int64_t i) const { return speechMasks_.empty() ? torch::Tensor() : speechMasks_[i]; }

void EpochPlan::validate(const TrainingSet& set) const {
  const size_t n = item.size();
  require(n > 0, "plan.item is empty");
  require(snrDb.size() == n && noiseSeed.size() == n && start.size() == n && timeScale.size() == n && freqScale.size() == n,
          "plan.snrDb, noiseSeed, start, timeScale and freqScale must have one entry per plan.item");
  require(masks.size() == n * static_cast<size_t>(2 * (freqMasks + timeMasks)), "plan.masks must hold 2·(freqMasks + timeMasks) values per entry");
  require(bySpeaker.empty() || bySpeaker.size() == n, "plan.bySpeaker must be empty or have one entry per plan.item");
  if (std::find(bySpeaker.begin(), bySpeaker.end(), 1) != bySpeaker.end())
    require(set.hasSpeakerStats(), "plan.bySpeaker asks for speaker statistics, but the training set was given none (featureOptions.speakerStats)");
  const int64_t len = set.options().windowFrames, nMels = set.options().mel.nMels;
  for (size_t e = 0; e < n; ++e) {
    require(item[e] >= 0 && item[e] < set.size(), "plan.item[" + std::to_string(e) + "] is not a clip of the training set");
    const int64_t frames = set.frames(item[e]);
    require(start[e] >= 0 && start[e] < frames, "plan.start[" + std::to_string(e) + "] is outside its clip");
    require(timeScale[e] > 0 && freqScale[e] > 0, "plan.timeScale and plan.freqScale must be positive");
    const int32_t* mk = masks.data() + e * 2 * (freqMasks + timeMasks);
    for (int64_t k = 0; k < freqMasks + timeMasks; ++k) {
      const int64_t limit = k < freqMasks ? nMels : len;
      require(mk[2 * k + 1] >= 0 && mk[2 * k] >= 0 && mk[2 * k] + mk[2 * k + 1] <= limit, "plan.masks[" + std::to_string(e) + "] reaches past the window");
    }
  }
  for (int32_t o : order) require(o >= 0 && static_cast<size_t>(o) < n, "plan.order holds an entry that is not in the plan");
}

void cropWarpMask(const torch::Tensor& m, int64_t start, int64_t len, double timeScale, double freqScale, const int32_t* masks,
                  int64_t freqMasks, int64_t timeMasks, const torch::Tensor& fill, float* out) {
  const int64_t nMels = m.size(0), frames = m.size(1);
  const float* d = m.data_ptr<float>();
  const int64_t lastT = frames - 1, lastM = nMels - 1;
  // Double arithmetic on float samples, as the TS reference (numbers are doubles there).
  for (int64_t k = 0; k < nMels; ++k) {
    const double sk = std::min(static_cast<double>(lastM), static_cast<double>(k) * freqScale);
    const int64_t k0 = static_cast<int64_t>(std::floor(sk));
    const int64_t k1 = std::min(lastM, k0 + 1);
    const double fk = sk - static_cast<double>(k0);
    const float* r0 = d + k0 * frames;
    const float* r1 = d + k1 * frames;
    float* o = out + k * len;
    for (int64_t j = 0; j < len; ++j) {
      const double st = std::min(static_cast<double>(lastT), static_cast<double>(start) + static_cast<double>(j) * timeScale);
      const int64_t t0 = static_cast<int64_t>(std::floor(st));
      const int64_t t1 = std::min(lastT, t0 + 1);
      const double ft = st - static_cast<double>(t0);
      const double a = static_cast<double>(r0[t0]) + (static_cast<double>(r0[t1]) - static_cast<double>(r0[t0])) * ft;
      const double b = static_cast<double>(r1[t0]) + (static_cast<double>(r1[t1]) - static_cast<double>(r1[t0])) * ft;
      o[j] = static_cast<float>(a + (b - a) * fk);
    }
  }
  const float* f = fill.data_ptr<float>();
  for (int64_t q = 0; q < freqMasks; ++q) {
    const int32_t f0 = masks[2 * q], w = masks[2 * q + 1];
    for (int64_t k = f0; k < f0 + w; ++k) std::fill(out + k * len, out + (k + 1) * len, f[k]);
  }
  for (int64_t q = 0; q < timeMasks; ++q) {
    const int32_t t0 = masks[2 * (freqMasks + q)], w = masks[2 * (freqMasks + q) + 1];
    for (int64_t k = 0; k < nMels; ++k) std::fill(out + k * len + t0, out + k * len + t0 + w, f[k]);
  }
}

void makeInput(const TrainingSet& set, const EpochPlan& plan, int64_t e, const torch::Tensor& fill, float* out, EpochTimings* times) {
  const int32_t i = plan.item[e];
  EpochTimings ignored;
  EpochTimings& t = times ? *times : ignored;
  torch::Tensor m;
  if (std::isnan(plan.snrDb[e])) {
    m = set.clean(i);
  } else {
    auto t0 = std::chrono::steady_clock::now();
    auto wave = set.noisyAudio(i, plan.snrDb[e], plan.noiseSeed[e]);
    t.noise += seconds(t0);
    t0 = std::chrono::steady_clock::now();
    m = set.features(wave);
    t.noisyLogMel += seconds(t0);
  }
  const auto t0 = std::chrono::steady_clock::now();
  m = set.normalize(m, i, !plan.bySpeaker.empty() && plan.bySpeaker[e] != 0);
  const int64_t per = 2 * (plan.freqMasks + plan.timeMasks);
  cropWarpMask(m, plan.start[e], set.options().windowFrames, plan.timeScale[e], plan.freqScale[e], plan.masks.data() + e * per, plan.freqMasks,
               plan.timeMasks, fill, out);
  t.crops += seconds(t0);
}

int64_t liveProducerThreads() { return producers.load(); }

EpochResult trainPlannedEpoch(Trainer& trainer, const TrainingSet& set, const EpochPlan& plan, const EpochOptions& o, int64_t prefetch,
                              const std::function<void(int64_t, int64_t, double)>& progress, const std::atomic<bool>& cancel,
                              EpochTimings* producerTimes) {
  plan.validate(set);
  require(o.batchSize >= 1, "batchSize must be positive");
  require(set.options().mel.nMels == trainer.config().nMels, "the training set's nMels differs from the model's");
  for (int64_t i = 0; i < set.size(); ++i)
    require(set.label(i) >= 0 && set.label(i) < trainer.config().nClasses, "labels must be in [0, nClasses)");
  require(o.teacherWeight == 0 || set.hasTeacher(), "options.teacherWeight > 0 needs the teacher's probabilities: featureOptions.teacher in setTrainingData");
  require(!set.hasTeacher() || set.teacher().size(1) == trainer.config().nClasses, "the training set's teacher has " +
          std::to_string(set.hasTeacher() ? set.teacher().size(1) : 0) + " classes, the model " + std::to_string(trainer.config().nClasses));
  const int64_t n = static_cast<int64_t>(plan.order.size());
  require(n > 0, "plan.order is empty");
  const int64_t len = set.options().windowFrames, nMels = set.options().mel.nMels;
  const int64_t batches = (n + o.batchSize - 1) / o.batchSize;
  const torch::Tensor fill = trainer.maskFill();

  BoundedQueue<Batch> queue(static_cast<size_t>(std::max<int64_t>(1, prefetch)));
  std::exception_ptr failure;
  std::atomic<bool> stop{false};
  EpochTimings made;
  std::thread producer([&] {
    producers.fetch_add(1);
    try {
      // One intra-op thread here: the training thread keeps LibTorch's pool (docs/ARCHITECTURE.md, "Threads and processes").
      at::get_num_threads();  // initialise this thread's OpenMP state first, then narrow it
      if (omp_set_num_threads) omp_set_num_threads(1);
      for (int64_t b = 0; b < batches && !stop.load(); ++b) {
        const int64_t first = b * o.batchSize, size = std::min(o.batchSize, n - first);
        if (size < 2 && n >= 2) break;  // batch norm cannot train on a lone sample
        Batch batch;
        batch.x = torch::empty({size, 1, nMels, len}, torch::kFloat32);
        batch.y = torch::empty({size}, torch::kLong);
        float* xs = batch.x.data_ptr<float>();
        int64_t* ys = batch.y.data_ptr<int64_t>();
        std::vector<int64_t> items(static_cast<size_t>(size));
        for (int64_t s = 0; s < size; ++s) {
          const int32_t e = plan.order[first + s];
          makeInput(set, plan, e, fill, xs + s * nMels * len, &made);
          ys[s] = set.label(plan.item[e]);
          items[s] = plan.item[e];
        }
        if (set.hasTeacher()) batch.q = set.teacher().index_select(0, torch::tensor(items, torch::kLong));
        if (!queue.push(std::move(batch))) break;
      }
    } catch (...) {
      failure = std::current_exception();
    }
    queue.close();
    producers.fetch_sub(1);
  });

  EpochResult r;
  try {
    std::mt19937_64 rng(o.seed);
    r = trainer.trainBatches([&](Batch& out) { return queue.pop(out); }, batches, o, rng, progress, cancel);
  } catch (...) {
    stop.store(true);
    queue.close();
    producer.join();
    throw;
  }
  stop.store(true);
  queue.close();
  producer.join();
  if (failure) std::rethrow_exception(failure);
  if (producerTimes) *producerTimes = made;
  return r;
}

}  // namespace ser
