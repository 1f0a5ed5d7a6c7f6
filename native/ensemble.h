// An ensemble's forward pass: K member networks (same input and classes, possibly different
// architectures) whose softmax probabilities are averaged. native/pipeline.cc calls it for every
// prediction, so a bundle with K members still crosses into C++ once per batch.
#pragma once
#include <memory>
#include <vector>

#include "common.h"
#include "trainer.h"

namespace ser {

// Mean of the members' softmax outputs for features [n, nMels, frames] (each member locked in turn;
// a busy member is ERR_BUSY). Summed in double, so the mean is exact to float rounding.
torch::Tensor ensemblePredict(const std::vector<std::shared_ptr<Trainer>>& members, const torch::Tensor& features);

}  // namespace ser
