// tests/core/deterministic_runtime_test.cpp: otter::testing::deterministic_runtime: one
// scheduler driven by the test thread, a manual clock, and a seeded shuffle of the run order.

#include "otter/testing/deterministic_runtime.hpp"

#include "otter/otter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

struct tick {};

// Sets an environment variable for the life of the object, restoring the previous value.
class scoped_env {
public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = std::string(old);
    }
    ::setenv(name, value, 1);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

private:
  const char* name_;
  std::optional<std::string> old_;
};

// Spawns `n` processes that each append their number to a log when they run, and returns the
// order in which they ran.
std::vector<int> run_order(deterministic_runtime& rt, int n) {
  std::vector<int> order;
  for (int i = 0; i < n; ++i) {
    rt.spawn([&order, i]() -> co<> {
      order.push_back(i);
      co_return;
    });
  }
  rt.run_until_idle();
  return order;
}

std::vector<int> run_order_with_seed(std::uint64_t seed, int n) {
  deterministic_runtime rt(seed);
  return run_order(rt, n);
}

std::vector<int> fifo(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(DeterministicRuntimeTest, TheClockOnlyMovesWhenAdvanced) {
  deterministic_runtime rt;
  const std::int64_t t0 = rt.now_ms();
  std::int64_t seen_inside = rt.run([]() -> co<std::int64_t> { co_return now_ms(); });
  EXPECT_EQ(seen_inside, t0);
  EXPECT_EQ(rt.now_ms(), t0);
  rt.advance(1500ms);
  EXPECT_EQ(rt.now_ms(), t0 + 1500);
  rt.advance_ms(3);
  EXPECT_EQ(rt.now_ms(), t0 + 1503);
}

TEST(DeterministicRuntimeTest,
     AdvanceFiresTimersInDeadlineOrderIncludingOnesRearmedInsideTheWindow) {
  std::vector<std::pair<std::string, std::int64_t>> log;
  deterministic_runtime rt;
  const std::int64_t t0 = rt.now_ms();
  rt.spawn([&log]() -> co<> {
    // Armed out of order; the ticker re-arms itself every 7 ms.
    send_after(self(), 30, 30ms);
    send_after(self(), 10, 10ms);
    send_after(self(), 20, 20ms);
    send_after(self(), tick{}, 7ms);
    for (;;) {
      co_await receive(on<tick>([&log](tick) {
                         log.emplace_back("tick", now_ms());
                         send_after(self(), tick{}, 7ms);
                       }),
                       on<int>([&log](int v) { log.emplace_back(std::to_string(v), now_ms()); }));
    }
  });
  rt.advance(50ms);
  std::vector<std::pair<std::string, std::int64_t>> expected{
      {"tick", t0 + 7},  {"10", t0 + 10}, {"tick", t0 + 14}, {"20", t0 + 20},   {"tick", t0 + 21},
      {"tick", t0 + 28}, {"30", t0 + 30}, {"tick", t0 + 35}, {"tick", t0 + 42}, {"tick", t0 + 49}};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(rt.now_ms(), t0 + 50);
}

TEST(DeterministicRuntimeTest, AdvanceFiresReceiveTimeoutsAtTheirExactDeadline) {
  std::vector<std::int64_t> woke;
  deterministic_runtime rt;
  const std::int64_t t0 = rt.now_ms();
  rt.spawn([&woke]() -> co<> {
    for (int i = 0; i < 3; ++i) {
      co_await sleep(100ms);
      woke.push_back(now_ms());
    }
  });
  rt.run_until_idle();
  rt.advance(99ms);
  EXPECT_TRUE(woke.empty());
  rt.advance(1s);
  EXPECT_EQ(woke, (std::vector<std::int64_t>{t0 + 100, t0 + 200, t0 + 300}));
}

TEST(DeterministicRuntimeTest, StepRunsOneProcessSliceAtATime) {
  std::vector<int> log;
  deterministic_runtime rt;
  for (int id : {1, 2}) {
    rt.spawn([&log, id]() -> co<> {
      log.push_back(id);
      co_await yield();
      log.push_back(id * 10);
    });
  }
  EXPECT_TRUE(rt.step());
  EXPECT_EQ(log, std::vector<int>{1});
  EXPECT_TRUE(rt.step());
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  EXPECT_TRUE(rt.step());
  EXPECT_EQ(log, (std::vector<int>{1, 2, 10}));
  EXPECT_TRUE(rt.step());
  EXPECT_EQ(log, (std::vector<int>{1, 2, 10, 20}));
  EXPECT_FALSE(rt.step());
  EXPECT_EQ(rt.process_count(), 0U);
}

TEST(DeterministicRuntimeTest, StepReturnsFalseWhenOnlyWaitingProcessesAreLeft) {
  deterministic_runtime rt;
  rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  EXPECT_TRUE(rt.step());
  EXPECT_FALSE(rt.step());
  EXPECT_EQ(rt.process_count(), 1U);
}

TEST(DeterministicRuntimeTest, RunUntilIdleRunsEverythingRunnableAndCountsTheSlices) {
  std::vector<int> log;
  deterministic_runtime rt;
  for (int id : {1, 2}) {
    rt.spawn([&log, id]() -> co<> {
      log.push_back(id);
      co_await yield();
      log.push_back(id * 10);
    });
  }
  EXPECT_EQ(rt.run_until_idle(), 4U);
  EXPECT_EQ(log, (std::vector<int>{1, 2, 10, 20}));
  EXPECT_EQ(rt.run_until_idle(), 0U);
}

TEST(DeterministicRuntimeTest, RunUntilIdleDoesNotMoveTheClock) {
  bool woke = false;
  deterministic_runtime rt;
  const std::int64_t t0 = rt.now_ms();
  rt.spawn([&woke]() -> co<> {
    co_await sleep(10ms);
    woke = true;
  });
  rt.run_until_idle();
  EXPECT_EQ(rt.now_ms(), t0);
  EXPECT_FALSE(woke);
  EXPECT_EQ(rt.process_count(), 1U);
}

TEST(DeterministicRuntimeTest, RunJumpsTheClockToTheNextTimerWhenNothingCanRun) {
  deterministic_runtime rt;
  const std::int64_t t0 = rt.now_ms();
  std::int64_t woke_at = rt.run(
      []() -> co<std::int64_t> {
        co_await sleep(1h);
        co_return now_ms();
      },
      2h);
  EXPECT_EQ(woke_at, t0 + 3'600'000);
  EXPECT_EQ(rt.now_ms(), t0 + 3'600'000);
}

TEST(DeterministicRuntimeTest, WithoutASeedProcessesRunInSpawnOrder) {
  deterministic_runtime rt;
  ASSERT_EQ(rt.seed(), 0U) << "OTTER_SHUFFLE_SEED is set in the environment";
  EXPECT_EQ(run_order(rt, 20), fifo(20));
}

TEST(DeterministicRuntimeTest, AShuffleSeedChangesTheRunOrder) {
  deterministic_runtime rt(12345);
  std::vector<int> order = run_order(rt, 20);
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, fifo(20));  // every process ran exactly once
  EXPECT_NE(order, fifo(20));
}

