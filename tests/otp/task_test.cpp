// Task: async/await and their failure exits, yield, ignore, shutdown, await_many, yield_many,
// completed, task_start, the owner rule, `$callers` / `$ancestors`, and the crash reports.

#include "otter/otp/task.hpp"

#include "otter/core/logger.hpp"
#include "otter/core/process_info.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using test_support::a;

/// Collects the reports logged while alive (crashing tasks would print them).
class log_capture {
public:
  log_capture() {
    previous_ = set_log_sink([this](const log_event& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
    });
  }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;
  ~log_capture() { set_log_sink(std::move(previous_)); }

  std::vector<log_event> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

private:
  log_sink previous_;
  std::mutex mu_;
  std::vector<log_event> events_;
};

/// Waits for an atom message `what`.
co<void> wait_for(atom what) {
  co_await receive(on<term>([what](const term& m) { return m.is(what); }, [](term&) {}));
}

/// Catches the exit of `f`'s process code: its reason, or nil when it returned.
template <class F>
co<term> exit_of(F f) {
  try {
    co_await f();
  } catch (const exit_exception& e) {
    co_return e.reason();
  }
  co_return term();
}

class TaskTest : public test_support::on_both_runtimes {};

TEST_P(TaskTest, AwaitReturnsTheValueAndLeavesNothingInTheMailbox) {
  int value = 0;
  std::size_t left = 99;
  bool task_alive = true;
  run([&]() -> co<void> {
    task<int> t = async([]() -> co<int> {
      co_await sleep(10);
      co_return 42;
    });
    value = co_await await(t);
    co_await sleep(20);
    left = self_info().message_queue_len;
    task_alive = alive(t.pid);
  });
  EXPECT_EQ(value, 42);
  EXPECT_EQ(left, 0U);
  EXPECT_FALSE(task_alive);
}

TEST_P(TaskTest, ATaskIsLinkedAndRecordsCallersAndAncestors) {
  term callers;
  term ancestors;
  bool linked = false;
  run([&]() -> co<void> {
    const pid me = self();
    put(term(atoms::callers), list(a("upstream")));
    task<term> t =
        async([]() { return tuple(get(term(atoms::callers)), get(term(atoms::ancestors))); });
    auto info = self_info();
    linked = std::find(info.links.begin(), info.links.end(), t.pid) != info.links.end();
    term r = co_await await(t);
    callers = r[0];
    ancestors = r[1];
    EXPECT_EQ(callers, list(me, a("upstream")));
  });
  EXPECT_TRUE(linked);
  EXPECT_EQ(callers.size(), 2U);
  EXPECT_EQ(ancestors.size(), 1U);
}

TEST_P(TaskTest, TheStructPrintsAsElixirsTaskStruct) {
  std::string printed;
  run([&]() -> co<void> {
    task<int> t = async(tuple(atom("Elixir.Enum"), atom("sum"), 1), [] { return 6; });
    printed = t.to_term().to_string();
    EXPECT_EQ(co_await await(t), 6);
  });
  EXPECT_TRUE(printed.starts_with("%Task{mfa: {Enum, :sum, 1}, owner: #PID<")) << printed;
  EXPECT_NE(printed.find(", ref: #Ref<"), std::string::npos) << printed;
}

TEST_P(TaskTest, AVoidTaskGivesOkAndACoroutineTaskGivesItsValue) {
  term ok;
  std::string text;
  run([&]() -> co<void> {
    task<atom> t1 = async([] {});
    task<std::string> t2 = async([]() -> co<std::string> { co_return std::string("text"); });
    ok = term(co_await await(t1));
    text = co_await await(t2);
  });
  EXPECT_EQ(ok, term(atoms::ok));
  EXPECT_EQ(text, "text");
}

TEST_P(TaskTest, ACrashingTaskKillsANonTrappingCallerWithItsReason) {
  log_capture logs;
  term reason;
  run([&]() -> co<void> {
    auto [caller, mon] = spawn_monitor([]() -> co<void> {
      task<int> t = async([]() -> int { otter::exit(a("task_failed")); });
      (void)co_await await(t);
    });
    reason = (co_await test_support::down_of(mon)).reason;
    (void)caller;
  });
  EXPECT_EQ(reason, term(a("task_failed")));
}

