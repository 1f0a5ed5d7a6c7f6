#include "allocator.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "block_cache.h"

namespace ser {

bool configureMemory() {
  const char* choice = std::getenv("SER_NATIVE_MALLOC");
  if (choice != nullptr && std::strcmp(choice, "system") == 0) return false;
  installBlockCache(kBlockCacheBudget);
#if defined(__GLIBC__)
  // No mmap for large blocks; freed memory above 256 MB at the top of a heap goes back to the OS.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
  return true;
}

size_t releaseIdleMemory() {
  const size_t cached = releaseBlockCache();
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  return cached;
}

}  // namespace ser
