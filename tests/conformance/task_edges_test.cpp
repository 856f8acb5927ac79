// Task edges: await_many with a task listed twice gives its value twice; ignore of a
// completed task raises :badarg (Elixir's unlink(nil)); Task.Supervisor.children lists tasks
// in the order they started; a Task under a Supervisor (Task.child_spec) shows modules [Task]
// and, temporary, is removed when it ends. Trace recorded from Elixir 1.14 / OTP 25 with the
// suite's trace helper:
//
//   T.start()
//   t = Task.async(fn -> :dup end)
//   T.log("await_many duplicate", Task.await_many([t, t]))
//   c = Task.completed(:i)
//   T.log("ignore completed", T.catching(fn -> Task.ignore(c) end))
//   T.log("mailbox", T.flush())
//   {:ok, ts} = Task.Supervisor.start_link()
//   T.name(ts, "ts")
//   pids = for i <- 1..4 do
//     {:ok, p} = Task.Supervisor.start_child(ts, fn -> Process.sleep(:infinity) end)
//     T.name(p, "k#{i}")
//   end
//   T.log("children", Task.Supervisor.children(ts))
//   Task.Supervisor.terminate_child(ts, Enum.at(pids, 1))
//   T.log("children after k2 stopped", Task.Supervisor.children(ts))
//   me = self()
//   {:ok, sup} = Supervisor.start_link([{Task, fn -> receive do :go -> send(me, :task_done) end
//     end}], strategy: :one_for_one)
//   T.name(sup, "sup")
//   [{id, tp, type, mods}] = Supervisor.which_children(sup)
//   T.name(tp, "sup_task")
//   T.log("which_children", [{id, tp, type, mods}])
//   send(tp, :go)
//   T.log("task", T.recv())
//   T.log("children after the task ended",
//     T.eventually(fn -> Supervisor.which_children(sup) == [] end))
//   T.log("end")

#include "otter/otp/supervisor.hpp"
#include "otter/otp/task.hpp"
#include "otter/otp/task_supervisor.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(await_many duplicate: [:dup, :dup]
ignore completed: {:error, :badarg}
mailbox: []
children: [#PID<k1>, #PID<k2>, #PID<k3>, #PID<k4>]
children after k2 stopped: [#PID<k1>, #PID<k3>, #PID<k4>]
which_children: [{Task, #PID<sup_task>, :worker, [Task]}]
task: :task_done
children after the task ended: true
end
)";

term pids(const std::vector<pid>& ps) {
  std::vector<term> out(ps.begin(), ps.end());
  return term::list(std::move(out));
}

co<void> scenario(testing::trace& t) {
  task<term> dup = async([]() -> term { return term(a("dup")); });
  std::vector<task<term>> twice{dup, dup};
  std::vector<term> both = co_await await_many(std::move(twice));
  t.log("await_many duplicate", term::list(std::move(both)));
  task<term> c = completed(term(a("i")));
  // By reference: a capture that owns a term would be destroyed twice with the std::function
  // temporary of this co_await expression (GCC 12, PR 100611).
  t.log("ignore completed",
        co_await testing::catching([&c]() -> co<term> { co_return to_term(co_await ignore(c)); }));
  t.log("mailbox", co_await testing::flush());

  start_result ts_started = co_await task_supervisor::start_link();
  const pid ts = t.name(*ts_started, "ts");
  std::vector<pid> kids;
  for (int i = 1; i <= 4; ++i) {
    start_result k =
        co_await task_supervisor::start_child(ts, []() -> co<void> { co_await sleep(infinity); });
    kids.push_back(t.name(*k, "k" + std::to_string(i)));
  }
  t.log("children", pids(co_await task_supervisor::children(ts)));
  (void)co_await task_supervisor::terminate_child(ts, kids[1]);
  t.log("children after k2 stopped", pids(co_await task_supervisor::children(ts)));

  const pid me = self();
  std::vector<child_spec> specs{task_child_spec([me]() -> co<void> {
    co_await receive(on<term>([](const term& m) { return m.is(a("go")); }, [](term) {}));
    send(me, term(a("task_done")));
  })};
  start_result sup_started = co_await supervisor::start_link(std::move(specs));
  const pid sup = t.name(*sup_started, "sup");
  std::vector<supervisor::child_info> which = co_await supervisor::which_children(sup);
  const pid task_pid = which[0].child.as_pid();
  t.name(task_pid, "sup_task");
  t.log("which_children", supervisor::to_term(which));
  send(task_pid, term(a("go")));
  t.log("task", co_await testing::recv());
  t.log("children after the task ended", co_await testing::eventually([sup]() -> co<term> {
          std::vector<supervisor::child_info> now = co_await supervisor::which_children(sup);
          co_return term(now.empty());
        }));
  t.log("end");
}

TEST(ConformanceTest, TaskEdges) {
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
