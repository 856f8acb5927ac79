// tests/core/runtime_test.cpp: otter::runtime (otter/core/runtime.hpp): run(), shutdown, the
// members used from outside the runtime, and several runtimes in one program.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

struct ready {};
struct stop {};

// Threads of this program (Linux: one entry per thread in /proc/self/task).
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

// Spawns `f` from outside with an exit hook that receives its exit reason (the hook runtime::run
// itself uses), so that a test sees every process's reason even when all of them die at once.
template <class F>
pid spawn_observed(runtime& rt, F f, std::function<void(const term&)> on_exit) {
  detail::spawn_request req(detail::make_body(std::move(f)));
  req.on_exit = std::move(on_exit);
  return detail::spawn(rt.impl(), req);
}

// Counts live copies: a capture of a process body lives exactly as long as the process.
struct frame_guard {
  std::shared_ptr<std::atomic<int>> live;
  explicit frame_guard(std::shared_ptr<std::atomic<int>> l) : live(std::move(l)) { ++*live; }
  frame_guard(const frame_guard& o) : live(o.live) { ++*live; }
  frame_guard(frame_guard&& o) noexcept : live(o.live) { ++*live; }
  frame_guard& operator=(const frame_guard&) = delete;
  frame_guard& operator=(frame_guard&&) = delete;
  ~frame_guard() { --*live; }
};

TEST(RuntimeTest, RunReturnsTheValueOfTheProcess) {
  runtime rt(runtime_options{.schedulers = 2});
  EXPECT_EQ(rt.run([]() -> co<int> { co_return 42; }, 30s), 42);
  EXPECT_EQ(rt.run([]() -> co<std::string> { co_return std::string("otter"); }, 30s), "otter");
}

TEST(RuntimeTest, RunOfAVoidProcessReturnsWhenItIsDone) {
  runtime rt(runtime_options{.schedulers = 2});
  std::atomic<bool> ran{false};
  rt.run(
      [&ran]() -> co<void> {
        ran = true;
        co_return;
      },
      30s);
  EXPECT_TRUE(ran.load());
}

TEST(RuntimeTest, RunWaitsForMessagesBetweenProcesses) {
  runtime rt(runtime_options{.schedulers = 2});
  int reply = rt.run(
      []() -> co<int> {
        pid echo = spawn([]() -> co<> {
          auto [from, n] = co_await receive<std::pair<pid, int>>();
          send(from, n + 1);
        });
        send(echo, std::pair{self(), 41});
        co_return co_await receive<int>();
      },
      30s);
  EXPECT_EQ(reply, 42);
}

TEST(RuntimeTest, RunThrowsRunErrorWithTheExitReasonWhenTheProcessExits) {
  runtime rt(runtime_options{.schedulers = 2});
  try {
    rt.run(
        []() -> co<int> {
          otter::exit(tuple(atoms::shutdown, atom("bye")));
          co_return 0;
        },
        30s);
    ADD_FAILURE() << "run() returned normally";
  } catch (const run_error& e) {
    EXPECT_EQ(e.reason(), tuple(atoms::shutdown, atom("bye")));
  }
}

TEST(RuntimeTest, RunThrowsRunErrorWithTheExceptionAsReasonWhenTheProcessCrashes) {
  runtime rt(runtime_options{.schedulers = 2});
  try {
    rt.run(
        []() -> co<int> {
          throw std::invalid_argument("bad input");
          co_return 0;
        },
        30s);
    ADD_FAILURE() << "run() returned normally";
  } catch (const run_error& e) {
    term expected =
        tuple(term::structure("ArgumentError", {{atom("message"), "bad input"}}), stacktrace());
    EXPECT_EQ(e.reason(), expected);
    EXPECT_NE(std::string(e.what()).find("%ArgumentError{message: \"bad input\"}"),
              std::string::npos)
        << e.what();
  }
}

TEST(RuntimeTest, RunThrowsRunErrorWithTheErrorReasonForOtterError) {
  runtime rt(runtime_options{.schedulers = 2});
  try {
    rt.run(
        []() -> co<void> {
          otter::error(atoms::badarg);
          co_return;
        },
        30s);
    ADD_FAILURE() << "run() returned normally";
  } catch (const run_error& e) {
    EXPECT_EQ(e.reason(), tuple(atoms::badarg, stacktrace()));
  }
}

