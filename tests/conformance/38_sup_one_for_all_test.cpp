// Scenario 38_sup_one_for_all: when one child dies, the supervisor terminates the other
// children in reverse start order (with :shutdown), then restarts every child in start order.

#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start a1
start b1
start c1
terminate b1: :boom
terminate c1: :shutdown
terminate a1: :shutdown
start a2
start b2
start c2
which_children after restart of all: [{:c, #PID<c2>}, {:b, #PID<b2>}, {:a, #PID<a2>}]
terminate a2: :boom
terminate c2: :shutdown
terminate b2: :shutdown
start a3
start b3
start c3
which_children after a crashed: [{:c, #PID<c3>}, {:b, #PID<b3>}, {:a, #PID<a3>}]
terminate c3: :shutdown
terminate b3: :shutdown
terminate a3: :shutdown
end
)";

/// Polls until every child has a pid different from its pid in `before`.
co<term> wait_all_restarted(pid sup, term before) {
  std::function<bool(const term&)> all_new = [before](const term& kids) {
    for (const term& k : kids.elements()) {
      if (!k[1].is_pid() || k[1] == keyfind(before, k[0])[1]) {
        return false;
      }
    }
    return true;
  };
  co_return co_await wait(sup, std::move(all_new));
}

co<void> scenario_38(testing::trace& t) {
  test_worker::env e(t);
  std::vector<child_spec> specs{t_worker(e, a("a")), t_worker(e, a("b")), t_worker(e, a("c"))};
  supervisor::options opts{.strategy = supervisor::strategy::one_for_all};
  start_result sup = co_await supervisor::start_link(std::move(specs), opts);
  t.name(*sup, "sup");
  term before = co_await children(*sup);

  stop_worker(keyfind(before, term(a("b")))[1].as_pid(), a("boom"));
  term after = co_await wait_all_restarted(*sup, before);
  t.log("which_children after restart of all", after);

  // the first child crashing: the same
  stop_worker(keyfind(after, term(a("a")))[1].as_pid(), a("boom"));
  term after2 = co_await wait_all_restarted(*sup, after);
  t.log("which_children after a crashed", after2);
  co_await supervisor::stop(*sup);
  t.log("end");
}

TEST(ConformanceTest, SupOneForAll38) {
  quiet_logs quiet;
  expect_trace(expected, scenario_38);
}

}  // namespace
}  // namespace otter::conformance