TEST_P(TaskTest, ATrappingCallersAwaitExitsWithTheTaskAwaitReason) {
  log_capture logs;
  term reason;
  term printed_task;
  term mailbox;
  run([&]() -> co<void> {
    trap_exit(true);
    task<int> t = async([]() -> int { otter::exit(a("task_failed")); });
    printed_task = t.to_term();
    auto r = co_await try_await(t);
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::exit);
    reason = r.error().reason;
    auto m = co_await receive_for<exit_msg>(1000);
    EXPECT_TRUE(m.has_value());
  });
  EXPECT_EQ(reason, tuple(a("task_failed"),
                          tuple(atom("Elixir.Task"), a("await"), list(printed_task, 5000))));
}

TEST_P(TaskTest, AwaitTimesOutTheTaskKeepsRunningAndItsLateReplyIsDropped) {
  term reason;
  std::size_t left = 99;
  bool alive_after_timeout = false;
  run([&]() -> co<void> {
    task<int> t = async([]() -> co<int> {
      co_await sleep(100);
      co_return 1;
    });
    auto late_await = [t]() -> co<void> {
      (void)co_await await(t, 20);
    };
    reason = co_await exit_of(late_await);
    alive_after_timeout = alive(t.pid);
    auto info = self_info();
    EXPECT_EQ(info.monitors.size(), 0U);
    co_await sleep(200);
    left = self_info().message_queue_len;
  });
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0], term(atoms::timeout));
  EXPECT_EQ(reason[1][2][1], term(20));
  EXPECT_TRUE(alive_after_timeout);
  EXPECT_EQ(left, 0U);
}

TEST_P(TaskTest, ATaskExitingNormallyWithoutReplyingMakesAwaitExitNormal) {
  term reason;
  run([&]() -> co<void> {
    task<int> t = async([]() -> int { otter::exit(term(atoms::normal)); });
    auto await_it = [t]() -> co<void> {
      (void)co_await await(t);
    };
    reason = co_await exit_of(await_it);
  });
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0], term(atoms::normal));
}

TEST_P(TaskTest, YieldReturnsNilWhileTheTaskRunsAndItsValueLater) {
  term first;
  term second;
  run([&]() -> co<void> {
    task<term> t = async([]() -> co<term> {
      co_await sleep(100);
      co_return term(a("finally"));
    });
    first = to_term(co_await yield(t, 10));
    second = to_term(co_await yield(t, 1000));
    EXPECT_EQ(self_info().message_queue_len, 0U);
  });
  EXPECT_EQ(first, term());
  EXPECT_EQ(second, tuple(atoms::ok, a("finally")));
}

TEST_P(TaskTest, YieldReportsTheExitOfADeadTask) {
  log_capture logs;
  term r;
  run([&]() -> co<void> {
    trap_exit(true);
    task<int> t = async([]() -> int { otter::exit(a("crashed")); });
    r = to_term(co_await yield(t, 1000));
  });
  EXPECT_EQ(r, tuple(a("exit"), a("crashed")));
}

TEST_P(TaskTest, IgnoreUnlinksTheTaskAndDropsItsReply) {
  term ignored;
  std::size_t left = 99;
  term late;
  run([&]() -> co<void> {
    task<int> t = async([]() -> co<int> {
      co_await wait_for(a("go"));
      co_return 7;
    });
    ignored = to_term(co_await ignore(t));
    EXPECT_TRUE(self_info().links.empty());
    ref m = monitor(t.pid);
    send(t.pid, term(a("go")));
    (void)co_await test_support::down_of(m);
    left = self_info().message_queue_len;
    auto await_now = [t]() -> co<void> {
      (void)co_await await(t, 0);
    };
    late = co_await exit_of(await_now);
  });
  EXPECT_EQ(ignored, term());
  EXPECT_EQ(left, 0U);
  ASSERT_TRUE(late.is_tuple());
  EXPECT_EQ(late[0], term(atoms::timeout));
}

