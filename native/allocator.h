// How the process's C allocator treats LibTorch's large tensors (docs/THREADS.md, "Memory").
#pragma once

namespace ser {

// Unless SER_NATIVE_MALLOC=system: glibc serves large blocks from its heaps instead of fresh
// mmap()s. By default every tensor over 32 MB (a conv block's activations at batch 16+) is a new
// mapping whose pages fault in on first touch and are unmapped on free, so each elementwise op
// (batch norm, ReLU, pooling) paid for page faults: 26 ms per window at batch 64 against 3.2 ms
// with reused heap memory (torch 2.13, 2 threads, tmp/batch_sweep.py). Returns whether it applied.
bool keepLargeAllocationsInHeap();

}  // namespace ser
