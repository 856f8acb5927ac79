// tests/core/fairness_test.cpp: preemption by reductions. A process that never waits (it keeps
// receiving its own messages) must give the scheduler back after reductions_per_slice receives,
// so that other processes, outside work and timers still make progress.

#include "otter/otter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;

struct done {};

// Loops forever on its own messages: always runnable, never waiting for anyone.
co<void> hog() {
  for (;;) {
    send(self(), 1);
    (void)co_await receive<int>();
  }
}

// The longest run of equal consecutive entries, and the number of runs.
std::pair<std::size_t, std::size_t> runs_of(const std::vector<int>& log) {
  std::size_t longest = 0;
  std::size_t runs = 0;
  for (std::size_t i = 0; i < log.size();) {
    std::size_t j = i;
    while (j < log.size() && log[j] == log[i]) {
      ++j;
    }
    longest = std::max(longest, j - i);
    ++runs;
    i = j;
  }
  return {longest, runs};
}

// Two processes each log their id `iterations` times, receiving a message of their own after
// each entry; returns the interleaving.
std::vector<int> interleaving(runtime& rt, int iterations) {
  return rt.run(
      [iterations]() -> co<std::vector<int>> {
        auto log = std::make_shared<std::vector<int>>();  // one scheduler: no concurrent access
        const pid main = self();
        for (int id : {1, 2}) {
          spawn([log, main, id, iterations]() -> co<> {
            for (int i = 0; i < iterations; ++i) {
              log->push_back(id);
              send(self(), i);
              (void)co_await receive<int>();
            }
            send(main, done{});
          });
        }
        for (int i = 0; i < 2; ++i) {
          (void)co_await receive_for<done>(30s);
        }
        co_return *log;
      },
      60s);
}

TEST(FairnessTest, ASelfMessagingLoopDoesNotStarveAnotherProcess) {
  runtime rt(runtime_options{.schedulers = 1});
  auto [sum, hog_alive] = rt.run(
      []() -> co<std::pair<int, bool>> {
        const pid main = self();
        pid h = spawn(hog);
        spawn([main]() -> co<> {
          int total = 0;
          for (int i = 0; i < 100; ++i) {
            send(self(), i);
            total += co_await receive<int>();
          }
          send(main, total);
        });
        auto total = co_await receive_for<int>(20s);
        bool alive_then = alive(h);
        exit(h, atoms::kill);
        co_return std::pair{total.value_or(-1), alive_then};
      },
      30s);
  EXPECT_EQ(sum, 4950);
  EXPECT_TRUE(hog_alive);  // it was still looping: the other process ran beside it
}

TEST(FairnessTest, TwoSelfMessagingLoopsDoNotStarveAProcessSpawnedFromOutside) {
  runtime rt(runtime_options{.schedulers = 1});
  pid h1 = rt.spawn(hog);
  pid h2 = rt.spawn(hog);
  auto ran = std::make_shared<std::promise<void>>();
  std::future<void> ran_f = ran->get_future();
  rt.spawn([ran]() -> co<> {
    ran->set_value();
    co_return;
  });
  EXPECT_EQ(ran_f.wait_for(20s), std::future_status::ready);
  rt.exit(h1, atoms::kill);
  rt.exit(h2, atoms::kill);
}

TEST(FairnessTest, TimersFireWhileSelfMessagingLoopsRun) {
  runtime rt(runtime_options{.schedulers = 1});
  pid h = rt.spawn(hog);
  auto woke = std::make_shared<std::promise<std::int64_t>>();
  std::future<std::int64_t> woke_f = woke->get_future();
  rt.spawn([woke]() -> co<> {
    const std::int64_t t0 = now_ms();
    co_await sleep(10ms);
    woke->set_value(now_ms() - t0);
  });
  ASSERT_EQ(woke_f.wait_for(20s), std::future_status::ready);
  EXPECT_GE(woke_f.get(), 10);
  rt.exit(h, atoms::kill);
}

TEST(FairnessTest, ReductionsPerSliceBoundsHowLongAProcessRunsOnTheManualRuntime) {
  runtime rt(runtime_options{
      .schedulers = 1, .blocking_threads = 0, .reductions_per_slice = 5, .manual = true});
  std::vector<int> log = interleaving(rt, 20);
  ASSERT_EQ(log.size(), 40U);
  auto [longest, runs] = runs_of(log);
  EXPECT_EQ(longest, 5U);
  EXPECT_EQ(runs, 8U);
}

TEST(FairnessTest, ReductionsPerSliceBoundsHowLongAProcessRunsOnOneScheduler) {
  runtime rt(runtime_options{.schedulers = 1, .reductions_per_slice = 5});
  std::vector<int> log = interleaving(rt, 20);
  ASSERT_EQ(log.size(), 40U);
  auto [longest, runs] = runs_of(log);
  EXPECT_LE(longest, 5U);
  EXPECT_GE(runs, 8U);
}

TEST(FairnessTest, TheDefaultSliceLetsAShortLoopFinishUninterrupted) {
  // The control for the two tests above: with 2000 reductions per slice, 20 receives fit in
  // one slice.
  runtime rt(runtime_options{.schedulers = 1, .blocking_threads = 0, .manual = true});
  std::vector<int> log = interleaving(rt, 20);
  ASSERT_EQ(log.size(), 40U);
  auto [longest, runs] = runs_of(log);
  EXPECT_EQ(longest, 20U);
  EXPECT_EQ(runs, 2U);
}

}  // namespace
}  // namespace otter
