// Scenario 47_sup_restart_failure: when restarting a child fails, the supervisor tries again
// at once (after looking at its mailbox); every attempt counts against the intensity; once it
// is exceeded the supervisor terminates the other children and exits :shutdown. With
// max_restarts 3 there are 3 failed restart attempts (attempts 2-4).

#include "conformance/supervisor_scenario.hpp"

#include <atomic>
#include <memory>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(attempt 1: :ok
start steady1
attempt 2: :fail
attempt 3: :fail
attempt 4: :fail
terminate steady1: :shutdown
supervisor exit: {:EXIT, #PID<sup>, :shutdown}
total start attempts: [{:n, 4}]
end
)";

co<void> scenario_47(testing::trace& t) {
  trap_exit(true);
  // Flaky.start_link: counts its attempts; the first starts a process that exits :crashed on
  // :crash, the later ones fail.
  auto attempts = std::make_shared<std::atomic<int>>(0);
  child_spec flaky;
  flaky.id = term(a("flaky"));
  flaky.mfa = tuple(a("Elixir.Flaky"), a("start_link"), list());
  testing::trace* tp = &t;
  flaky.start = start_with([attempts, tp]() -> co<start_result> {
    int n = ++*attempts;
    if (n == 1) {
      tp->log("attempt " + std::to_string(n), a("ok"));
      co_return spawn_link([]() -> co<void> {
        (void)co_await receive(
            on<term>([](const term& m) { return m.is(a("crash")); }, [](term&) {}));
        otter::exit(a("crashed"));
      });
    }
    tp->log("attempt " + std::to_string(n), a("fail"));
    co_return start_result_of(tuple(atoms::error, a("cannot_restart")));
  });

  test_worker::env e(t);
  std::vector<child_spec> specs{flaky, t_worker(e, a("steady"))};
  supervisor::options opts{.max_restarts = 3, .max_seconds = 10};
  start_result sup = co_await supervisor::start_link(std::move(specs), opts);
  t.name(*sup, "sup");
  term kids = co_await children(*sup);
  pid f = keyfind(kids, term(a("flaky")))[1].as_pid();
  t.name(f, "flaky1");
  send(f, term(a("crash")));
  t.log("supervisor exit", co_await testing::recv(5000));
  t.log("total start attempts", list(tuple(a("n"), attempts->load())));
  t.log("end");
}

TEST(ConformanceTest, SupRestartFailure47) {
  quiet_logs quiet;
  expect_trace(expected, scenario_47);
}

}  // namespace
}  // namespace otter::conformance
