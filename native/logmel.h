// Log-mel spectrogram kernels (torchaudio semantics): STFT → power → mel filterbank → dB.
// Pure tensor code with no N-API, so training and inference call it directly.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace ser {

struct MelOptions {
  int64_t sampleRate = 16000;
  int64_t nFft = 400;
  int64_t winLength = 400;
  int64_t hopLength = 200;
  bool center = true;
  std::string padMode = "reflect";  // 'reflect' | 'constant'
  double power = 2.0;               // 1 = magnitude, 2 = power
  int64_t nMels = 128;
  double fMin = 0.0;
  double fMax = 8000.0;
  std::string melScale = "htk";  // 'htk' | 'slaney'
  std::string norm;              // '' (none) | 'slaney'
  double amin = 1e-10;
  std::optional<double> topDb;  // applied per utterance
  double ref = 1.0;
  // Throws std::invalid_argument naming the option when the combination is impossible.
  void validate() const;
  std::string key() const;  // identifies the parameter set for the filterbank cache
};

// torchaudio.functional.melscale_fbanks: [nFft/2 + 1, nMels], computed in float64, cached per
// parameter set and device.
torch::Tensor melFilterbank(const MelOptions& o, const torch::Device& device);

// Number of frames for a signal of `length` samples.
int64_t frameCount(const MelOptions& o, int64_t length);

// waveforms: float [batch, samples] (zero-padded), lengths: the real length of each row.
// Returns log-mel [batch, nMels, maxFrames]; row i is valid for frameCount(lengths[i]) frames
// (the rest is filled with the row's minimum), and top_db is applied per row over its valid frames.
torch::Tensor logMel(const torch::Tensor& waveforms, const std::vector<int64_t>& lengths, const MelOptions& o);

}  // namespace ser