TEST(RuntimeTest, RunThrowsRunErrorWithTimeoutWhenTheProcessDoesNotFinish) {
  runtime rt(runtime_options{.schedulers = 2});
  try {
    rt.run([]() -> co<void> { (void)co_await receive<stop>(); }, 50ms);
    ADD_FAILURE() << "run() returned normally";
  } catch (const run_error& e) {
    EXPECT_EQ(e.reason(), term(atoms::timeout));
  }
  // run() killed the process before throwing (RegressionTest covers what that guarantees);
  // its slot may still be finalising here, so the count is 0 or 1, never more.
  EXPECT_LE(rt.process_count(), 1U);
}

TEST(RuntimeTest, RunOnTheDeterministicRuntimeTimesOutWithoutWaiting) {
  deterministic_runtime rt;
  const std::int64_t t0 = rt.now_ms();
  try {
    rt.run([]() -> co<void> { co_await sleep(10min); }, 1min);
    ADD_FAILURE() << "run() returned normally";
  } catch (const run_error& e) {
    EXPECT_EQ(e.reason(), term(atoms::timeout));
  }
  EXPECT_LE(rt.now_ms(), t0 + 60'000);
}

TEST(RuntimeTest, ShutdownGivesEveryProcessExitReasonShutdown) {
  constexpr int n = 40;
  std::mutex mu;
  std::vector<term> reasons;
  auto record = [&](const term& r) {
    std::lock_guard<std::mutex> lock(mu);
    reasons.push_back(r);
  };
  runtime rt(runtime_options{.schedulers = 2});
  // Processes in every state: waiting forever, waiting with a timeout, trapping exits,
  // linked to each other, and busy yielding.
  for (int i = 0; i < n; ++i) {
    switch (i % 4) {
      case 0:
        spawn_observed(
            rt, []() -> co<> { (void)co_await receive<stop>(); }, record);
        break;
      case 1:
        spawn_observed(
            rt, []() -> co<> { co_await sleep(1h); }, record);
        break;
      case 2:
        spawn_observed(
            rt,
            []() -> co<> {
              trap_exit(true);
              for (;;) {
                (void)co_await receive<exit_msg>();
              }
            },
            record);
        break;
      default:
        spawn_observed(
            rt,
            []() -> co<> {
              for (;;) {
                co_await yield();
              }
            },
            record);
        break;
    }
  }
  rt.shutdown();
  EXPECT_EQ(rt.process_count(), 0U);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(reasons.size(), static_cast<std::size_t>(n));
  for (const term& r : reasons) {
    EXPECT_EQ(r, term(atoms::shutdown)) << r.to_string();
  }
}

TEST(RuntimeTest, ShutdownFiresLinksAndMonitorsWithReasonShutdown) {
  // Every process dies with :shutdown; an observer that handles a peer's exit signal or DOWN
  // before its own terminate signal sees that reason in it.
  std::mutex mu;
  std::vector<term> seen;
  std::vector<term> exits;
  auto record_exit = [&](const term& r) {
    std::lock_guard<std::mutex> lock(mu);
    exits.push_back(r);
  };
  runtime rt(runtime_options{.schedulers = 2});
  pid watched = spawn_observed(
      rt, []() -> co<> { (void)co_await receive<stop>(); }, record_exit);
  auto armed = std::make_shared<std::promise<void>>();
  std::future<void> armed_f = armed->get_future();
  spawn_observed(
      rt,
      [watched, armed, &mu, &seen]() -> co<> {
        trap_exit(true);
        link(watched);
        (void)monitor(watched);
        (void)co_await process_info(watched);  // the link and the monitor are in place
        armed->set_value();
        for (;;) {
          message m = *co_await receive_any(infinity);
          std::lock_guard<std::mutex> lock(mu);
          seen.push_back(m.to_term());
        }
      },
      record_exit);
  ASSERT_EQ(armed_f.wait_for(30s), std::future_status::ready);
  rt.shutdown();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(exits, (std::vector<term>{atoms::shutdown, atoms::shutdown}));
  for (const term& t : seen) {
    ASSERT_TRUE(t.is_tagged(atoms::EXIT, 3) || t.is_tagged(atoms::DOWN, 5)) << t.to_string();
    EXPECT_EQ(t[t.size() - 1], term(atoms::shutdown)) << t.to_string();
  }
}

TEST(RuntimeTest, ShutdownJoinsEveryThreadAndLeavesNoProcess) {
  // ThreadSanitizer starts a helper thread at the first thread creation: make it exist first.
  std::thread([] {}).join();
  const std::size_t before = thread_count();
  {
    runtime rt(runtime_options{.schedulers = 3, .blocking_threads = 2});
    EXPECT_EQ(thread_count(), before + 5);
    for (int i = 0; i < 10; ++i) {
      rt.spawn([]() -> co<> { (void)co_await receive<stop>(); });
    }
    EXPECT_EQ(rt.process_count(), 10U);
    rt.shutdown();
    EXPECT_EQ(rt.process_count(), 0U);
    EXPECT_EQ(thread_count(), before);
    rt.shutdown();  // idempotent
    EXPECT_EQ(rt.process_count(), 0U);
  }
  EXPECT_EQ(thread_count(), before);
}

TEST(RuntimeTest, DestroyingARuntimeWithManyIdleProcessesIsClean) {
  constexpr int n = 100'000;
  auto live = std::make_shared<std::atomic<int>>(0);
  {
    runtime rt(runtime_options{.schedulers = 2});
    frame_guard guard(live);
    int started = rt.run(
        [guard]() -> co<int> {
          const pid main = self();
          for (int i = 0; i < n; ++i) {
            spawn([guard, main]() -> co<> {
              send(main, ready{});
              (void)co_await receive<stop>();
            });
          }
          int count = 0;
          for (; count < n; ++count) {
            if (!(co_await receive_for<ready>(30s))) {
              break;
            }
          }
          co_return count;
        },
        120s);
    ASSERT_EQ(started, n);
    EXPECT_GE(rt.process_count(), static_cast<std::size_t>(n));  // + the run() process, maybe
    EXPECT_GE(live->load(), n + 1);
  }  // every process is stopped, every frame destroyed, every thread joined
  EXPECT_EQ(live->load(), 0);
}

TEST(RuntimeTest, ProcessesSpawnedWhileShutdownRunsAreStoppedToo) {
  std::mutex mu;
  std::vector<term> reasons;
  runtime rt(runtime_options{.schedulers = 2});
  // The spawner keeps spawning until its own terminate signal stops it, so some children are
  // born after shutdown's scan of the process table.
  auto spawning = std::make_shared<std::promise<void>>();
  std::future<void> spawning_f = spawning->get_future();
  spawn_observed(
      rt,
      [spawning]() -> co<> {
        for (int i = 0;; ++i) {
          spawn([]() -> co<> { (void)co_await receive<stop>(); });
          if (i == 100) {
            spawning->set_value();
          }
          co_await yield();
        }
      },
      [&](const term& r) {
        std::lock_guard<std::mutex> lock(mu);
        reasons.push_back(r);
      });
  ASSERT_EQ(spawning_f.wait_for(30s), std::future_status::ready);
  rt.shutdown();
  EXPECT_EQ(rt.process_count(), 0U);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(reasons, std::vector<term>{atoms::shutdown});
}

TEST(RuntimeTest, SchedulersReportsTheSchedulerThreads) {
  runtime three(runtime_options{.schedulers = 3});
  EXPECT_EQ(three.schedulers(), 3U);
  runtime all;
  EXPECT_EQ(all.schedulers(), std::max(1U, std::thread::hardware_concurrency()));
  deterministic_runtime manual;
  EXPECT_EQ(manual.schedulers(), 0U);
}

TEST(RuntimeTest, SchedulersOnlineIsTheSchedulerCountSeenFromInside) {
  runtime three(runtime_options{.schedulers = 3});
  EXPECT_EQ(three.run([]() -> co<unsigned> { co_return schedulers_online(); }), 3U);
  runtime all;
  EXPECT_EQ(all.run([]() -> co<unsigned> { co_return schedulers_online(); }),
            std::max(1U, std::thread::hardware_concurrency()));
  // The deterministic runtime has one scheduler, also for the thread that drives it.
  deterministic_runtime manual;
  EXPECT_EQ(manual.run([]() -> co<unsigned> { co_return schedulers_online(); }), 1U);
  EXPECT_EQ(schedulers_online(), 1U);
}

TEST(RuntimeTest, SendFromOutsideReachesTheProcess) {
  runtime rt(runtime_options{.schedulers = 2});
  auto got = std::make_shared<std::promise<int>>();
  std::future<int> f = got->get_future();
  pid p = rt.spawn([got]() -> co<> {
    int a = co_await receive<int>();
    int b = co_await receive<int>();
    got->set_value(a * 10 + b);  // messages from one thread arrive in order
  });
  rt.send(p, 4);
  rt.send(p, 2);
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(f.get(), 42);
}

TEST(RuntimeTest, WhereisAndSendToANameFromOutside) {
  const atom name("runtime_test_server");
  runtime rt(runtime_options{.schedulers = 2});
  auto got = std::make_shared<std::promise<int>>();
  std::future<int> f = got->get_future();
  EXPECT_TRUE(rt.whereis(name).is_null());
  EXPECT_FALSE(rt.send(name, 1));
  pid server = rt.run(
      [name, got]() -> co<pid> {
        pid s = spawn([got]() -> co<> { got->set_value(co_await receive<int>()); });
        register_name(name, s);
        co_return s;
      },
      30s);
  EXPECT_EQ(rt.whereis(name), server);
  EXPECT_TRUE(rt.send(name, 9));
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(f.get(), 9);
}

TEST(RuntimeTest, ExitFromOutsideStopsTheProcessWithTheReason) {
  runtime rt(runtime_options{.schedulers = 2});
  auto armed = std::make_shared<std::promise<void>>();
  auto down = std::make_shared<std::promise<term>>();
  std::future<void> armed_f = armed->get_future();
  std::future<term> down_f = down->get_future();
  pid target = rt.spawn([]() -> co<> { (void)co_await receive<stop>(); });
  rt.spawn([target, armed, down]() -> co<> {
    (void)monitor(target);
    (void)co_await process_info(target);  // the target has handled the monitor
    armed->set_value();
    down->set_value((co_await receive<down_msg>()).reason);
  });
  ASSERT_EQ(armed_f.wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(rt.alive(target));
  EXPECT_TRUE(rt.exit(target, atom("from_outside")));
  ASSERT_EQ(down_f.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(down_f.get(), term(atom("from_outside")));
  EXPECT_FALSE(rt.alive(target));
}

TEST(RuntimeTest, ExitNormalFromOutsideIsIgnoredByANonTrappingProcess) {
  runtime rt(runtime_options{.schedulers = 2});
  auto got = std::make_shared<std::promise<int>>();
  std::future<int> f = got->get_future();
  pid p = rt.spawn([got]() -> co<> { got->set_value(co_await receive<int>()); });
  rt.exit(p, atoms::normal);
  rt.send(p, 3);  // after the exit signal: handled after it
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(f.get(), 3);
}

TEST(RuntimeTest, ExitFromOutsideReachesATrappingProcessAsAMessage) {
  runtime rt(runtime_options{.schedulers = 2});
  auto got = std::make_shared<std::promise<term>>();
  std::future<term> f = got->get_future();
  pid p = rt.run(
      [got]() -> co<pid> {
        const pid main = self();
        pid t = spawn([got, main]() -> co<> {
          trap_exit(true);
          send(main, ready{});
          exit_msg e = co_await receive<exit_msg>();
          got->set_value(e.reason);
        });
        (void)co_await receive<ready>();
        co_return t;
      },
      30s);
  rt.exit(p, atom("please_stop"));
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(f.get(), term(atom("please_stop")));
}

TEST(RuntimeTest, SeveralRuntimesOneAfterAnother) {
  for (int i = 0; i < 3; ++i) {
    {
      runtime rt(runtime_options{.schedulers = 2});
      EXPECT_EQ(rt.run(
                    [i]() -> co<int> {
                      pid child = spawn([]() -> co<> {
                        auto [from, v] = co_await receive<std::pair<pid, int>>();
                        send(from, v * 2);
                      });
                      send(child, std::pair{self(), i});
                      co_return co_await receive<int>();
                    },
                    30s),
                i * 2);
    }
    {
      deterministic_runtime rt;
      EXPECT_EQ(rt.run([i]() -> co<int> {
        co_await sleep(1s);
        co_return i + 1;
      }),
                i + 1);
    }
  }
}

TEST(RuntimeTest, TwoRuntimesAtOnceAreIndependent) {
  runtime first(runtime_options{.schedulers = 1});
  runtime second(runtime_options{.schedulers = 1});
  auto a_down = std::make_shared<std::promise<void>>();
  std::future<void> a_down_f = a_down->get_future();
  pid a = first.spawn([]() -> co<> { (void)co_await receive<stop>(); });
  pid b = second.spawn([]() -> co<> { (void)co_await receive<stop>(); });
  EXPECT_EQ(first.process_count(), 1U);
  EXPECT_EQ(second.process_count(), 1U);
  first.spawn([a, a_down]() -> co<> {
    (void)monitor(a);
    (void)co_await receive<down_msg>();
    a_down->set_value();
  });
  first.send(a, stop{});
  ASSERT_EQ(a_down_f.wait_for(30s), std::future_status::ready);
  // Pids are per runtime (the two may even be equal): `b` is untouched.
  EXPECT_FALSE(first.alive(a));
  EXPECT_TRUE(second.alive(b));
  EXPECT_EQ(second.process_count(), 1U);
}

}  // namespace
}  // namespace otter