TEST_P(TaskTest, IgnoreOfAFinishedTaskReturnsItsValue) {
  term r;
  run([&]() -> co<void> {
    task<int> t = async([] { return 5; });
    ref m = monitor(t.pid);
    (void)co_await test_support::down_of(m);
    r = to_term(co_await ignore(t));
  });
  EXPECT_EQ(r, tuple(atoms::ok, 5));
}

TEST_P(TaskTest, ShutdownStopsARunningTaskWithShutdown) {
  term r;
  term down;
  run([&]() -> co<void> {
    task<int> t = async([]() -> co<int> {
      co_await sleep(infinity);
      co_return 0;
    });
    ref m = monitor(t.pid);
    r = to_term(co_await shutdown(t));
    down = (co_await test_support::down_of(m)).reason;
    EXPECT_EQ(self_info().message_queue_len, 0U);
  });
  EXPECT_EQ(r, term());
  EXPECT_EQ(down, term(atoms::shutdown));
}

TEST_P(TaskTest, ShutdownKillsATrappingTaskAfterTheTimeout) {
  term r;
  term brutal;
  run([&]() -> co<void> {
    const pid me = self();
    auto stubborn = [me]() -> co<int> {
      trap_exit(true);
      send(me, term(a("trapping")));
      co_await sleep(infinity);
      co_return 0;
    };
    task<int> t = async(stubborn);
    co_await wait_for(a("trapping"));
    r = to_term(co_await shutdown(t, 50));
    task<int> t2 = async(stubborn);
    co_await wait_for(a("trapping"));
    brutal = to_term(co_await shutdown(t2, brutal_kill));
    EXPECT_EQ(self_info().message_queue_len, 0U);
  });
  EXPECT_EQ(r, tuple(a("exit"), atoms::killed));
  EXPECT_EQ(brutal, term());
}

TEST_P(TaskTest, ShutdownOfAFinishedTaskReturnsItsReplyOrItsExit) {
  log_capture logs;
  term done;
  term failed;
  run([&]() -> co<void> {
    task<term> t = async([] { return term(a("result")); });
    ref m = monitor(t.pid);
    (void)co_await test_support::down_of(m);
    done = to_term(co_await shutdown(t));
    trap_exit(true);
    task<term> t2 = async([]() -> term { otter::exit(a("failed")); });
    ref m2 = monitor(t2.pid);
    (void)co_await test_support::down_of(m2);
    failed = to_term(co_await shutdown(t2));
  });
  EXPECT_EQ(done, tuple(atoms::ok, a("result")));
  EXPECT_EQ(failed, tuple(a("exit"), a("failed")));
}

TEST_P(TaskTest, AwaitManyReturnsTheValuesInInputOrder) {
  std::vector<int> values;
  run([&]() -> co<void> {
    std::vector<task<int>> tasks;
    for (int ms : {150, 50, 100}) {
      tasks.push_back(async([ms]() -> co<int> {
        co_await sleep(ms);
        co_return ms;
      }));
    }
    values = co_await await_many(tasks);
    EXPECT_TRUE((co_await await_many(std::vector<task<int>>{})).empty());
    EXPECT_EQ(self_info().message_queue_len, 0U);
  });
  EXPECT_EQ(values, (std::vector<int>{150, 50, 100}));
}

TEST_P(TaskTest, AwaitManyExitsWhenATaskDies) {
  log_capture logs;
  term reason;
  run([&]() -> co<void> {
    trap_exit(true);
    std::vector<task<int>> tasks;
    tasks.push_back(async([]() -> co<int> {
      co_await sleep(1000);
      co_return 1;
    }));
    tasks.push_back(async([]() -> int { otter::exit(a("boom")); }));
    auto await_all = [tasks]() -> co<void> {
      (void)co_await await_many(tasks);
    };
    reason = co_await exit_of(await_all);
    EXPECT_TRUE(self_info().monitors.empty());
  });
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0], term(a("boom")));
  EXPECT_EQ(reason[1][1], term(a("await_many")));
}

