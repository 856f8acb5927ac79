// The per-thread block caches behind mailbox nodes and coroutine frames.

#include "otter/detail/small_alloc.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define OTTER_TEST_ASAN 1
#endif

namespace otter::detail {
namespace {

TEST(SmallAllocTest, AFreedBlockIsReusedForTheSameSizeClass) {
  void* a = small_alloc(41);
  small_free(a, 41);
  void* b = small_alloc(56);  // the same class as 41: blocks of 56 bytes
  EXPECT_EQ(a, b);
  small_free(b, 56);
  void* c = small_alloc(57);  // the next class (72 bytes): not the cached 56-byte block
  EXPECT_NE(c, b);
  small_free(c, 57);
}

TEST(SmallAllocTest, BlocksOfEverySizeAreWritableAndDistinct) {
  std::vector<std::pair<void*, std::size_t>> blocks;
  std::set<void*> seen;
  for (std::size_t size = 1; size <= 1024; size += 7) {
    void* p = small_alloc(size);
    std::memset(p, 0xab, size);
    EXPECT_TRUE(seen.insert(p).second);
    blocks.emplace_back(p, size);
  }
  for (auto [p, size] : blocks) {
    small_free(p, size);
  }
}

TEST(SmallAllocTest, ABlockMayBeFreedOnAnotherThread) {
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) {
    blocks.push_back(small_alloc(64));
  }
  std::thread other([&] {
    for (void* p : blocks) {
      small_free(p, 64);
    }
    // The other thread's cache now holds them; it reuses them itself.
    void* again = small_alloc(64);
    EXPECT_NE(again, nullptr);
    small_free(again, 64);
  });
  other.join();
}

TEST(SmallAllocTest, ManyMoreFreesThanTheCacheKeepsAreReturned) {
  std::vector<void*> blocks;
  for (int i = 0; i < 20000; ++i) {
    blocks.push_back(small_alloc(32));
  }
  for (void* p : blocks) {
    small_free(p, 32);  // beyond the cache's bound they go back to operator delete (ASan: no leak)
  }
  // The most recently cached block is handed out first.
  void* again = small_alloc(32);
  EXPECT_NE(std::find(blocks.begin(), blocks.end(), again), blocks.end());
  small_free(again, 32);
}

#ifdef OTTER_TEST_ASAN
// Under ASan a cached block is poisoned: a use after free is reported even though the block was
// not returned to the system allocator.
TEST(SmallAllocTest, ACachedBlockIsPoisonedUnderAddressSanitizer) {
  void* p = small_alloc(80);
  EXPECT_EQ(__asan_address_is_poisoned(p), 0);
  small_free(p, 80);
  EXPECT_NE(__asan_address_is_poisoned(p), 0);
  void* q = small_alloc(80);
  EXPECT_EQ(q, p);
  EXPECT_EQ(__asan_address_is_poisoned(q), 0);
  small_free(q, 80);
}
#endif

}  // namespace
}  // namespace otter::detail
