// LibTorch's CPU allocator with a cache of large blocks: freed blocks of 1 MiB and more are kept
// and handed to the next request that fits (best fit, at most 25% larger); the least recently freed
// go back to the C allocator when the idle bytes would pass a budget. Training and prediction
// repeat the same tensor shapes batch after batch, so after the first batch their large
// activations stop reaching the C allocator. Why glibc alone did not do: on threads other than the
// main one (libuv's pool, where training and async prediction run) glibc serves requests from
// per-thread heaps capped at 64 MB and larger ones with a fresh mmap() whose pages fault in on each
// touch (and M_ARENA_MAX set at load does not move threads that already have an arena).
#pragma once

#include <cstddef>

namespace ser {

// Installs the cache as c10's CPU allocator (once; later tensors use it, earlier ones keep their
// own deleters). budgetBytes: most bytes kept idle in the cache.
void installBlockCache(size_t budgetBytes);

struct BlockCacheStats {
  bool installed = false;
  size_t hits = 0, misses = 0, idleBytes = 0, idleBlocks = 0;
};
BlockCacheStats blockCacheStats();
// Frees every idle block (a service between bursts gives its memory back); returns the bytes freed.
size_t releaseBlockCache();

}  // namespace ser
