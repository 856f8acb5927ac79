// The address-space reserve behind the scheduler arenas, and its populator thread.

#include "core/memory/page_reserve.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace otter::detail {
namespace {

constexpr std::size_t mib = std::size_t{1} << 20;

// Whether every page of [p, p + bytes) is present in memory.
bool resident(const void* p, std::size_t bytes) {
  std::vector<unsigned char> pages((bytes + 4095) / 4096);
  if (::mincore(const_cast<void*>(p), bytes, pages.data()) != 0) {
    return false;
  }
  return std::all_of(pages.begin(), pages.end(), [](unsigned char v) { return (v & 1) != 0; });
}

bool all_zero(const char* p, std::size_t bytes) {
  return std::all_of(p, p + bytes, [](char c) { return c == 0; });
}

TEST(PageReserveTest, TakeHandsOutAlignedZeroedMemoryFrontToBack) {
  page_reserve r(64 * mib);
  ASSERT_TRUE(r.valid());
  auto* a = static_cast<char*>(r.take(100, 16));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % page_reserve::huge_page, 0U);  // the start
  EXPECT_TRUE(all_zero(a, 100));
  std::memset(a, 0x5a, 100);
  auto* b = static_cast<char*>(r.take(3 * 4096, 4096));
  EXPECT_EQ(b, a + 4096);  // page-aligned, right after the first
  auto* c = static_cast<char*>(r.take(4096, page_reserve::huge_page));
  EXPECT_EQ(c, a + page_reserve::huge_page);  // the next 2 MiB boundary
  EXPECT_TRUE(all_zero(b, 3 * 4096));
  EXPECT_TRUE(r.contains(a) && r.contains(c + 4095));
  EXPECT_FALSE(r.contains(a + 64 * mib));
  EXPECT_EQ(r.taken(), page_reserve::huge_page + 4096);
}

TEST(PageReserveTest, TakeFailsOnlyWhenTheRestIsTooSmall) {
  page_reserve r(4 * mib);
  ASSERT_TRUE(r.valid());
  EXPECT_NE(r.take(3 * mib, 4096), nullptr);
  EXPECT_EQ(r.take(2 * mib, 4096), nullptr);                  // 1 MiB left
  EXPECT_EQ(r.take(4096, page_reserve::huge_page), nullptr);  // aligned, it starts past the end
  EXPECT_NE(r.take(mib, 4096), nullptr);                      // exactly what is left
  EXPECT_EQ(r.take(1, 1), nullptr);
  EXPECT_EQ(r.taken(), 4 * mib);
}

TEST(PageReserveTest, PopulateFaultsInThePagesAheadOfTheFrontWithoutChangingThem) {
  page_reserve r(64 * mib);
  ASSERT_TRUE(r.valid());
  auto* a = static_cast<char*>(r.take(mib, 4096));
  std::memset(a, 0x77, mib);
  // The front is at 1 MiB: the pages up to the next 2 MiB boundary after front + min_ahead.
  const std::size_t expected = (mib + page_reserve::min_ahead + page_reserve::huge_page - 1)
                               / page_reserve::huge_page * page_reserve::huge_page;
  EXPECT_FALSE(resident(a + mib, expected - mib));
  EXPECT_EQ(r.populate(), expected - mib);  // from the front: below it, the memory is in use
  EXPECT_EQ(r.populated(), expected);
  EXPECT_TRUE(resident(a + mib, expected - mib));
  EXPECT_TRUE(std::all_of(a, a + mib, [](char c) { return c == 0x77; }));
  EXPECT_TRUE(all_zero(a + mib, expected - mib));
  EXPECT_EQ(r.populate(), 0U);  // caught up
  EXPECT_FALSE(resident(a + expected, 4096));
}

TEST(PageReserveTest, AheadGrowsWithWhatWasTakenUpToItsBound) {
  page_reserve r(1024 * mib);
  ASSERT_TRUE(r.valid());
  EXPECT_EQ(r.ahead(), page_reserve::min_ahead);
  ASSERT_NE(r.take(64 * mib, 4096), nullptr);
  EXPECT_EQ(r.ahead(), 8 * mib);  // an eighth
  ASSERT_NE(r.take(512 * mib, 4096), nullptr);
  EXPECT_EQ(r.ahead(), page_reserve::max_ahead);
  r.populate();
  EXPECT_EQ(r.populated(), 576 * mib + page_reserve::max_ahead);
}

// The populator thread runs beside threads that take memory and write it at once: it keeps
// up with them, and populating never disturbs memory already handed out.
TEST(PageReserveTest, ThePopulatorKeepsUpWithTakersAndLeavesTheirMemoryAlone) {
  page_reserve r(256 * mib);
  ASSERT_TRUE(r.valid());
  populator::add(&r);
  constexpr int takers = 2;
  constexpr int blocks = 200;
  constexpr std::size_t block = 64 * 1024;
  std::vector<std::vector<char*>> taken(takers);
  std::vector<std::thread> threads;
  for (int t = 0; t < takers; ++t) {
    threads.emplace_back([&r, &mine = taken[t], t] {
      for (int i = 0; i < blocks; ++i) {
        auto* p = static_cast<char*>(r.take(block, 4096));
        ASSERT_NE(p, nullptr);
        std::memset(p, 1 + t, block);
        mine.push_back(p);
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  populator::wait_idle();
  for (int t = 0; t < takers; ++t) {
    for (char* p : taken[t]) {
      ASSERT_TRUE(std::all_of(p, p + block, [t](char c) { return c == 1 + t; }));
    }
  }
  const std::size_t front = r.taken();
  EXPECT_EQ(front, std::size_t{takers} * blocks * block);
  const std::size_t ready = r.populated();
  EXPECT_GE(ready, front + r.ahead() / 2);  // no longer behind
  populator::remove(&r);
  auto* next = static_cast<char*>(r.take(4096, 4096));  // the memory right at the front
  ASSERT_NE(next, nullptr);
  EXPECT_TRUE(resident(next, ready - front));
}

}  // namespace
}  // namespace otter::detail
