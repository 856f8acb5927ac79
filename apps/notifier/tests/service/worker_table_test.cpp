// The worker table: one live worker per task, entries that follow their workers, dead owners
// skipped and replaced.

#include "notifier/service/worker_table.hpp"

#include "notifier/service/backend.hpp"
#include "notifier/service/task_worker.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/runtime.hpp"
#include "otter/ets.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/service_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace notifier::testing {
namespace {

using namespace std::chrono_literals;

/// Runs the table's owner in a process of `rt` and `body` in another, then stops the owner.
template <class Body>
void with_table(otter::runtime& rt, otter::atom name, Body body) {
  rt.run([name, body]() -> otter::co<void> {
    const otter::child_spec spec = worker_table::child_spec(name);
    const std::vector<otter::term> no_arguments;
    otter::start_result owner = co_await spec.start(no_arguments);  // linked to this process
    EXPECT_TRUE(owner.has_value());
    co_await body();
    otter::unlink(*owner);
    co_await otter::gen_server::stop(*owner);
  });
}

/// A process that waits until told to go, then exits normally.
otter::co<void> idle() {
  (void)co_await otter::receive<otter::atom>();
}

otter::co<void> wait_down(otter::pid p) {
  otter::ref m = otter::monitor(p);
  co_await otter::receive(otter::on<otter::down_msg>(
      [m](const otter::down_msg& d) { return d.monitor == m; }, [](otter::down_msg&) {}));
}

TEST(WorkerTableTest, ADeadOwnersEntryIsSkippedAndReplaced) {
  otter::testing::deterministic_runtime rt;
  const otter::atom name("WorkerTableTest.Dead");
  with_table(rt, name, [name]() -> otter::co<void> {
    auto names = worker_table::names(name);
    const otter::term task(42);
    otter::pid first = otter::spawn(idle);
    EXPECT_TRUE(names->register_name(task, first));
    EXPECT_FALSE(names->register_name(task, otter::self()));  // taken by a live process
    EXPECT_EQ(names->whereis_name(task), first);

    otter::send(first, otter::atom("go"));
    co_await wait_down(first);
    // Its entry is still there, but it names no one and does not block a new owner.
    EXPECT_EQ(worker_table::size(name), 1U);
    EXPECT_TRUE(names->whereis_name(task).is_null());
    EXPECT_TRUE(worker_table::whereis(name, task_id{42}).is_null());
    EXPECT_TRUE(names->register_name(task, otter::self()));
    EXPECT_EQ(worker_table::whereis(name, task_id{42}), otter::self());
    EXPECT_EQ(worker_table::size(name), 1U);

    // forget() removes only the entry of the worker it names.
    worker_table::forget(name, task_id{42}, first);
    EXPECT_EQ(worker_table::whereis(name, task_id{42}), otter::self());
    worker_table::forget(name, task_id{42}, otter::self());
    EXPECT_EQ(worker_table::size(name), 0U);
    co_return;
  });
}

TEST(WorkerTableTest, RacingRegistrationsOverADeadEntryLeaveOneOwner) {
  otter::runtime_options threaded;
  threaded.schedulers = 2;
  otter::runtime rt(threaded);
  const otter::atom name("WorkerTableTest.Race");
  with_table(rt, name, [name]() -> otter::co<void> {
    auto names = worker_table::names(name);
    constexpr int rounds = 200;
    constexpr int racers = 8;
    for (int round = 0; round < rounds; ++round) {
      const otter::term task(round);
      otter::pid dead = otter::spawn(idle);
      EXPECT_TRUE(names->register_name(task, dead));
      otter::send(dead, otter::atom("go"));
      co_await wait_down(dead);

      const otter::pid me = otter::self();
      std::vector<otter::pid> racing;
      for (int i = 0; i < racers; ++i) {
        auto racer = [names, task, me]() -> otter::co<void> {
          const bool won = names->register_name(task, otter::self());
          otter::send(me, won);
          (void)co_await otter::receive<otter::atom>();  // stay alive until the round ends
        };
        racing.push_back(otter::spawn(racer));
      }
      int winners = 0;
      for (int i = 0; i < racers; ++i) {
        winners += co_await otter::receive<bool>() ? 1 : 0;
      }
      EXPECT_EQ(winners, 1) << "round " << round;
      const otter::pid owner = names->whereis_name(task);
      EXPECT_NE(std::find(racing.begin(), racing.end(), owner), racing.end());
      for (otter::pid p : racing) {
        otter::send(p, otter::atom("go"));
      }
    }
  });
}

TEST(WorkerTableTest, EntriesFollowTheirWorkers) {
  otter::testing::deterministic_runtime rt;
  service_harness h(rt);
  user_id u = h.add_user();
  task kept = h.add_task(u, "kept");
  task completed_here = h.add_task(u, "completed through the service");
  task completed_elsewhere = h.add_task(u, "completed behind the service's back");
  h.start();
  rt.run_until_idle();
  const otter::atom table = h.env.names.workers;
  auto table_size = [&] {
    return rt.run([table]() -> otter::co<std::size_t> { co_return worker_table::size(table); });
  };
  EXPECT_EQ(table_size(), 3U);

  // Stopped by the supervisor (a :shutdown signal, no terminate): stop() removes the entry.
  service_backend api(h.env);
  ASSERT_TRUE(rt.run([&]() -> otter::co<store_result<task>> {
                  co_return co_await api.complete_task(u, completed_here.id);
                }).has_value());
  EXPECT_EQ(table_size(), 2U);

  // Stopping by itself (:normal, its terminate runs): the worker removes its own entry.
  ASSERT_TRUE(h.db().complete_task(u, completed_elsewhere.id, h.now()).has_value());
  rt.advance(5min);
  EXPECT_EQ(h.workers(), 1U);
  EXPECT_EQ(table_size(), 1U);

  const env* e = &h.env;
  const task_id id = kept.id;
  EXPECT_TRUE(
      rt.run([e, id]() -> otter::co<bool> { co_return task_worker::whereis(*e, id).has_value(); }));
}

TEST(WorkerTableTest, ALostTableRestartsEveryWorker) {
  otter::testing::deterministic_runtime rt;
  service_harness h(rt);
  user_id u = h.add_user();
  task a = h.add_task(u, "a");
  task b = h.add_task(u, "b");
  h.start();
  rt.run_until_idle();
  ASSERT_EQ(h.workers(), 2U);
  const otter::atom table = h.env.names.workers;
  const otter::pid owner = rt.run([table]() -> otter::co<otter::pid> {
    std::optional<otter::ets::table> t = otter::ets::whereis(table);
    co_return t ? otter::ets::info(*t)->owner : otter::pid();
  });
  ASSERT_FALSE(owner.is_null());
  EXPECT_TRUE(rt.exit(owner, otter::term(otter::atom("boom"))));
  rt.run_until_idle();
  // rest_for_one: the task supervisor and the starter after the table start again, and the
  // starter starts a worker for each open task, named in the new table.
  EXPECT_EQ(h.workers(), 2U);
  const env* e = &h.env;
  for (const task& t : {a, b}) {
    const task_id id = t.id;
    EXPECT_TRUE(rt.run(
        [e, id]() -> otter::co<bool> { co_return task_worker::whereis(*e, id).has_value(); }));
  }
}

}  // namespace
}  // namespace notifier::testing
