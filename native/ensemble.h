// An ensemble's forward pass: K member networks (same input and classes, possibly different
// architectures) whose softmax probabilities are averaged. A kernel (no N-API): predictClips
// (native/pipeline.cc) calls it for every prediction, so a bundle with K members still crosses into
// C++ once per batch. There is no ensemble class: JS hands predictClips an array of NativeModel.
#pragma once
#include <memory>
#include <vector>

#include "trainer.h"

namespace ser {

// Mean of the members' softmax outputs for features [n, nMels, frames] (each member locked in turn;
// a busy member is ERR_BUSY). Summed in double, so the mean is exact to float rounding.
torch::Tensor ensemblePredict(const std::vector<std::shared_ptr<Trainer>>& members, const torch::Tensor& features);

}  // namespace ser
