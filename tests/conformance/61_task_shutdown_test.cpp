// Scenario 61_task_shutdown: shutdown of a running task -> nil (the task exits :shutdown); of a
// task that already replied -> {:ok, r}; of one that already failed -> {:exit, r}; a trapping
// task that ignores the :shutdown is killed after the timeout -> {:exit, :killed}; :brutal_kill
// on a running task -> nil. No reply or DOWN is left behind.

#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(shutdown running task: nil
task DOWN: {:DOWN, #Ref<mon_sleeper>, :process, #PID<sleeper>, :shutdown}
shutdown finished task: {:ok, :result}
mailbox: []
shutdown failed task: {:exit, :failed}
mailbox: [{:EXIT, #PID<failed>, :failed}]
shutdown stubborn task with 100ms: {:exit, :killed}
shutdown stubborn task with :brutal_kill: nil
mailbox: []
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

co<term> sleep_forever() {
  co_await sleep(infinity);
  co_return term();
}

co<void> scenario_61(testing::trace& t) {
  const pid main = self();

  task<term> sleeper = async(sleep_forever);
  t.name(sleeper.pid, "sleeper");
  t.name(sleeper.ref, "sleeper_ref");
  t.name(monitor(sleeper.pid), "mon_sleeper");
  t.log("shutdown running task", to_term(co_await shutdown(sleeper)));
  t.log("task DOWN", co_await testing::recv());

  task<term> done = async([] { return term(a("result")); });
  t.name(done.pid, "done");
  t.name(done.ref, "done_ref");
  (void)co_await testing::wait_down(done.pid);
  t.log("shutdown finished task", to_term(co_await shutdown(done)));
  t.log("mailbox", testing::mailbox());

  trap_exit(true);
  task<term> failed = async([]() -> term { otter::exit(a("failed")); });
  t.name(failed.pid, "failed");
  t.name(failed.ref, "failed_ref");
  (void)co_await testing::wait_down(failed.pid);
  t.log("shutdown failed task", to_term(co_await shutdown(failed)));
  t.log("mailbox", co_await testing::flush());
  trap_exit(false);

  auto stubborn_body = [main]() -> co<term> {
    trap_exit(true);
    send(main, term(a("trapping")));
    co_return co_await sleep_forever();
  };
  task<term> stubborn = async(stubborn_body);
  t.name(stubborn.pid, "stubborn");
  t.name(stubborn.ref, "stubborn_ref");
  (void)co_await testing::recv();  // :trapping
  t.log("shutdown stubborn task with 100ms", to_term(co_await shutdown(stubborn, 100)));

  task<term> stubborn2 = async(stubborn_body);
  t.name(stubborn2.pid, "stubborn2");
  t.name(stubborn2.ref, "stubborn2_ref");
  (void)co_await testing::recv();  // :trapping
  t.log("shutdown stubborn task with :brutal_kill",
        to_term(co_await shutdown(stubborn2, brutal_kill)));
  t.log("mailbox", testing::mailbox());
  t.log("end");
}

TEST(ConformanceTest, TaskShutdown61) {
  quiet_logs quiet;
  expect_trace(expected, scenario_61);
}

}  // namespace
}  // namespace otter::conformance
