// Scenario 44_sup_child_management_api: terminate_child stops a child with :shutdown and keeps
// its spec (:undefined, not restarted); terminating a stopped child is :ok; restart_child
// restarts a stopped child, {:error, :running} when it runs, {:error, :not_found} for an
// unknown id; delete_child needs a stopped child; start_child with an id in use gives
// {:error, {:already_started, pid}} or {:error, :already_present}; a start returning :ignore
// gives {:ok, :undefined} and keeps the spec; {:error, r} gives {:error, {r, child_record}}
// (only r printed); an invalid start gives {:error, {:invalid_mfa, x}}.
//
// The Elixir start functions `{Function, :identity, [:ignore]}` and
// `{Function, :identity, [{:error, :nope}]}` are start functions returning that value; the
// invalid spec `%{id: :x, start: :not_mfa}` is a spec whose mfa is :not_mfa and that has no
// start function.

#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start a1
start b1
start_child b: {:ok, #PID<b1>}
which_children: [{:b, #PID<b1>}, {:a, #PID<a1>}]
start_child b again: {:error, {:already_started, #PID<b1>}}
delete_child b (running): {:error, :running}
restart_child b (running): {:error, :running}
terminate b1: :shutdown
terminate_child b: :ok
which_children: [{:b, :undefined}, {:a, #PID<a1>}]
count_children: %{:active => 1, :specs => 2, :supervisors => 0, :workers => 2}
terminate_child b again: :ok
start_child b while stopped: {:error, :already_present}
start b2
restart_child b: {:ok, #PID<b2>}
which_children: [{:b, #PID<b2>}, {:a, #PID<a1>}]
terminate b2: :shutdown
terminate_child b: :ok
delete_child b: :ok
which_children: [{:a, #PID<a1>}]
terminate_child unknown: {:error, :not_found}
restart_child unknown: {:error, :not_found}
delete_child unknown: {:error, :not_found}
restart_child deleted b: {:error, :not_found}
start_child returning :ignore: {:ok, :undefined}
which_children: [{:ign, :undefined}, {:a, #PID<a1>}]
start_child returning {:error, :nope} -> {:error, {reason, _}} with reason: :nope
start_child with invalid spec: {:error, {:invalid_mfa, :not_mfa}}
which_children: [{:ign, :undefined}, {:a, #PID<a1>}]
terminate a1: :shutdown
end
)";

/// A spec whose start returns `value` (Elixir's {Function, :identity, [value]}).
child_spec identity_spec(atom id, term value) {
  child_spec spec;
  spec.id = term(id);
  spec.mfa = tuple(a("Elixir.Function"), a("identity"), list(value));
  spec.start = start_with([value]() -> co<start_result> { co_return start_result_of(value); });
  return spec;
}

co<void> scenario_44(testing::trace& t) {
  test_worker::env e(t);
  std::vector<child_spec> specs{t_worker(e, a("a"))};
  start_result started = co_await supervisor::start_link(std::move(specs));
  pid sup = *started;
  t.name(sup, "sup");
  using supervisor::to_term;
  const term b(a("b"));
  const child_spec wb = t_worker(e, a("b"));  // T.Worker.child_spec(:b)

  t.log("start_child b", to_term(co_await supervisor::start_child(sup, wb)));
  t.log("which_children", co_await children(sup));
  t.log("start_child b again", to_term(co_await supervisor::start_child(sup, wb)));
  t.log("delete_child b (running)", to_term(co_await supervisor::delete_child(sup, b)));
  t.log("restart_child b (running)", to_term(co_await supervisor::restart_child(sup, b)));
  t.log("terminate_child b", to_term(co_await supervisor::terminate_child(sup, b)));
  t.log("which_children", co_await children(sup));
  supervisor::child_counts counts = co_await supervisor::count_children(sup);
  t.log("count_children", counts.to_term());
  t.log("terminate_child b again", to_term(co_await supervisor::terminate_child(sup, b)));
  t.log("start_child b while stopped", to_term(co_await supervisor::start_child(sup, wb)));
  t.log("restart_child b", to_term(co_await supervisor::restart_child(sup, b)));
  t.log("which_children", co_await children(sup));
  t.log("terminate_child b", to_term(co_await supervisor::terminate_child(sup, b)));
  t.log("delete_child b", to_term(co_await supervisor::delete_child(sup, b)));
  t.log("which_children", co_await children(sup));
  const term zzz(a("zzz"));
  t.log("terminate_child unknown", to_term(co_await supervisor::terminate_child(sup, zzz)));
  t.log("restart_child unknown", to_term(co_await supervisor::restart_child(sup, zzz)));
  t.log("delete_child unknown", to_term(co_await supervisor::delete_child(sup, zzz)));
  t.log("restart_child deleted b", to_term(co_await supervisor::restart_child(sup, b)));

  // a started child whose start function returns :ignore is kept with pid :undefined
  child_spec ign = identity_spec(a("ign"), term(a("ignore")));
  t.log("start_child returning :ignore", to_term(co_await supervisor::start_child(sup, ign)));
  t.log("which_children", co_await children(sup));
  // a child whose start returns {:error, reason}: {:error, {reason, child_record}}
  child_spec bad = identity_spec(a("bad"), tuple(atoms::error, a("nope")));
  supervisor::child_result r = co_await supervisor::start_child(sup, bad);
  t.log("start_child returning {:error, :nope} -> {:error, {reason, _}} with reason",
        r.error().reason[0]);
  // invalid specs
  child_spec invalid;
  invalid.id = term(a("x"));
  invalid.mfa = term(a("not_mfa"));
  t.log("start_child with invalid spec", to_term(co_await supervisor::start_child(sup, invalid)));
  t.log("which_children", co_await children(sup));
  co_await supervisor::stop(sup);
  t.log("end");
}

TEST(ConformanceTest, SupChildManagementApi44) {
  quiet_logs quiet;
  expect_trace(expected, scenario_44);
}

}  // namespace
}  // namespace otter::conformance
