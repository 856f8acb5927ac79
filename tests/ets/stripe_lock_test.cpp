// Tests of stripe_lock (src/ets/stripe_lock.hpp): readers never see a writer's half-done
// change, writers exclude each other, and a reader that waits for a writer does not block it.
// Plain threads, a few thousand iterations: the protocol, not the runtime (run under TSan
// too).

#include "ets/stripe_lock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace otter::ets::detail {
namespace {

// Two fields that every writer changes together, under the lock.
struct guarded {
  stripe_lock lock;
  std::int64_t a = 0;  // guarded by lock
  std::int64_t b = 0;  // guarded by lock
};

TEST(StripeLockTest, ReadersSeeOnlyWholeWritesAndWritersExcludeEachOther) {
  guarded g;
  constexpr int writers = 2;
  constexpr int readers = 3;
  constexpr int rounds = 20000;
  std::atomic<int> torn{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        write_guard lock(g.lock);
        ++g.a;
        ++g.b;
      }
    });
  }
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&] {
      while (!done.load(std::memory_order_relaxed)) {
        read_guard lock(g.lock);
        if (g.a != g.b) {
          torn.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (int w = 0; w < writers; ++w) {
    threads[static_cast<std::size_t>(w)].join();
  }
  done.store(true);
  for (std::size_t i = writers; i < threads.size(); ++i) {
    threads[i].join();
  }
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(g.a, std::int64_t{writers} * rounds);
  EXPECT_EQ(g.b, g.a);
}

TEST(StripeLockTest, ReadLocksOfDifferentStripesAndThreadsCoexist) {
  stripe_lock one;
  stripe_lock two;
  read_guard a(one);
  std::thread other([&] {
    read_guard b(one);   // a second reader of the same lock does not wait
    write_guard c(two);  // nor does a writer of another lock
  });
  other.join();
  SUCCEED();
}

// A thread's slot is given back when it exits: many short-lived readers in sequence never run
// out of slots (more threads than there are slots).
TEST(StripeLockTest, SlotsOfExitedThreadsAreReused) {
  stripe_lock l;
  for (int i = 0; i < 600; ++i) {
    std::thread t([&] { read_guard g(l); });
    t.join();
  }
  write_guard w(l);  // and a writer is not held up by slots of dead threads
  SUCCEED();
}

}  // namespace
}  // namespace otter::ets::detail
