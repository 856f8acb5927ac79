// Scenario 43_sup_shutdown_strategies: when the supervisor stops, its children are stopped one
// at a time in reverse start order. brutal_kill: killed at once (:killed, terminate never
// runs); a timeout: exit(:shutdown), then :kill when the child is still alive after it
// (:killed); infinity: the supervisor waits as long as the child needs (:shutdown); a child
// that does not trap exits dies at once with :shutdown.

#include "conformance/supervisor_scenario.hpp"

#include <string>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(infinite terminate begins: :shutdown
infinite terminate finished: :shutdown
too_slow terminate begins: :shutdown
Supervisor.stop: :ok
DOWN: {:DOWN, #Ref<mon_no_trap>, :process, #PID<no_trap>, :shutdown}
DOWN: {:DOWN, #Ref<mon_infinite>, :process, #PID<infinite>, :shutdown}
DOWN: {:DOWN, #Ref<mon_too_slow>, :process, #PID<too_slow>, :killed}
DOWN: {:DOWN, #Ref<mon_brutal>, :process, #PID<brutal>, :killed}
stop took >= 500ms (200 + 300): true
stop took < 2000ms: true
end
)";

/// SlowStop: traps exits; its terminate logs, sleeps `stop_ms`, logs again.
struct slow_stop {
  struct state {
    testing::trace* t;
    std::string name;
    std::int64_t stop_ms;
  };
  state init(testing::trace* t, std::string name, std::int64_t stop_ms) {
    trap_exit(true);
    t->name(self(), name);
    return state{t, std::move(name), stop_ms};
  }
  co<void> terminate(const term& reason, state& s) {
    s.t->log(s.name + " terminate begins", reason);
    co_await sleep(s.stop_ms);
    s.t->log(s.name + " terminate finished", reason);
  }
};

/// NoTrap: does not trap exits, so its terminate never runs on a supervisor's :shutdown.
struct no_trap {
  struct state {
    testing::trace* t;
    std::string name;
  };
  state init(testing::trace* t, std::string name) {
    t->name(self(), name);
    return state{t, std::move(name)};
  }
  void terminate(const term& reason, state& s) {
    s.t->log(s.name + " terminate (never printed)", reason);
  }
};

child_spec slow_child(testing::trace& t, std::string name, std::int64_t stop_ms,
                      std::int64_t shutdown) {
  child_spec spec;
  spec.id = term(a(name));
  spec.shutdown = shutdown;
  testing::trace* tp = &t;
  spec.start = start_with(
      [tp, name, stop_ms]() { return gen_server::start_link<slow_stop>(tp, name, stop_ms); });
  return spec;
}

co<void> scenario_43(testing::trace& t) {
  child_spec no_trap_child;
  no_trap_child.id = term(a("no_trap"));
  no_trap_child.shutdown = 1000;
  testing::trace* tp = &t;
  no_trap_child.start =
      start_with([tp]() { return gen_server::start_link<no_trap>(tp, std::string("no_trap")); });
  std::vector<child_spec> specs{slow_child(t, "brutal", 0, brutal_kill),
                                slow_child(t, "too_slow", 5000, 200),
                                slow_child(t, "infinite", 300, infinity), no_trap_child};
  start_result sup = co_await supervisor::start_link(std::move(specs));
  t.name(*sup, "sup");

  term kids = co_await children(*sup);
  for (const term& k : kids.elements()) {
    t.name(monitor(k[1].as_pid()), "mon_" + std::string(k[0].as_atom().name()));
  }

  std::int64_t t0 = now_ms();
  atom stopped = co_await supervisor::stop(*sup);
  t.log("Supervisor.stop", stopped);
  std::int64_t elapsed = now_ms() - t0;
  std::vector<term> downs;
  for (int i = 0; i < 4; ++i) {
    downs.push_back(co_await testing::recv());
  }
  for (const term& d : downs) {
    t.log("DOWN", d);
  }
  t.log("stop took >= 500ms (200 + 300)", term(elapsed >= 500));
  t.log("stop took < 2000ms", term(elapsed < 2000));
  t.log("end");
}

TEST(ConformanceTest, SupShutdownStrategies43) {
  quiet_logs quiet;
  expect_trace(expected, scenario_43);
}

}  // namespace
}  // namespace otter::conformance
