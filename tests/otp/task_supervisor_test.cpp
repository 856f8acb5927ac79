// Task.Supervisor: async and async_nolink, lineage of supervised tasks, children and
// terminate_child, max_children, start_child's restart types, and the supervised streams.

#include "otter/otp/task_supervisor.hpp"

#include "otter/core/logger.hpp"
#include "otter/core/process_info.hpp"
#include "otter/otp/dynamic_supervisor.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using test_support::a;

/// Silences the reports of the tasks that crash on purpose here.
class quiet_logs {
public:
  quiet_logs() : previous_(set_log_sink({})) {}
  quiet_logs(const quiet_logs&) = delete;
  quiet_logs& operator=(const quiet_logs&) = delete;
  ~quiet_logs() { set_log_sink(std::move(previous_)); }

private:
  log_sink previous_;
};

co<void> wait_for(atom what) {
  co_await receive(on<term>([what](const term& m) { return m.is(what); }, [](term&) {}));
}

bool linked_to(pid p) {
  auto links = self_info().links;
  return std::find(links.begin(), links.end(), p) != links.end();
}

class TaskSupervisorTest : public test_support::on_both_runtimes {};

TEST_P(TaskSupervisorTest, AsyncNolinkDeliversACrashAsTheTaskResultAndTheCallerLives) {
  quiet_logs quiet;
  term yielded;
  bool linked = true;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    task<int> t = co_await task_supervisor::async_nolink(*sup, []() -> co<int> {
      co_await wait_for(a("go"));
      otter::exit(a("nolink_crash"));
    });
    linked = linked_to(t.pid);
    send(t.pid, term(a("go")));
    yielded = to_term(co_await yield(t, 1000));
    EXPECT_EQ(self_info().message_queue_len, 0U);
  });
  EXPECT_FALSE(linked);
  EXPECT_EQ(yielded, tuple(a("exit"), a("nolink_crash")));
}

TEST_P(TaskSupervisorTest, AsyncLinksTheTaskAndItsCrashKillsTheCaller) {
  quiet_logs quiet;
  term reason;
  bool linked = false;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    const pid s = *sup;
    auto caller = [s, &linked]() -> co<void> {
      task<int> t = co_await task_supervisor::async(s, []() -> co<int> {
        co_await wait_for(a("go"));
        otter::exit(a("linked_crash"));
      });
      linked = linked_to(t.pid);
      send(t.pid, term(a("go")));
      (void)co_await await(t);
    };
    auto [p, mon] = spawn_monitor(caller);
    (void)p;
    reason = (co_await test_support::down_of(mon)).reason;
  });
  EXPECT_TRUE(linked);
  EXPECT_EQ(reason, term(a("linked_crash")));
}

TEST_P(TaskSupervisorTest, ASupervisedTaskDescendsFromTheSupervisorAndNamesTheCallerAsCaller) {
  term ancestors;
  term callers;
  pid sup_pid;
  pid me;
  run([&]() -> co<void> {
    me = self();
    start_result sup = co_await task_supervisor::start_link();
    sup_pid = *sup;
    task<term> t = co_await task_supervisor::async_nolink(
        *sup, [] { return tuple(get(term(atoms::ancestors)), get(term(atoms::callers))); });
    term r = co_await await(t);
    ancestors = r[0];
    callers = r[1];
  });
  ASSERT_TRUE(ancestors.is_list());
  ASSERT_GE(ancestors.size(), 2U);
  EXPECT_EQ(ancestors[0], term(sup_pid));
  EXPECT_EQ(ancestors[1], term(me));
  EXPECT_EQ(callers, list(me));
}

