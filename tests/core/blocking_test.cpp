// tests/core/blocking_test.cpp: co_await otter::blocking(fn) (otter/core/blocking.hpp): the
// function runs on the blocking pool, the process gets its value or exception, the schedulers
// keep running other processes, and an exit signal waits for the call to return.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

struct started {};
struct continued {};

// Note: the functions given to blocking() below that capture values with destructors are
// named before the co_await. GCC 12 destroys a lambda temporary created inside a co_await
// expression twice (a double free of its captures); clang and later GCCs do not.

TEST(BlockingTest, BlockingReturnsTheValueOfTheFunction) {
  runtime rt(runtime_options{.schedulers = 2, .blocking_threads = 2});
  std::string text = rt.run(
      []() -> co<std::string> {
        co_return co_await blocking([] { return std::string("read from disk"); });
      },
      30s);
  EXPECT_EQ(text, "read from disk");
}

TEST(BlockingTest, BlockingWithAVoidFunctionResumesAfterItRan) {
  runtime rt(runtime_options{.schedulers = 2, .blocking_threads = 2});
  int seen = rt.run(
      []() -> co<int> {
        int x = 0;
        co_await blocking([&x] { x = 5; });
        co_return x;
      },
      30s);
  EXPECT_EQ(seen, 5);
}

TEST(BlockingTest, BlockingRunsOffTheSchedulerThread) {
  runtime rt(runtime_options{.schedulers = 1, .blocking_threads = 1});
  auto [process_thread, pool_thread] = rt.run(
      []() -> co<std::pair<std::thread::id, std::thread::id>> {
        std::thread::id here = std::this_thread::get_id();
        std::thread::id there = co_await blocking([] { return std::this_thread::get_id(); });
        co_return std::pair{here, there};
      },
      30s);
  EXPECT_NE(process_thread, pool_thread);
}

TEST(BlockingTest, ExceptionsFromTheFunctionPropagateIntoTheProcess) {
  runtime rt(runtime_options{.schedulers = 2, .blocking_threads = 2});
  std::string what = rt.run(
      []() -> co<std::string> {
        try {
          (void)co_await blocking([]() -> int { throw std::runtime_error("disk on fire"); });
        } catch (const std::runtime_error& e) {
          co_return std::string(e.what());
        }
        co_return std::string("no exception");
      },
      30s);
  EXPECT_EQ(what, "disk on fire");
}

TEST(BlockingTest, AnUncaughtExceptionFromTheFunctionBecomesTheExitReason) {
  runtime rt(runtime_options{.schedulers = 2, .blocking_threads = 2});
  try {
    rt.run(
        []() -> co<void> { co_await blocking([] { throw std::runtime_error("disk on fire"); }); },
        30s);
    ADD_FAILURE() << "run() returned normally";
  } catch (const run_error& e) {
    EXPECT_EQ(
        e.reason(),
        tuple(term::structure("RuntimeError", {{atom("message"), "disk on fire"}}), stacktrace()));
  }
}

TEST(BlockingTest, OtherProcessesKeepRunningWhileABlockingCallWaits) {
  // One scheduler: the blocked call waits for a process that needs that scheduler to run.
  runtime rt(runtime_options{.schedulers = 1, .blocking_threads = 1});
  runtime* rtp = &rt;
  bool released = rt.run(
      [rtp]() -> co<bool> {
        auto release = std::make_shared<std::promise<void>>();
        std::shared_future<void> done = release->get_future().share();
        const pid main = self();
        pid helper = spawn([release]() -> co<> {
          (void)co_await receive<started>();
          release->set_value();
        });
        spawn([rtp, helper, done, main]() -> co<> {
          auto wait_for_helper = [rtp, helper, done] {
            rtp->send(helper, started{});  // from the pool thread, while the call runs
            return done.wait_for(20s) == std::future_status::ready;
          };
          bool ok = co_await blocking(std::move(wait_for_helper));
          send(main, ok);
        });
        auto ok = co_await receive_for<bool>(30s);
        co_return ok.value_or(false);
      },
      60s);
  EXPECT_TRUE(released);
}

TEST(BlockingTest, AnExitSignalDuringABlockingCallTakesEffectWhenItReturns) {
  runtime rt(runtime_options{.schedulers = 2, .blocking_threads = 1});
  runtime* rtp = &rt;
  struct outcome {
    bool answered_while_blocked = false;
    bool down_while_blocked = true;
    bool returned_before_down = false;
    term reason;
    bool ran_past_the_call = true;
  };
  auto o = rt.run(
      [rtp]() -> co<outcome> {
        outcome out;
        auto release = std::make_shared<std::promise<void>>();
        std::shared_future<void> go = release->get_future().share();
        auto returned = std::make_shared<std::atomic<bool>>(false);
        const pid main = self();
        pid blocker = spawn_monitor([rtp, main, go, returned]() -> co<> {
                        auto wait_for_release = [rtp, main, go, returned] {
                          rtp->send(main, started{});
                          (void)go.wait_for(20s);
                          returned->store(true);
                        };
                        co_await blocking(std::move(wait_for_release));
                        send(main, continued{});  // must not run: the exit takes effect first
                      }).first;
        (void)co_await receive<started>();
        exit(blocker, atom("stop_now"));
        // Answered after the exit signal was handled: the process is still there.
        out.answered_while_blocked = (co_await process_info(blocker)).has_value();
        out.down_while_blocked = (co_await receive_for<down_msg>(0)).has_value();
        release->set_value();
        auto down = co_await receive_for<down_msg>(30s);
        out.returned_before_down = down.has_value() && returned->load();
        out.reason = down ? down->reason : term(atom("no_down"));
        out.ran_past_the_call = (co_await receive_for<continued>(0)).has_value();
        co_return out;
      },
      60s);
  EXPECT_TRUE(o.answered_while_blocked);
  EXPECT_FALSE(o.down_while_blocked);
  EXPECT_TRUE(o.returned_before_down);
  EXPECT_EQ(o.reason, term(atom("stop_now")));
  EXPECT_FALSE(o.ran_past_the_call);
}

TEST(BlockingTest, ManyConcurrentBlockingCallsAllComplete) {
  constexpr int n = 200;
  runtime rt(runtime_options{.schedulers = 2, .blocking_threads = 3});
  long sum = rt.run(
      []() -> co<long> {
        const pid main = self();
        for (int i = 0; i < n; ++i) {
          spawn([main, i]() -> co<> {
            int v = co_await blocking([i] { return i * 2; });
            send(main, v);
          });
        }
        long total = 0;
        for (int i = 0; i < n; ++i) {
          auto v = co_await receive_for<int>(30s);
          if (!v) {
            co_return -1;
          }
          total += *v;
        }
        co_return total;
      },
      60s);
  EXPECT_EQ(sum, static_cast<long>(n) * (n - 1));
}

TEST(BlockingTest, BlockingRunsInlineOnTheDeterministicRuntime) {
  deterministic_runtime rt;
  auto [value, same_thread] = rt.run([]() -> co<std::pair<int, bool>> {
    std::thread::id here = std::this_thread::get_id();
    int v = co_await blocking([] { return 6 * 7; });
    bool same = co_await blocking([here] { return std::this_thread::get_id() == here; });
    co_return std::pair{v, same};
  });
  EXPECT_EQ(value, 42);
  EXPECT_TRUE(same_thread);
}

}  // namespace
}  // namespace otter
