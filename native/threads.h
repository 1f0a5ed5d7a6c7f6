// The thread model of LibTorch work off the JS thread (docs/ARCHITECTURE.md, "Threads and processes"). With the OpenMP backend,
// at::set_num_threads only reaches the calling thread and threads that start LibTorch work later:
// a libuv worker that already ran an op keeps its old team size. Every worker therefore applies
// the process's requested intra-op thread count itself before its tensor work.
#pragma once

namespace ser {

// Records the intra-op thread count for all LibTorch work of this process (setNumThreads) and
// applies it to the calling thread.
void requestIntraOpThreads(int n);

// Applies the requested count (if any) to the calling thread; returns the count now in force there.
int applyIntraOpThreads();

}  // namespace ser