TEST_P(TaskSupervisorTest, ChildrenListsTheRunningTasksAndTerminateChildStopsOne) {
  std::vector<pid> during;
  std::vector<pid> after_exit;
  term down;
  bool not_found = false;
  pid task_pid;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    task<int> t = co_await task_supervisor::async_nolink(*sup, []() -> co<int> {
      co_await sleep(infinity);
      co_return 0;
    });
    task_pid = t.pid;
    during = co_await task_supervisor::children(*sup);
    expected<void> r = co_await task_supervisor::terminate_child(*sup, t.pid);
    EXPECT_TRUE(r.has_value());
    down = to_term(co_await yield(t, 1000));
    expected<void> again = co_await task_supervisor::terminate_child(*sup, t.pid);
    not_found = !again && again.error().code == errc::not_found;
    after_exit = co_await task_supervisor::children(*sup);
  });
  EXPECT_EQ(during, std::vector<pid>{task_pid});
  EXPECT_EQ(down, tuple(a("exit"), atoms::shutdown));
  EXPECT_TRUE(not_found);
  EXPECT_TRUE(after_exit.empty());
}

TEST_P(TaskSupervisorTest, AsyncBeyondMaxChildrenRaisesRuntimeError) {
  std::string raised;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link({.max_children = 1});
    task<int> t = co_await task_supervisor::async_nolink(*sup, []() -> co<int> {
      co_await sleep(infinity);
      co_return 0;
    });
    try {
      (void)co_await task_supervisor::async_nolink(*sup, [] { return 1; });
    } catch (const std::runtime_error& e) {
      raised = e.what();
    }
    (void)co_await shutdown(t);
  });
  EXPECT_TRUE(raised.starts_with("reached the maximum number of tasks")) << raised;
}

TEST_P(TaskSupervisorTest, StartChildIsTemporaryByDefaultAndTransientOnRequest) {
  quiet_logs quiet;
  int temporary_runs = 0;
  int transient_runs = 0;
  run([&]() -> co<void> {
    const pid me = self();
    start_result sup = co_await task_supervisor::start_link();
    // Each run reports itself; the first run of each task crashes, later runs end normally.
    auto crash_first_run = [me](atom kind) {
      auto runs = std::make_shared<std::atomic<int>>(0);
      return [me, kind, runs]() {
        send(me, term(kind));
        if (runs->fetch_add(1) == 0) {
          otter::exit(a("first_run_crashes"));
        }
      };
    };
    start_result t1 = co_await task_supervisor::start_child(*sup, crash_first_run(a("temporary")));
    start_result t2 = co_await task_supervisor::start_child(*sup, crash_first_run(a("transient")),
                                                            {.restart = restart::transient});
    EXPECT_TRUE(t1.has_value() && t2.has_value());
    while (auto m = co_await receive_for<term>(200)) {
      (m->is(a("transient")) ? transient_runs : temporary_runs) += 1;
    }
    EXPECT_TRUE((co_await task_supervisor::children(*sup)).empty());
  });
  EXPECT_EQ(temporary_runs, 1);
  EXPECT_EQ(transient_runs, 2);
}

TEST_P(TaskSupervisorTest, AsyncStreamNolinkGivesCrashesAsElementsToANonTrappingCaller) {
  quiet_logs quiet;
  std::vector<term> got;
  std::vector<pid> links;
  pid sup_pid;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    sup_pid = *sup;
    auto work = [](int n) -> int {
      if (n == 2) {
        otter::exit(a("two_failed"));
      }
      if (n == 3) {
        throw std::runtime_error("three failed");
      }
      return n * 100;
    };
    auto s = task_supervisor::async_stream_nolink(*sup, {1, 2, 3, 4}, work, {.max_concurrency = 2});
    for (auto& r : co_await s.to_list()) {
      got.push_back(to_term(r));
    }
    links = self_info().links;
    EXPECT_FALSE(trapping_exits());
    EXPECT_EQ(self_info().message_queue_len, 0U);
  });
  ASSERT_EQ(got.size(), 4U);
  EXPECT_EQ(got[0], tuple(atoms::ok, 100));
  EXPECT_EQ(got[1], tuple(a("exit"), a("two_failed")));
  EXPECT_EQ(got[2][1][0].struct_name(), "RuntimeError");
  EXPECT_EQ(got[3], tuple(atoms::ok, 400));
  EXPECT_EQ(links, std::vector<pid>{sup_pid});
}

