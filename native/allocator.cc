#include "allocator.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ser {

bool keepLargeAllocationsInHeap() {
#if defined(__GLIBC__)
  const char* choice = std::getenv("SER_NATIVE_MALLOC");
  if (choice != nullptr && std::strcmp(choice, "system") == 0) return false;
  // No mmap for large blocks; freed memory above 256 MB at the top of a heap goes back to the OS.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  return true;
#else
  return false;
#endif
}

}  // namespace ser
