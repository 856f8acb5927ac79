// Scenario 53_dynsup_restart_types: a permanent child is restarted whatever its exit reason;
// a transient one only after an abnormal exit (not :normal, :shutdown or {:shutdown, _}); a
// temporary one never; a child that is not restarted disappears from which_children.

#include "otter/otp/dynamic_supervisor.hpp"

#include "conformance/scenario.hpp"
#include "conformance/test_worker.hpp"

#include <algorithm>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start permanent1
terminate permanent1: :normal
start permanent2
permanent exit :normal -> children: [#PID<permanent2>]
terminate permanent2: :shutdown
start permanent3
terminate permanent3: :shutdown
start permanent4
permanent exit :shutdown -> children: [#PID<permanent4>]
terminate permanent4: :shutdown
start permanent5
terminate permanent5: {:shutdown, :x}
start permanent6
permanent exit {:shutdown, :x} -> children: [#PID<permanent6>]
terminate permanent6: :shutdown
start permanent7
terminate permanent7: :boom
start permanent8
permanent exit :boom -> children: [#PID<permanent8>]
terminate permanent8: :shutdown
start transient1
terminate transient1: :normal
transient exit :normal -> children: []
start transient2
terminate transient2: :shutdown
transient exit :shutdown -> children: []
start transient3
terminate transient3: {:shutdown, :x}
transient exit {:shutdown, :x} -> children: []
start transient4
terminate transient4: :boom
start transient5
transient exit :boom -> children: [#PID<transient5>]
terminate transient5: :shutdown
start temporary1
terminate temporary1: :normal
temporary exit :normal -> children: []
start temporary2
terminate temporary2: :shutdown
temporary exit :shutdown -> children: []
start temporary3
terminate temporary3: {:shutdown, :x}
temporary exit {:shutdown, :x} -> children: []
start temporary4
terminate temporary4: :boom
temporary exit :boom -> children: []
end
)";

co<void> scenario_53(testing::trace& t) {
  test_worker::env e(t);
  dynamic_supervisor::options opts;
  opts.max_restarts = 100;
  start_result sup = co_await dynamic_supervisor::start_link(opts);
  t.name(*sup, "dynsup");

  const std::vector<std::pair<otter::restart, const char*>> restarts = {
      {otter::restart::permanent, "permanent"},
      {otter::restart::transient, "transient"},
      {otter::restart::temporary, "temporary"}};
  const std::vector<term> reasons = {term(a("normal")), term(a("shutdown")),
                                     tuple(a("shutdown"), a("x")), term(a("boom"))};
  for (const auto& [restart, name] : restarts) {
    for (const term& reason : reasons) {
      // Supervisor.child_spec(T.Worker.child_spec(id), restart: restart)
      child_spec spec = worker_spec(e, a(name));
      spec.mfa = tuple(a("Elixir.T.Worker"), a("start_link"), list(a(name)));
      spec.restart = restart;
      start_result child = co_await dynamic_supervisor::start_child(*sup, std::move(spec));
      ref mon = monitor(*child);
      stop_worker(*child, reason);
      (void)co_await receive(
          on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; }, [](down_msg&) {}));
      // Until the supervisor has handled the exit: a replacement exists or the child is gone.
      const pid old = *child;
      auto handled = [sup, old]() -> co<term> {
        std::vector<dynamic_supervisor::child_info> cs =
            co_await dynamic_supervisor::which_children(*sup);
        std::vector<term> pids;
        for (const auto& c : cs) {
          pids.push_back(c.child.is_null() ? term(a("restarting")) : term(c.child));
        }
        if (std::find(pids.begin(), pids.end(), term(old)) != pids.end()) {
          co_return term();
        }
        co_return term::list(std::move(pids));
      };
      term children = co_await testing::eventually(handled);
      t.log(std::string(name) + " exit " + t.print(reason) + " -> children", children);
      for (const term& p : children.elements()) {
        (void)co_await dynamic_supervisor::terminate_child(*sup, p.as_pid());
      }
    }
  }
  t.log("end");
  co_await dynamic_supervisor::stop(*sup);
}

TEST(ConformanceTest, DynsupRestartTypes53) {
  log_sink previous = set_log_sink(log_sink{});  // the supervisor reports of the restarts
  expect_trace(expected, scenario_53);
  set_log_sink(previous);
}

}  // namespace
}  // namespace otter::conformance