TEST_P(TaskTest, YieldManyReportsEveryTaskWithinOneDeadline) {
  log_capture logs;
  std::vector<term> results;
  run([&]() -> co<void> {
    trap_exit(true);
    std::vector<task<int>> tasks;
    tasks.push_back(async([] { return 1; }));
    tasks.push_back(async([]() -> co<int> {
      co_await sleep(1000);
      co_return 2;
    }));
    tasks.push_back(async([]() -> int { otter::exit(a("three")); }));
    for (auto& [t, r] : co_await yield_many(tasks, 100)) {
      results.push_back(to_term(r));
    }
    (void)co_await shutdown(tasks[1]);
  });
  EXPECT_EQ(results,
            (std::vector<term>{tuple(atoms::ok, 1), term(), tuple(a("exit"), a("three"))}));
}

TEST_P(TaskTest, ACompletedTaskAwaitsAtOnce) {
  term v;
  std::string printed;
  run([&]() -> co<void> {
    task<term> t = completed(term(a("done")));
    printed = t.to_term().to_string();
    v = co_await await(t, 0);
  });
  EXPECT_EQ(v, term(a("done")));
  EXPECT_TRUE(printed.starts_with("%Task{mfa: {Task, :completed, 1}")) << printed;
  EXPECT_NE(printed.find("pid: nil"), std::string::npos) << printed;
}

TEST_P(TaskTest, OnlyTheOwnerMayAwaitATask) {
  log_capture logs;
  term reason;
  run([&]() -> co<void> {
    task<int> t = async([] { return 1; });
    auto [other, mon] = spawn_monitor([t]() -> co<void> { (void)co_await await(t); });
    (void)other;
    reason = (co_await test_support::down_of(mon)).reason;
    EXPECT_EQ(co_await await(t), 1);
    // The runtime reports the raise asynchronously: wait for it while the capture is on.
    for (int i = 0; i < 100 && logs.events().empty(); ++i) {
      co_await sleep(10);
    }
  });
  ASSERT_EQ(logs.events().size(), 1U);
  EXPECT_EQ(logs.events()[0].kind, "emulator error_in_process");
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0].struct_name(), "ArgumentError");
}

TEST_P(TaskTest, ACrashLogsTaskTerminatingBeforeTheCrashReport) {
  log_capture logs;
  pid task_pid;
  pid me;
  run([&]() -> co<void> {
    me = self();
    task_pid = task_start([]() { otter::exit(a("task_boom")); });
    ref m = monitor(task_pid);
    EXPECT_EQ((co_await test_support::down_of(m)).reason, term(a("task_boom")));
  });
  std::vector<log_event> events = logs.events();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, "task terminating");
  ASSERT_EQ(events[0].fields.size(), 3U);
  EXPECT_EQ(events[0].fields[0].second, term(task_pid));
  EXPECT_EQ(events[0].fields[1].second, term(me));
  EXPECT_EQ(events[0].fields[2].second, tuple(a("task_boom"), stacktrace()));
  EXPECT_EQ(events[1].kind, "proc_lib crash_report");
}

TEST_P(TaskTest, ANormalExitOrShutdownLogsNothing) {
  log_capture logs;
  run([&]() -> co<void> {
    pid p1 = task_start([]() { otter::exit(term(atoms::shutdown)); });
    pid p2 = task_start([]() { otter::exit(tuple(atoms::shutdown, a("done"))); });
    ref m1 = monitor(p1);
    ref m2 = monitor(p2);
    (void)co_await test_support::down_of(m1);
    (void)co_await test_support::down_of(m2);
  });
  EXPECT_TRUE(logs.events().empty());
}

TEST_P(TaskTest, TaskStartLinkLinksTheTaskToTheCaller) {
  bool linked = false;
  term ran;
  run([&]() -> co<void> {
    const pid me = self();
    pid p = task_start_link([me]() -> co<void> {
      co_await wait_for(a("go"));
      send(me, term(a("ran")));
    });
    auto info = self_info();
    linked = std::find(info.links.begin(), info.links.end(), p) != info.links.end();
    send(p, term(a("go")));
    ran = co_await receive<term>();
  });
  EXPECT_TRUE(linked);
  EXPECT_EQ(ran, term(a("ran")));
}

OTTER_ON_BOTH_RUNTIMES(TaskTest);

}  // namespace
}  // namespace otter