TEST(DeterministicRuntimeTest, TheSameSeedGivesTheSameOrder) {
  EXPECT_EQ(run_order_with_seed(777, 20), run_order_with_seed(777, 20));
  EXPECT_EQ(run_order_with_seed(31337, 20), run_order_with_seed(31337, 20));
}

TEST(DeterministicRuntimeTest, DifferentSeedsGiveDifferentOrders) {
  // With 20 processes two seeds agree by chance with probability 1/20!: the orders of five
  // seeds must not all be the same.
  std::set<std::vector<int>> orders;
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    orders.insert(run_order_with_seed(seed, 20));
  }
  EXPECT_GT(orders.size(), 1U);
}

TEST(DeterministicRuntimeTest, TheShuffleAlsoOrdersMessagesWakingProcesses) {
  // Replaying with a seed must reproduce interleavings of processes woken by messages too.
  auto interleaving = [](std::uint64_t seed) {
    std::vector<int> log;
    deterministic_runtime rt(seed);
    std::vector<pid> workers;
    for (int i = 0; i < 8; ++i) {
      workers.push_back(rt.spawn([&log, i]() -> co<> {
        for (int round = 0; round < 3; ++round) {
          (void)co_await receive<tick>();
          log.push_back(i * 10 + round);
        }
      }));
    }
    rt.run_until_idle();
    for (int round = 0; round < 3; ++round) {
      for (pid w : workers) {
        rt.send(w, tick{});
      }
      rt.run_until_idle();
    }
    return log;
  };
  std::vector<int> a = interleaving(99);
  EXPECT_EQ(a.size(), 24U);
  EXPECT_EQ(a, interleaving(99));
}

TEST(DeterministicRuntimeTest, OtterShuffleSeedEnvironmentVariableOverridesTheSeed) {
  std::vector<int> replayed;
  {
    scoped_env env("OTTER_SHUFFLE_SEED", "4242");
    deterministic_runtime rt(1);
    EXPECT_EQ(rt.seed(), 4242U);
    replayed = run_order(rt, 20);
    deterministic_runtime fifo_requested;  // seed 0 asked, the environment wins
    EXPECT_EQ(fifo_requested.seed(), 4242U);
  }
  EXPECT_EQ(replayed, run_order_with_seed(4242, 20));
  EXPECT_NE(replayed, fifo(20));
}

}  // namespace
}  // namespace otter