TEST_P(TaskSupervisorTest, ALinkedSupervisedStreamGivesValuesInOrder) {
  std::vector<term> got;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    auto work = [](int ms) -> co<int> {
      co_await sleep(ms);
      co_return ms;
    };
    auto s = task_supervisor::async_stream(*sup, {30, 10, 20}, work);
    for (auto& r : co_await s.to_list()) {
      got.push_back(to_term(r));
    }
  });
  EXPECT_EQ(got,
            (std::vector<term>{tuple(atoms::ok, 30), tuple(atoms::ok, 10), tuple(atoms::ok, 20)}));
}

TEST_P(TaskSupervisorTest, AStreamOverAFullSupervisorRaisesRuntimeError) {
  quiet_logs quiet;  // closing the stream kills the task that did start: a supervisor report
  std::string raised;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link({.max_children = 1});
    auto work = [](int ms) -> co<int> {
      co_await sleep(ms);
      co_return ms;
    };
    auto s = task_supervisor::async_stream_nolink(*sup, {100, 100}, work, {.max_concurrency = 2});
    try {
      (void)co_await s.to_list();
    } catch (const std::runtime_error& e) {
      raised = e.what();
    }
    EXPECT_TRUE(self_info().links.size() == 1U);
  });
  EXPECT_TRUE(raised.starts_with("reached the maximum number of tasks")) << raised;
}

TEST_P(TaskSupervisorTest, AWaitingTaskExitsShutdownWhenItsOwnerDies) {
  term reason;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    pid owner = spawn([]() -> co<void> { co_await sleep(infinity); });
    // A task for `owner`, which will never send the work.
    pid t = co_await task_supervisor::detail::start_reply_task(*sup, owner, std::nullopt);
    ref m = monitor(t);
    // Kill the owner once the task watches it (before that, the task would see :noproc).
    for (;;) {
      auto info = co_await process_info(owner);
      if (std::find(info->monitored_by.begin(), info->monitored_by.end(), t)
          != info->monitored_by.end()) {
        break;
      }
      co_await sleep(1);
    }
    otter::exit(owner, term(atoms::kill));
    reason = (co_await test_support::down_of(m)).reason;
  });
  EXPECT_EQ(reason, tuple(atoms::shutdown, atoms::killed)) << reason.to_string();
}

TEST_P(TaskSupervisorTest, SupervisorSpecStartsATaskSupervisorUnderAnotherSupervisor) {
  int value = 0;
  term id;
  run([&]() -> co<void> {
    start_result top = co_await dynamic_supervisor::start_link();
    child_spec spec = task_supervisor::supervisor_spec({.name = server_ref(a("tasks"))});
    id = spec.id;
    start_result tsup = co_await dynamic_supervisor::start_child(*top, spec);
    EXPECT_TRUE(tsup.has_value());
    task<int> t = co_await task_supervisor::async(a("tasks"), [] { return 7; });
    value = co_await await(t);
  });
  EXPECT_EQ(value, 7);
  EXPECT_EQ(id, term(a("tasks")));
}

TEST_P(TaskSupervisorTest, TaskChildSpecRunsTheFunctionAsATemporaryChild) {
  term ran;
  term id;
  bool temporary = false;
  run([&]() -> co<void> {
    const pid me = self();
    start_result sup = co_await dynamic_supervisor::start_link();
    child_spec spec = task_child_spec([me] { send(me, term(a("ran"))); });
    id = spec.id;
    temporary = spec.restart == restart::temporary;
    start_result child = co_await dynamic_supervisor::start_child(*sup, spec);
    EXPECT_TRUE(child.has_value());
    ran = co_await receive<term>();
  });
  EXPECT_EQ(ran, term(a("ran")));
  EXPECT_EQ(id, term(a("Elixir.Task")));
  EXPECT_TRUE(temporary);
}

OTTER_ON_BOTH_RUNTIMES(TaskSupervisorTest);

}  // namespace
}  // namespace otter
