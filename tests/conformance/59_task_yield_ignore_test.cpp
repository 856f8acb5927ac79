// Scenario 59_task_yield_ignore: yield returns nil on timeout (the task keeps running and can be
// yielded again), {:ok, r} on reply, {:exit, r} if the task died (:normal included). ignore
// returns nil for a running task and discards its later reply; for a finished task it returns
// {:ok, r}; awaiting an ignored task times out.

#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(yield 20: nil
task alive: true
yield 1000: {:ok, :finally}
mailbox after successful yield: []
yield on crashing task (trapping): {:exit, :crashed}
mailbox: [{:EXIT, #PID<task2>, :crashed}]
yield on task exiting :normal: {:exit, :normal}
ignore running task: nil
mailbox after ignored task replied: []
await after ignore (timeout 0): {:exit, {:timeout, {Task, :await, [%Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<task4>, ref: #Ref<task4_ref>}, 0]}}}
ignore finished task: {:ok, :done_already}
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

term exit_with(atom reason) {
  otter::exit(reason);
}

co<void> scenario_59(testing::trace& t) {
  task<term> task1 = async([]() -> co<term> {
    co_await sleep(200);
    co_return term(a("finally"));
  });
  t.name(task1.pid, "task1");
  t.name(task1.ref, "task1_ref");
  t.log("yield 20", to_term(co_await yield(task1, 20)));
  t.log("task alive", alive(task1.pid));
  t.log("yield 1000", to_term(co_await yield(task1, 1000)));
  t.log("mailbox after successful yield", testing::mailbox());

  trap_exit(true);
  task<term> task2 = async([] { return exit_with(a("crashed")); });
  t.name(task2.pid, "task2");
  t.name(task2.ref, "task2_ref");
  t.log("yield on crashing task (trapping)", to_term(co_await yield(task2, 1000)));
  t.log("mailbox", co_await testing::flush());
  trap_exit(false);

  task<term> task3 = async([] { return exit_with(atoms::normal); });
  t.name(task3.pid, "task3");
  t.name(task3.ref, "task3_ref");
  t.log("yield on task exiting :normal", to_term(co_await yield(task3, 1000)));

  task<term> task4 = async([]() -> co<term> {
    co_await receive(on<term>([](const term& m) { return m.is(a("go")); }, [](term&) {}));
    co_return term(a("ignored_result"));
  });
  t.name(task4.pid, "task4");
  t.name(task4.ref, "task4_ref");
  t.log("ignore running task", to_term(co_await ignore(task4)));
  send(task4.pid, term(a("go")));
  (void)co_await testing::wait_down(task4.pid);
  t.log("mailbox after ignored task replied", testing::mailbox());
  auto await_now = [task4]() -> co<term> {
    co_return co_await await(task4, 0);
  };
  t.log("await after ignore (timeout 0)", co_await testing::catching(await_now));

  task<term> task5 = async([] { return term(a("done_already")); });
  (void)co_await testing::wait_down(task5.pid);
  t.name(task5.pid, "task5");
  t.name(task5.ref, "task5_ref");
  t.log("ignore finished task", to_term(co_await ignore(task5)));
  t.log("end");
}

TEST(ConformanceTest, TaskYieldIgnore59) {
  quiet_logs quiet;
  expect_trace(expected, scenario_59);
}

}  // namespace
}  // namespace otter::conformance
