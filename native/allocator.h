// How the process allocates LibTorch's large tensors (README, "Environment"; docs/ARCHITECTURE.md).
#pragma once

#include <cstddef>

namespace ser {

// Most bytes of idle tensor blocks kept for reuse by the block cache (block_cache.h). One default
// recipe epoch (tmp/prof-e1.js, idle): budget 0 → 3.97 M page faults, 54 s; 256 MiB → 1.13 M,
// 33 s; 768 MiB → 0.51 M, 24 s (83 misses in 5,741 requests; 1 GiB no better); peak RSS 1.76 → 2.08 GB.
constexpr size_t kBlockCacheBudget = size_t(768) << 20;

// Unless SER_NATIVE_MALLOC=system: LibTorch's CPU tensors of 1 MiB and more are reused through the
// block cache, and glibc serves other large blocks from its heaps instead of fresh mmap()s. By
// default glibc maps every block over 32 MB (a conv block's activations at batch 16+) anew and
// unmaps it on free, so each elementwise op (batch norm, ReLU, pooling) paid page faults: 26 ms per
// window at batch 64 against 3.2 ms with reused memory (torch 2.13, 2 threads, tmp/batch_sweep.py).
// Called once at load. Returns whether it applied.
bool configureMemory();

// Gives idle memory back to the OS: the block cache's idle blocks, then glibc's free heap pages
// (malloc_trim). Returns the bytes the block cache held. For a service between bursts of work.
size_t releaseIdleMemory();

}  // namespace ser
