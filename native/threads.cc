#include "threads.h"

#include <ATen/Parallel.h>

#include <atomic>

namespace ser {

namespace {
std::atomic<int> requested{0};  // 0 = LibTorch's default (one per core)
std::atomic<int64_t> serialWindows{kDefaultSerialForwardWindows};
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

void setSerialForwardWindows(int64_t windows) { serialWindows.store(windows); }

int64_t serialForwardWindows() { return serialWindows.load(); }

IntraOpThreadsScope::IntraOpThreadsScope(int threads) : previous_(at::get_num_threads()) {
  if (threads != previous_) at::set_num_threads(threads);
}

IntraOpThreadsScope::~IntraOpThreadsScope() {
  if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
}

}  // namespace ser
