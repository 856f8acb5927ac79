// Scenario 41_sup_one_for_all_mixed_restart_types: under one_for_all, a temporary child that
// dies triggers no restart (it is removed); a transient child exiting :normal triggers nothing
// (it stays :undefined); when a permanent child crashes, a running temporary sibling is
// terminated and NOT restarted (removed), while the stopped transient child IS restarted with
// the group.

#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start perm1
start trans1
start temp1
start temp_b1
children: [{:temp_b, #PID<temp_b1>}, {:temp, #PID<temp1>}, {:trans, #PID<trans1>}, {:perm, #PID<perm1>}]
terminate temp_b1: :boom
temporary child crashed -> children: [{:temp, #PID<temp1>}, {:trans, #PID<trans1>}, {:perm, #PID<perm1>}]
terminate trans1: :normal
transient child exited normally -> children: [{:temp, #PID<temp1>}, {:trans, :undefined}, {:perm, #PID<perm1>}]
terminate perm1: :boom
terminate temp1: :shutdown
start perm2
start trans2
permanent child crashed -> children: [{:trans, #PID<trans2>}, {:perm, #PID<perm2>}]
count_children: %{:active => 2, :specs => 2, :supervisors => 0, :workers => 2}
terminate trans2: :shutdown
terminate perm2: :shutdown
end
)";

co<void> scenario_41(testing::trace& t) {
  test_worker::env e(t);
  std::vector<child_spec> specs{t_worker(e, a("perm"), otter::restart::permanent),
                                t_worker(e, a("trans"), otter::restart::transient),
                                t_worker(e, a("temp"), otter::restart::temporary),
                                t_worker(e, a("temp_b"), otter::restart::temporary)};
  supervisor::options opts{.strategy = supervisor::strategy::one_for_all};
  start_result sup = co_await supervisor::start_link(std::move(specs), opts);
  t.name(*sup, "sup");
  term c0 = co_await children(*sup);
  t.log("children", c0);

  stop_worker(keyfind(c0, term(a("temp_b")))[1].as_pid(), a("boom"));
  std::function<bool(const term&)> temp_b_gone = [](const term& c) {
    return keyfind(c, term(a("temp_b"))).is(atoms::nil);
  };
  term c1 = co_await wait(*sup, std::move(temp_b_gone));
  t.log("temporary child crashed -> children", c1);

  stop_worker(keyfind(c1, term(a("trans")))[1].as_pid(), atoms::normal);
  std::function<bool(const term&)> trans_undefined = [](const term& c) {
    return keyfind(c, term(a("trans"))) == tuple(a("trans"), atoms::undefined);
  };
  term c2 = co_await wait(*sup, std::move(trans_undefined));
  t.log("transient child exited normally -> children", c2);

  pid pm = keyfind(c2, term(a("perm")))[1].as_pid();
  stop_worker(pm, a("boom"));
  term c3 = co_await wait_restarted(*sup, a("perm"), pm);
  t.log("permanent child crashed -> children", c3);
  supervisor::child_counts counts = co_await supervisor::count_children(*sup);
  t.log("count_children", counts.to_term());
  co_await supervisor::stop(*sup);
  t.log("end");
}

TEST(ConformanceTest, SupOneForAllMixedRestartTypes41) {
  quiet_logs quiet;
  expect_trace(expected, scenario_41);
}

}  // namespace
}  // namespace otter::conformance
