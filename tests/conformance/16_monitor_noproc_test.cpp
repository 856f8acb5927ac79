// Scenario 16_monitor_noproc: monitoring a dead pid or an unregistered name delivers an
// immediate :DOWN with reason :noproc; a monitor taken by name reports {name, node}.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(monitor returns a ref: true
DOWN: {:DOWN, #Ref<mon_dead>, :process, #PID<dead>, :noproc}
DOWN for unregistered name: {:DOWN, #Ref<mon_no_such_name>, :process, {:no_such_name, :nonode@nohost}, :noproc}
DOWN of process monitored by name: {:DOWN, #Ref<mon_by_name>, :process, {:named_proc, :nonode@nohost}, :bye}
end
)";

co<void> scenario_16(testing::trace& t) {
  pid dead = spawn([]() -> co<void> { co_return; });
  t.name(dead, "dead");
  (void)co_await testing::wait_down(dead);

  ref r = t.name(monitor(dead), "mon_dead");
  t.log("monitor returns a ref", term(r).is_ref());
  t.log("DOWN", co_await testing::recv(0));

  t.name(monitor(a("no_such_name")), "mon_no_such_name");
  t.log("DOWN for unregistered name", co_await testing::recv(0));

  pid named = spawn([]() -> co<void> {
    const atom go = a("go");
    co_await receive(on<term>([go](const term& m) { return m.is(go); }, [](term m) { return m; }));
    otter::exit(a("bye"));
  });
  t.name(named, "named");
  if (!register_name(a("named_proc"), named)) {
    error(atoms::badarg);  // Process.register raises when it cannot register
  }
  t.name(monitor(a("named_proc")), "mon_by_name");
  send(a("named_proc"), term(a("go")));
  t.log("DOWN of process monitored by name", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, MonitorNoproc16) {
  expect_trace(expected, scenario_16);
}

}  // namespace
}  // namespace otter::conformance
