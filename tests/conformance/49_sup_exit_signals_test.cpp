// Scenario 49_sup_exit_signals: a supervisor traps exits, so exit signals from a process that
// is neither its parent nor a child are ignored (even :shutdown and :normal); an exit signal
// from its parent makes it stop its children (reverse order, :shutdown) and exit with that
// reason; :kill kills it at once and its children die of the :killed exit signal of the link.

#include "otter/otp/agent.hpp"

#include "conformance/supervisor_scenario.hpp"

#include <algorithm>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start a1
start b1
after :shutdown and :normal from a stranger, children: [{:b, #PID<b1>}, {:a, #PID<a1>}]
terminate b1: :shutdown
terminate a1: :shutdown
parent sent :shutdown (Process.exit returned): true
parent receives: {:EXIT, #PID<sup>, :shutdown}
parent receives: {:EXIT, #PID<sup2>, :killed}
children DOWN (sorted): [{:DOWN, #Ref<mon_c>, :process, #PID<c>, :killed}, {:DOWN, #Ref<mon_d>, :process, #PID<d>, :killed}]
end
)";

co<void> scenario_49(testing::trace& t) {
  trap_exit(true);
  pid main = self();
  test_worker::env e(t);
  std::vector<child_spec> specs{t_worker(e, a("a")), t_worker(e, a("b"))};
  start_result started = co_await supervisor::start_link(std::move(specs));
  pid sup = *started;
  t.name(sup, "sup");
  pid stranger = spawn([sup, main]() -> co<void> {
    for (int i = 0; i < 2; ++i) {
      term r = co_await receive(on<term>([](const term& m) { return m.is_tagged(a("signal"), 2); },
                                         [](term& m) { return m[1]; }));
      otter::exit(sup, r);
      send(main, term(a("sent")));
    }
  });
  t.name(stranger, "stranger");
  send(stranger, tuple(a("signal"), atoms::shutdown));
  (void)co_await testing::recv();
  send(stranger, tuple(a("signal"), atoms::normal));
  (void)co_await testing::recv();
  t.log("after :shutdown and :normal from a stranger, children", co_await children(sup));
  bool r = otter::exit(sup, term(atoms::shutdown));
  term msg = co_await testing::recv();
  t.log("parent sent :shutdown (Process.exit returned)", term(r));
  t.log("parent receives", msg);

  // (non-trapping Agent children here: they are killed concurrently by the :killed signal)
  child_spec c = agent::child_spec([] { return term(a("c")); });
  c.id = term(a("c"));
  child_spec d = agent::child_spec([] { return term(a("d")); });
  d.id = term(a("d"));
  std::vector<child_spec> specs2{c, d};
  start_result started2 = co_await supervisor::start_link(std::move(specs2));
  pid sup2 = *started2;
  t.name(sup2, "sup2");
  term kids = co_await children(sup2);
  for (const term& k : kids.elements()) {
    std::string id(k[0].as_atom().name());
    t.name(k[1].as_pid(), id);
    t.name(monitor(k[1].as_pid()), "mon_" + id);
  }
  otter::exit(sup2, term(atoms::kill));
  t.log("parent receives", co_await testing::recv());
  std::vector<term> downs;
  for (std::size_t i = 0; i < kids.size(); ++i) {
    downs.push_back(co_await testing::recv());
  }
  // the children are killed concurrently (no ordered shutdown); print sorted
  std::sort(downs.begin(), downs.end(),
            [&t](const term& x, const term& y) { return t.print(x) < t.print(y); });
  t.log("children DOWN (sorted)", term::list(std::move(downs)));
  t.log("end");
}

TEST(ConformanceTest, SupExitSignals49) {
  quiet_logs quiet;
  expect_trace(expected, scenario_49);
}

}  // namespace
}  // namespace otter::conformance
