// Scenario 50_dynsup_basics: start_child returns {:ok, pid}; which_children entries are
// {:undefined, pid, :worker, [module]}; count_children; terminate_child(pid) is :ok, then
// {:error, :not_found}, also for a pid that is not a child; the results of start functions
// pass through (:ignore, {:error, r}), a raising start gives {:error, {exception, stacktrace}}
// and an invalid MFA {:error, {:invalid_mfa, mfa}}; {:ok, pid, info} keeps its info.

#include "otter/otp/dynamic_supervisor.hpp"

#include "conformance/scenario.hpp"
#include "conformance/test_worker.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(which_children empty: []
count_children empty: %{:active => 0, :specs => 0, :supervisors => 0, :workers => 0}
start a1
start b1
start c1
which_children (sorted): [{:undefined, #PID<a1>, :worker, [T.Worker]}, {:undefined, #PID<b1>, :worker, [T.Worker]}, {:undefined, #PID<c1>, :worker, [T.Worker]}]
count_children: %{:active => 3, :specs => 3, :supervisors => 0, :workers => 3}
terminate b1: :shutdown
terminate_child b: :ok
terminate_child b again: {:error, :not_found}
terminate_child self() (not a child): {:error, :not_found}
which_children (sorted): [{:undefined, #PID<a1>, :worker, [T.Worker]}, {:undefined, #PID<c1>, :worker, [T.Worker]}]
start_child {:ok, pid, info}: {:ok, #PID<ok3_child>, :extra_info}
start_child :ignore: :ignore
start_child {:error, :refused}: {:error, :refused}
start_child raising -> {:error, {exception, stacktrace}} with exception: %RuntimeError{message: "start raised"}
start_child invalid spec: {:error, {:invalid_mfa, {Ret, :start_link, :bad}}}
count_children: %{:active => 3, :specs => 3, :supervisors => 0, :workers => 3}
end
)";

/// T.Worker.child_spec(id): W(id), with the MFA Elixir's spec has (which gives its modules).
child_spec t_worker(test_worker::env& e, atom id) {
  child_spec spec = worker_spec(e, id);
  spec.mfa = tuple(a("Elixir.T.Worker"), a("start_link"), list(id));
  return spec;
}

/// A spec `%{id: :x, start: {Ret, :start_link, [arg]}}` whose start is `start`.
child_spec ret_spec(atom arg, start_fn start) {
  child_spec spec;
  spec.id = term(a("x"));
  spec.mfa = tuple(a("Elixir.Ret"), a("start_link"), list(arg));
  spec.start = std::move(start);
  return spec;
}

co<void> sleep_forever() {
  co_await receive(on<term>([](term) {}));
}

/// which_children as a list sorted by printed form (the scenario's `sorted`).
co<term> sorted_children(testing::trace& t, pid sup) {
  std::vector<dynamic_supervisor::child_info> cs = co_await dynamic_supervisor::which_children(sup);
  std::vector<term> out;
  for (const auto& c : cs) {
    out.push_back(c.to_term());
  }
  std::sort(out.begin(), out.end(),
            [&t](const term& x, const term& y) { return t.print(x) < t.print(y); });
  co_return term::list(std::move(out));
}

term result_term(const otter::expected<void>& r) {
  return r ? term(atoms::ok) : tuple(atoms::error, r.error().reason);
}

co<void> scenario_50(testing::trace& t) {
  test_worker::env e(t);
  start_result sup = co_await dynamic_supervisor::start_link();
  t.name(*sup, "dynsup");
  t.log("which_children empty", co_await sorted_children(t, *sup));
  t.log("count_children empty", (co_await dynamic_supervisor::count_children(*sup)).to_term());

  child_spec spec_a = t_worker(e, a("a"));
  start_result w_a = co_await dynamic_supervisor::start_child(*sup, std::move(spec_a));
  child_spec spec_b = t_worker(e, a("b"));
  start_result w_b = co_await dynamic_supervisor::start_child(*sup, std::move(spec_b));
  child_spec spec_c = t_worker(e, a("c"));
  spec_c.id = term(a("ignored_id"));
  start_result w_c = co_await dynamic_supervisor::start_child(*sup, std::move(spec_c));
  EXPECT_TRUE(w_a && w_b && w_c);
  t.log("which_children (sorted)", co_await sorted_children(t, *sup));
  t.log("count_children", (co_await dynamic_supervisor::count_children(*sup)).to_term());
  t.log("terminate_child b", result_term(co_await dynamic_supervisor::terminate_child(*sup, *w_b)));
  t.log("terminate_child b again",
        result_term(co_await dynamic_supervisor::terminate_child(*sup, *w_b)));
  t.log("terminate_child self() (not a child)",
        result_term(co_await dynamic_supervisor::terminate_child(*sup, self())));
  t.log("which_children (sorted)", co_await sorted_children(t, *sup));

  // Ret.start_link(:ok3) in Otter's terms: a linked sleeper, returned as {:ok, pid, :extra_info}.
  child_spec ok3 = ret_spec(a("ok3"), start_with([]() -> co<start_result> {
                              co_return start_result(spawn_link(sleep_forever), a("extra_info"));
                            }));
  start_result r = co_await dynamic_supervisor::start_child(*sup, std::move(ok3));
  t.name(*r, "ok3_child");
  t.log("start_child {:ok, pid, info}", to_term(r));
  child_spec ignore = ret_spec(a("ignore"), start_with([]() -> co<start_result> {
                                 co_return unexpected(failure{errc::ignore, term(a("ignore"))});
                               }));
  t.log("start_child :ignore",
        to_term(co_await dynamic_supervisor::start_child(*sup, std::move(ignore))));
  child_spec refused = ret_spec(a("error"), start_with([]() -> co<start_result> {
                                  co_return unexpected(failure::from_reason(term(a("refused"))));
                                }));
  t.log("start_child {:error, :refused}",
        to_term(co_await dynamic_supervisor::start_child(*sup, std::move(refused))));
  child_spec raising = ret_spec(a("raise"), start_with([]() -> co<start_result> {
                                  throw std::runtime_error("start raised");
                                  co_return pid();
                                }));
  start_result raised = co_await dynamic_supervisor::start_child(*sup, std::move(raising));
  // {:error, {exc, _stack}} = ...
  t.log("start_child raising -> {:error, {exception, stacktrace}} with exception",
        raised.error().reason[0]);
  child_spec bad = ret_spec(a("bad"), start_with([]() -> co<start_result> { co_return pid(); }));
  bad.mfa = tuple(a("Elixir.Ret"), a("start_link"), a("bad"));
  t.log("start_child invalid spec",
        to_term(co_await dynamic_supervisor::start_child(*sup, std::move(bad))));
  t.log("count_children", (co_await dynamic_supervisor::count_children(*sup)).to_term());
  t.log("end");
  // The workers use `e`: stop them before it goes (nothing is printed after `end`).
  co_await dynamic_supervisor::stop(*sup);
}

TEST(ConformanceTest, DynsupBasics50) {
  log_sink previous = set_log_sink(log_sink{});
  expect_trace(expected, scenario_50);
  set_log_sink(previous);
}

}  // namespace
}  // namespace otter::conformance
