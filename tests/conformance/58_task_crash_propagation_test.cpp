// Scenario 58_task_crash_propagation: a crashing async task takes its non-trapping caller down
// through the link, with the task's reason. A trapping caller's await exits {reason, {Task,
// :await, [task, 5000]}} and the {:EXIT, task, reason} message stays in the mailbox. A task
// that exits :normal without replying makes await exit {:normal, ...}.

#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

#include <stdexcept>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(non-trapping caller: {:DOWN, #Ref<mon_caller>, :process, #PID<caller>, :task_failed}
non-trapping caller, raising task: {:DOWN, #Ref<mon_caller2>, :process, #PID<caller2>, {%RuntimeError{message: "task raised"}, #Stacktrace}}
trapping caller: await: {:exit, {:task_failed, {Task, :await, [%Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<task_c>, ref: #Ref<task_c_ref>}, 5000]}}}
mailbox: [{:EXIT, #PID<task_c>, :task_failed}]
trapping caller: await on throwing task: {:exit, {{{:nocatch, :thrown}, #Stacktrace}, {Task, :await, [%Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<task_d>, ref: #Ref<task_d_ref>}, 5000]}}}
mailbox: [{:EXIT, #PID<task_d>, {{:nocatch, :thrown}, #Stacktrace}}]
task exits :normal: await: {:exit, {:normal, {Task, :await, [%Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<task_e>, ref: #Ref<task_e_ref>}, 5000]}}}
caller alive: true
end
)";

/// The scenario's script silences the logger: the crashing tasks report nothing here.
class quiet_logs {
public:
  quiet_logs() : previous_(set_log_sink({})) {}
  quiet_logs(const quiet_logs&) = delete;
  quiet_logs& operator=(const quiet_logs&) = delete;
  ~quiet_logs() { set_log_sink(std::move(previous_)); }

private:
  log_sink previous_;
};

term exit_with(atom reason) {
  otter::exit(reason);
}

/// A caller that starts `f` as a task, tells `main` the task's pid and awaits it.
template <class F>
auto awaiting_caller(pid main, F f) {
  return [main, f]() -> co<void> {
    task<term> t = async(f);
    send(main, tuple(a("task"), t.pid));
    (void)co_await await(t);
  };
}

/// Names the task the caller reports (`{:task, pid}`).
co<void> name_reported_task(testing::trace& t, const char* name) {
  pid p = co_await receive(on<term>([](const term& m) { return m.is_tagged(a("task"), 2); },
                                    [](term& m) { return m[1].as_pid(); }));
  t.name(p, name);
}

/// catching(fn -> Task.await(task) end)
co<term> catching_await(task<term> task) {
  auto await_it = [task]() -> co<term> {
    co_return co_await await(task);
  };
  co_return co_await testing::catching(await_it);
}

co<void> scenario_58(testing::trace& t) {
  const pid main = self();

  auto caller_body = awaiting_caller(main, [] { return exit_with(a("task_failed")); });
  auto [caller, mon] = spawn_monitor(caller_body);
  t.name(caller, "caller");
  t.name(mon, "mon_caller");
  co_await name_reported_task(t, "task_a");
  t.log("non-trapping caller", co_await testing::recv());

  auto caller2_body =
      awaiting_caller(main, []() -> term { throw std::runtime_error("task raised"); });
  auto [caller2, mon2] = spawn_monitor(caller2_body);
  t.name(caller2, "caller2");
  t.name(mon2, "mon_caller2");
  co_await name_reported_task(t, "task_b");
  t.log("non-trapping caller, raising task", co_await testing::recv());

  trap_exit(true);
  task<term> task_c = async([] { return exit_with(a("task_failed")); });
  t.name(task_c.pid, "task_c");
  t.name(task_c.ref, "task_c_ref");
  t.log("trapping caller: await", co_await catching_await(task_c));
  t.log("mailbox", co_await testing::flush());

  // throw(:thrown): uncaught, its exit reason is {{:nocatch, :thrown}, #Stacktrace}.
  task<term> task_d = async([]() -> term { otter::throw_value(a("thrown")); });
  t.name(task_d.pid, "task_d");
  t.name(task_d.ref, "task_d_ref");
  t.log("trapping caller: await on throwing task", co_await catching_await(task_d));
  t.log("mailbox", co_await testing::flush());

  trap_exit(false);
  task<term> task_e = async([] { return exit_with(atoms::normal); });
  t.name(task_e.pid, "task_e");
  t.name(task_e.ref, "task_e_ref");
  t.log("task exits :normal: await", co_await catching_await(task_e));
  t.log("caller alive", alive(self()));
  t.log("end");
}

TEST(ConformanceTest, TaskCrashPropagation58) {
  quiet_logs quiet;
  expect_trace(expected, scenario_58);
}

}  // namespace
}  // namespace otter::conformance
