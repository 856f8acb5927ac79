// Scenario 40_sup_restart_types: under one_for_one, a permanent child is always restarted; a
// transient one only after an abnormal reason (not :normal, :shutdown or {:shutdown, term}),
// otherwise it stays in the spec list with pid :undefined; a temporary one is never restarted
// and its spec is removed. Each restart type meets each reason with a fresh supervisor.

#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start permanent1
terminate permanent1: :normal
start permanent2
permanent exit :normal -> children: [{:permanent, #PID<permanent2>}]
  count_children: %{:active => 1, :specs => 1, :supervisors => 0, :workers => 1}
terminate permanent2: :shutdown
start permanent3
terminate permanent3: :shutdown
start permanent4
permanent exit :shutdown -> children: [{:permanent, #PID<permanent4>}]
  count_children: %{:active => 1, :specs => 1, :supervisors => 0, :workers => 1}
terminate permanent4: :shutdown
start permanent5
terminate permanent5: {:shutdown, :custom}
start permanent6
permanent exit {:shutdown, :custom} -> children: [{:permanent, #PID<permanent6>}]
  count_children: %{:active => 1, :specs => 1, :supervisors => 0, :workers => 1}
terminate permanent6: :shutdown
start permanent7
terminate permanent7: :boom
start permanent8
permanent exit :boom -> children: [{:permanent, #PID<permanent8>}]
  count_children: %{:active => 1, :specs => 1, :supervisors => 0, :workers => 1}
terminate permanent8: :shutdown
start transient1
terminate transient1: :normal
transient exit :normal -> children: [{:transient, :undefined}]
  count_children: %{:active => 0, :specs => 1, :supervisors => 0, :workers => 1}
start transient2
terminate transient2: :shutdown
transient exit :shutdown -> children: [{:transient, :undefined}]
  count_children: %{:active => 0, :specs => 1, :supervisors => 0, :workers => 1}
start transient3
terminate transient3: {:shutdown, :custom}
transient exit {:shutdown, :custom} -> children: [{:transient, :undefined}]
  count_children: %{:active => 0, :specs => 1, :supervisors => 0, :workers => 1}
start transient4
terminate transient4: :boom
start transient5
transient exit :boom -> children: [{:transient, #PID<transient5>}]
  count_children: %{:active => 1, :specs => 1, :supervisors => 0, :workers => 1}
terminate transient5: :shutdown
start temporary1
terminate temporary1: :normal
temporary exit :normal -> children: []
  count_children: %{:active => 0, :specs => 0, :supervisors => 0, :workers => 0}
start temporary2
terminate temporary2: :shutdown
temporary exit :shutdown -> children: []
  count_children: %{:active => 0, :specs => 0, :supervisors => 0, :workers => 0}
start temporary3
terminate temporary3: {:shutdown, :custom}
temporary exit {:shutdown, :custom} -> children: []
  count_children: %{:active => 0, :specs => 0, :supervisors => 0, :workers => 0}
start temporary4
terminate temporary4: :boom
temporary exit :boom -> children: []
  count_children: %{:active => 0, :specs => 0, :supervisors => 0, :workers => 0}
end
)";

co<void> scenario_40(testing::trace& t) {
  test_worker::env e(t);
  const std::vector<term> reasons{term(atoms::normal), term(atoms::shutdown),
                                  tuple(atoms::shutdown, a("custom")), term(a("boom"))};
  for (otter::restart restart :
       {otter::restart::permanent, otter::restart::transient, otter::restart::temporary}) {
    for (const term& reason : reasons) {
      atom id = to_term(restart).as_atom();
      std::vector<child_spec> specs{t_worker(e, id, restart)};
      supervisor::options opts{.max_restarts = 100};
      start_result sup = co_await supervisor::start_link(std::move(specs), opts);
      t.name(*sup, "sup");
      term kids = co_await children(*sup);
      pid child = kids[0][1].as_pid();
      ref mon = monitor(child);
      stop_worker(child, reason);
      (void)co_await receive(
          on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; }, [](down_msg&) {}));

      // wait until the supervisor has processed the exit: either a new pid, or no running child
      std::function<bool(const term&)> handled = [child](const term& now) {
        if (now.size() == 0) {
          return true;
        }
        const term& entry = now[0];
        return entry[1].is_pid() ? entry[1].as_pid() != child : entry[1].is(atoms::undefined);
      };
      term result = co_await wait(*sup, std::move(handled));

      t.log(std::string(id.name()) + " exit " + t.print(reason) + " -> children", result);
      supervisor::child_counts counts = co_await supervisor::count_children(*sup);
      t.log("  count_children", counts.to_term());
      co_await supervisor::stop(*sup);
    }
  }
  t.log("end");
}

TEST(ConformanceTest, SupRestartTypes40) {
  quiet_logs quiet;
  expect_trace(expected, scenario_40);
}

}  // namespace
}  // namespace otter::conformance
