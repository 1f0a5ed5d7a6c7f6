#include "ensemble.h"

namespace ser {

torch::Tensor ensemblePredict(const std::vector<std::shared_ptr<Trainer>>& members, const torch::Tensor& features) {
  torch::Tensor sum;
  for (size_t i = 0; i < members.size(); ++i) {
    auto lock = members[i]->lockIdle("ensemble member " + std::to_string(i));
    auto p = members[i]->predict(features, kPredictBatch).to(torch::kFloat64);
    sum = sum.defined() ? sum + p : p;
  }
  return (sum / static_cast<double>(members.size())).to(torch::kFloat32);
}

}  // namespace ser
