#include "threads.h"

#include <ATen/Parallel.h>

#include <atomic>

namespace ser {

namespace {
std::atomic<int> requested{0};  // 0 = LibTorch's default (one per core)
}

void requestIntraOpThreads(int n) {
  requested.store(n);
  at::set_num_threads(n);
}

int applyIntraOpThreads() {
  const int n = requested.load();
  if (n > 0 && at::get_num_threads() != n) at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace ser
