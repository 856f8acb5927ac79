// Scenario 55_dynsup_parallel_shutdown: a DynamicSupervisor sends the shutdown to all its
// children at once and waits for them together (a Supervisor stops them one by one); each
// child's shutdown still applies: brutal_kill gives :killed, and so does a child that
// outlives its shutdown time.

#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(DynamicSupervisor.stop: :ok
DOWN: {:DOWN, #Ref<mon_brutal>, :process, #PID<brutal>, :killed}
DOWN: {:DOWN, #Ref<mon_slow1>, :process, #PID<slow1>, :shutdown}
DOWN: {:DOWN, #Ref<mon_slow2>, :process, #PID<slow2>, :shutdown}
DOWN: {:DOWN, #Ref<mon_slow3>, :process, #PID<slow3>, :shutdown}
DOWN: {:DOWN, #Ref<mon_too_slow>, :process, #PID<too_slow>, :killed}
took >= 300ms: true
took < 900ms (parallel): true
end
)";

/// Slow: traps exits; its terminate sleeps `ms`.
struct slow {
  using state = std::int64_t;
  state init(std::int64_t ms) {
    trap_exit(true);
    return ms;
  }
  co<void> terminate(const term&, state& ms) { co_await sleep(ms); }
};

child_spec slow_spec(std::int64_t ms, std::int64_t shutdown) {
  child_spec spec;
  spec.id = term(a("s"));
  spec.mfa = tuple(a("Elixir.Slow"), a("start_link"), list(ms));
  spec.start = start_with([ms]() { return gen_server::start_link<slow>(ms); });
  spec.shutdown = shutdown;
  return spec;
}

co<void> scenario_55(testing::trace& t) {
  start_result sup = co_await dynamic_supervisor::start_link();
  t.name(*sup, "dynsup");
  const std::vector<std::pair<std::string, std::pair<std::int64_t, std::int64_t>>> specs = {
      {"slow1", {300, infinity}},
      {"slow2", {300, 5000}},
      {"slow3", {300, 5000}},
      {"brutal", {300, brutal_kill}},
      {"too_slow", {10000, 100}}};
  for (const auto& [name, how] : specs) {
    child_spec spec = slow_spec(how.first, how.second);
    start_result child = co_await dynamic_supervisor::start_child(*sup, std::move(spec));
    t.name(*child, name);
    t.name(monitor(*child), "mon_" + name);
  }

  std::int64_t t0 = now_ms();
  t.log("DynamicSupervisor.stop", term(co_await dynamic_supervisor::stop(*sup)));
  std::int64_t elapsed = now_ms() - t0;
  std::vector<term> downs;
  for (int i = 0; i < 5; ++i) {
    downs.push_back(co_await testing::recv());
  }
  std::sort(downs.begin(), downs.end(),
            [&t](const term& x, const term& y) { return t.print(x[3]) < t.print(y[3]); });
  for (const term& d : downs) {
    t.log("DOWN", d);
  }
  t.log("took >= 300ms", term(elapsed >= 300));
  // one by one it would take >= 300 + 300 + 300 + 100 = 1000ms
  t.log("took < 900ms (parallel)", term(elapsed < 900));
  t.log("end");
}

TEST(ConformanceTest, DynsupParallelShutdown55) {
  log_sink previous = set_log_sink(log_sink{});  // too_slow's :killed is a shutdown_error
  expect_trace(expected, scenario_55);
  set_log_sink(previous);
}

}  // namespace
}  // namespace otter::conformance
