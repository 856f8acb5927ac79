// Scenario 64_task_supervisor_async_stream_nolink: the stream's tasks run under a
// Task.Supervisor and are not linked to the caller, so failing elements simply yield
// {:exit, reason} without the caller trapping exits; nothing is left in the mailbox; the only
// link is the supervisor.

#include "otter/otp/task_supervisor.hpp"

#include "conformance/scenario.hpp"

#include <stdexcept>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(results: [{:ok, 100}, {:exit, :two_failed}, {:exit, {%RuntimeError{message: "three failed"}, #Stacktrace}}, {:ok, 400}]
caller trap_exit flag: {:trap_exit, false}
mailbox: []
links of caller: [#PID<tsup>]
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

int work(int n) {
  if (n == 2) {
    otter::exit(a("two_failed"));
  }
  if (n == 3) {
    throw std::runtime_error("three failed");
  }
  return n * 100;
}

co<void> scenario_64(testing::trace& t) {
  start_result started = co_await task_supervisor::start_link();
  const pid sup = t.name(*started, "tsup");

  auto stream =
      task_supervisor::async_stream_nolink(sup, {1, 2, 3, 4}, work, {.max_concurrency = 2});
  std::vector<term> results;
  for (const auto& r : co_await stream.to_list()) {
    results.push_back(to_term(r));
  }
  t.log("results", term::list(std::move(results)));
  t.log("caller trap_exit flag", tuple(a("trap_exit"), trapping_exits()));
  t.log("mailbox", testing::mailbox());
  t.log("links of caller", co_await testing::links(t, self()));
  t.log("end");
}

TEST(ConformanceTest, TaskSupervisorAsyncStreamNolink64) {
  quiet_logs quiet;
  expect_trace(expected, scenario_64);
}

}  // namespace
}  // namespace otter::conformance
