// Scenario 46_sup_nested_escalation: an inner supervisor that exceeds its intensity exits
// :shutdown; the outer supervisor restarts it, and it starts fresh children. count_children
// and which_children tell :supervisor children from :worker ones.

#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start w1
start x1
start y1
outer count_children: %{:active => 2, :specs => 2, :supervisors => 1, :workers => 1}
outer which_children (type): [{:inner, :supervisor, [Supervisor]}, {:w, :worker, [T.Worker]}]
terminate x1: :boom
start x2
terminate x2: :boom
terminate y1: :shutdown
start x3
start y2
inner1 DOWN reason: :shutdown
outer which_children: [{:inner, #PID<inner2>}, {:w, #PID<w1>}]
inner2 which_children: [{:y, #PID<y2>}, {:x, #PID<x3>}]
terminate y2: :shutdown
terminate x3: :shutdown
terminate w1: :shutdown
end
)";

co<void> scenario_46(testing::trace& t) {
  test_worker::env e(t);
  std::vector<child_spec> inner_children{t_worker(e, a("x")), t_worker(e, a("y"))};
  supervisor::options inner_opts{.max_restarts = 1, .max_seconds = 5};
  // %{id: :inner, type: :supervisor, start: {Supervisor, :start_link, [children, opts]}}
  child_spec inner_spec =
      supervisor::supervisor_spec(a("inner"), std::move(inner_children), inner_opts);

  std::vector<child_spec> specs{t_worker(e, a("w")), inner_spec};
  start_result started = co_await supervisor::start_link(std::move(specs));
  pid outer = *started;
  t.name(outer, "outer");
  term kids = co_await children(outer);
  pid inner1 = keyfind(kids, term(a("inner")))[1].as_pid();
  t.name(inner1, "inner1");
  supervisor::child_counts counts = co_await supervisor::count_children(outer);
  t.log("outer count_children", counts.to_term());
  std::vector<supervisor::child_info> typed = co_await supervisor::which_children(outer);
  std::vector<term> id_type_mods;
  for (const auto& c : typed) {
    id_type_mods.push_back(tuple(c.id, to_term(c.type), c.modules));
  }
  t.log("outer which_children (type)", term::list(std::move(id_type_mods)));

  // crash x twice -> inner gives up on the second crash (1 restart allowed)
  term inner_kids = co_await children(inner1);
  pid x1 = keyfind(inner_kids, term(a("x")))[1].as_pid();
  stop_worker(x1, a("boom"));
  (void)co_await wait_restarted(inner1, a("x"), x1);
  inner_kids = co_await children(inner1);
  pid x2 = keyfind(inner_kids, term(a("x")))[1].as_pid();
  ref mon = monitor(inner1);
  t.name(mon, "mon_inner1");
  stop_worker(x2, a("boom"));
  term down = co_await down_reason(mon);
  term after = co_await wait_restarted(outer, a("inner"), inner1);
  t.log("inner1 DOWN reason", down);
  pid inner2 = keyfind(after, term(a("inner")))[1].as_pid();
  t.name(inner2, "inner2");
  t.log("outer which_children", after);
  t.log("inner2 which_children", co_await children(inner2));
  co_await supervisor::stop(outer);
  t.log("end");
}

TEST(ConformanceTest, SupNestedEscalation46) {
  quiet_logs quiet;
  expect_trace(expected, scenario_46);
}

}  // namespace
}  // namespace otter::conformance
