#include "block_cache.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ser {

namespace {
constexpr size_t kMinCached = size_t(1) << 20;  // smaller blocks come from glibc's bins cheaply
constexpr size_t kGranule = size_t(64) << 10;   // sizes round up to 64 KiB

size_t roundUp(size_t n) { return (n + kGranule - 1) / kGranule * kGranule; }

class BlockCache final : public c10::Allocator {
 public:
  explicit BlockCache(size_t budget) : budget_(budget) {}

  // Every pointer is its own context: some LibTorch kernels use raw_allocate/raw_deallocate,
  // which require that. The size of a cached-class block is looked up when it is freed.
  c10::DataPtr allocate(size_t n) override {
    void* p = take(n);
    return {p, p, &BlockCache::release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &BlockCache::release; }
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }

  BlockCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {true, hits_, misses_, idleBytes_, bySize_.size()};
  }

  size_t releaseIdle() {
    std::vector<void*> all;
    size_t bytes = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      bytes = idleBytes_;
      while (!byAge_.empty()) all.push_back(evictOldest());
    }
    for (void* p : all) c10::free_cpu(p);
    return bytes;
  }

  static BlockCache* instance;

 private:
  using BySize = std::multimap<size_t, std::pair<void*, uint64_t>>;  // size → (block, age stamp)

  static void release(void* p) { instance->giveBack(p); }

  void* take(size_t n) {
    if (n < kMinCached) return c10::alloc_cpu(n);
    const size_t want = roundUp(n);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = bySize_.lower_bound(want);
      if (it != bySize_.end() && it->first <= want + want / 4) {
        void* p = it->second.first;
        idleBytes_ -= it->first;
        byAge_.erase(it->second.second);
        bySize_.erase(it);
        ++hits_;
        return p;
      }
      ++misses_;
    }
    void* p = c10::alloc_cpu(want);
    std::lock_guard<std::mutex> lock(mutex_);
    sizes_[p] = want;
    return p;
  }

  void giveBack(void* p) {
    std::vector<void*> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = sizes_.find(p);
      if (it != sizes_.end()) {
        const size_t size = it->second;
        if (size > budget_) {
          sizes_.erase(it);
          evicted.push_back(p);
        } else {
          while (idleBytes_ + size > budget_) evicted.push_back(evictOldest());
          const uint64_t stamp = clock_++;
          byAge_[stamp] = bySize_.emplace(size, std::make_pair(p, stamp));
          idleBytes_ += size;
        }
      } else {
        evicted.push_back(p);  // a small block
      }
    }
    for (void* q : evicted) c10::free_cpu(q);
  }

  // Caller holds the lock.
  void* evictOldest() {
    auto oldest = byAge_.begin();
    auto entry = oldest->second;
    void* p = entry->second.first;
    idleBytes_ -= entry->first;
    sizes_.erase(p);
    bySize_.erase(entry);
    byAge_.erase(oldest);
    return p;
  }

  const size_t budget_;
  std::mutex mutex_;
  std::unordered_map<void*, size_t> sizes_;  // every live or idle block of the cached class
  BySize bySize_;                            // idle blocks
  std::map<uint64_t, BySize::iterator> byAge_;
  uint64_t clock_ = 0;
  size_t idleBytes_ = 0, hits_ = 0, misses_ = 0;
};

BlockCache* BlockCache::instance = nullptr;
std::once_flag installed;
}  // namespace

void installBlockCache(size_t budgetBytes) {
  std::call_once(installed, [budgetBytes] {
    // Never destroyed: tensors may be freed during process exit, after static destructors ran.
    BlockCache::instance = new BlockCache(budgetBytes);
    c10::SetCPUAllocator(BlockCache::instance, /*priority=*/1);
  });
}

size_t releaseBlockCache() { return BlockCache::instance ? BlockCache::instance->releaseIdle() : 0; }

BlockCacheStats blockCacheStats() { return BlockCache::instance ? BlockCache::instance->stats() : BlockCacheStats{}; }

}  // namespace ser
