// The thread model of LibTorch work off the JS thread (docs/ARCHITECTURE.md, "Threads and processes"). With the OpenMP backend,
// at::set_num_threads only reaches the calling thread and threads that start LibTorch work later:
// a libuv worker that already ran an op keeps its old team size. Every worker therefore applies
// the process's requested intra-op thread count itself before its tensor work.
#pragma once

#include <cstdint>

namespace ser {

// Records the intra-op thread count for all LibTorch work of this process (setNumThreads) and
// applies it to the calling thread.
void requestIntraOpThreads(int n);

// Applies the requested count (if any) to the calling thread; returns the count now in force there.
int applyIntraOpThreads();

// The thread policy of small forwards (issue 26): a prediction of at most this many windows runs on one
// intra-op thread, because LibTorch splits one window's small convolutions across threads at a loss
// (docs/benchmarks.md, "forward by batch size"). 0 turns the policy off.
constexpr int64_t kDefaultSerialForwardWindows = 2;
void setSerialForwardWindows(int64_t windows);
int64_t serialForwardWindows();

// The calling thread's intra-op thread count for a scope; the previous count comes back at its end.
class IntraOpThreadsScope {
 public:
  explicit IntraOpThreadsScope(int threads);
  ~IntraOpThreadsScope();
  IntraOpThreadsScope(const IntraOpThreadsScope&) = delete;
  IntraOpThreadsScope& operator=(const IntraOpThreadsScope&) = delete;

 private:
  int previous_;
};

}  // namespace ser
