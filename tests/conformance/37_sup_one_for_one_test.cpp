// Scenario 37_sup_one_for_one: children start in list order; which_children lists them in
// REVERSE start order; only the dead child is restarted (new pid) and its siblings keep
// theirs; a permanent child is restarted even after a :normal exit; stop terminates the
// children in reverse start order with :shutdown.

#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start a1
start b1
start c1
which_children: [{:c, #PID<c1>}, {:b, #PID<b1>}, {:a, #PID<a1>}]
count_children: %{:active => 3, :specs => 3, :supervisors => 0, :workers => 3}
terminate b1: :boom
start b2
which_children after b crashed: [{:c, #PID<c1>}, {:b, #PID<b2>}, {:a, #PID<a1>}]
terminate a1: :normal
start a2
permanent child exiting :normal is restarted too: [{:c, #PID<c1>}, {:b, #PID<b2>}, {:a, #PID<a2>}]
terminate c1: :shutdown
terminate b2: :shutdown
terminate a2: :shutdown
Supervisor.stop: :ok
end
)";

co<void> scenario_37(testing::trace& t) {
  test_worker::env e(t);
  std::vector<child_spec> specs{t_worker(e, a("a")), t_worker(e, a("b")), t_worker(e, a("c"))};
  start_result sup = co_await supervisor::start_link(std::move(specs));
  t.name(*sup, "sup");
  term before = co_await children(*sup);
  t.log("which_children", before);
  supervisor::child_counts counts = co_await supervisor::count_children(*sup);
  t.log("count_children", counts.to_term());

  pid b1 = keyfind(before, term(a("b")))[1].as_pid();
  stop_worker(b1, a("boom"));
  term after = co_await wait_restarted(*sup, a("b"), b1);
  t.log("which_children after b crashed", after);

  pid a1 = keyfind(after, term(a("a")))[1].as_pid();
  stop_worker(a1, a("normal"));
  term after2 = co_await wait_restarted(*sup, a("a"), a1);
  t.log("permanent child exiting :normal is restarted too", after2);

  atom stopped = co_await supervisor::stop(*sup);
  t.log("Supervisor.stop", stopped);
  t.log("end");
}

TEST(ConformanceTest, SupOneForOne37) {
  quiet_logs quiet;
  expect_trace(expected, scenario_37);
}

}  // namespace
}  // namespace otter::conformance
