// Scenario 62_task_supervisor_async_nolink: the task runs under the Task.Supervisor, monitored
// but not linked: a crash leaves the caller alive and delivers {:DOWN, ref, :process, pid,
// reason}; yield -> {:exit, r}; await exits {r, {Task, :await, ...}}; terminate_child stops a
// task with :shutdown; going beyond max_children raises.

#include "otter/otp/task_supervisor.hpp"

#include "conformance/scenario.hpp"

#include <stdexcept>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(linked to caller: false
supervisor children: [#PID<nolink1>]
message: {:DOWN, #Ref<nolink1_ref>, :process, #PID<nolink1>, :nolink_crash}
caller alive: true
yield: {:exit, {%RuntimeError{message: "nolink raise"}, #Stacktrace}}
await: {:exit, {:await_me, {Task, :await, [%Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<nolink3>, ref: #Ref<nolink3_ref>}, 1000]}}}
await ok: :fine
children after tasks finished: []
terminate_child: :ok
message: {:DOWN, #Ref<nolink5_ref>, :process, #PID<nolink5>, :shutdown}
terminate_child again: {:error, :not_found}
async_nolink beyond max_children: {:error, RuntimeError}
end
)";

class quiet_logs {
public:
  quiet_logs() : previous_(set_log_sink({})) {}
  quiet_logs(const quiet_logs&) = delete;
  quiet_logs& operator=(const quiet_logs&) = delete;
  ~quiet_logs() { set_log_sink(std::move(previous_)); }

private:
  log_sink previous_;
};

term pids(const std::vector<pid>& ps) {
  std::vector<term> out(ps.begin(), ps.end());
  return term::list(std::move(out));
}

/// terminate_child's result as Elixir prints it.
term terminated(const otter::expected<void>& r) {
  return r ? term(atoms::ok) : tuple(atoms::error, r.error().reason);
}

co<term> sleep_forever() {
  co_await sleep(infinity);
  co_return term();
}

co<void> scenario_62(testing::trace& t) {
  start_result started = co_await task_supervisor::start_link();
  const pid sup = t.name(*started, "tsup");

  task<term> t1 = co_await task_supervisor::async_nolink(sup, []() -> co<term> {
    co_await receive(on<term>([](const term& m) { return m.is(a("go")); }, [](term&) {}));
    otter::exit(a("nolink_crash"));
  });
  t.name(t1.pid, "nolink1");
  t.name(t1.ref, "nolink1_ref");
  term links = co_await testing::links(t, self());
  bool linked = false;
  for (const term& l : links.elements()) {
    linked = linked || l == term(t1.pid);
  }
  t.log("linked to caller", linked);
  t.log("supervisor children", pids(co_await task_supervisor::children(sup)));
  send(t1.pid, term(a("go")));
  t.log("message", co_await testing::recv());
  t.log("caller alive", alive(self()));

  task<term> t2 = co_await task_supervisor::async_nolink(
      sup, []() -> term { throw std::runtime_error("nolink raise"); });
  t.name(t2.pid, "nolink2");
  t.name(t2.ref, "nolink2_ref");
  t.log("yield", to_term(co_await yield(t2, 1000)));

  task<term> t3 =
      co_await task_supervisor::async_nolink(sup, []() -> term { otter::exit(a("await_me")); });
  t.name(t3.pid, "nolink3");
  t.name(t3.ref, "nolink3_ref");
  auto await_it = [t3]() -> co<term> {
    co_return co_await await(t3, 1000);
  };
  t.log("await", co_await testing::catching(await_it));

  task<term> t4 = co_await task_supervisor::async_nolink(sup, [] { return term(a("fine")); });
  t.name(t4.pid, "nolink4");
  t.name(t4.ref, "nolink4_ref");
  t.log("await ok", co_await await(t4));
  auto no_children = [sup]() -> co<term> {
    co_return term((co_await task_supervisor::children(sup)).empty());
  };
  (void)co_await testing::eventually(no_children);
  t.log("children after tasks finished", term::list({}));

  task<term> t5 = co_await task_supervisor::async_nolink(sup, sleep_forever);
  t.name(t5.pid, "nolink5");
  t.name(t5.ref, "nolink5_ref");
  t.log("terminate_child", terminated(co_await task_supervisor::terminate_child(sup, t5.pid)));
  t.log("message", co_await testing::recv());
  t.log("terminate_child again",
        terminated(co_await task_supervisor::terminate_child(sup, t5.pid)));

  // max_children on a task supervisor makes async and async_nolink raise.
  start_result small_started = co_await task_supervisor::start_link({.max_children = 1});
  const pid small = t.name(*small_started, "tsup_small");
  task<term> only = co_await task_supervisor::async_nolink(small, sleep_forever);
  t.name(only.pid, "only");
  t.name(only.ref, "only_ref");
  auto beyond = [small]() -> co<term> {
    co_return (co_await task_supervisor::async_nolink(small, [] {
      return term(a("x"));
    })).to_term();
  };
  t.log("async_nolink beyond max_children", co_await testing::catching(beyond));
  t.log("end");
}

TEST(ConformanceTest, TaskSupervisorAsyncNolink62) {
  quiet_logs quiet;
  expect_trace(expected, scenario_62);
}

}  // namespace
}  // namespace otter::conformance
