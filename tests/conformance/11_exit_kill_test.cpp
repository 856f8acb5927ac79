// Scenario 11_exit_kill: exit(pid, :kill) is untrappable and is seen as :killed; a process that
// itself exits with reason :kill sends a plain, trappable :kill to its links and monitors.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(Process.exit(victim, :kill) returns: true
monitor sees: {:DOWN, #Ref<mon_victim>, :process, #PID<victim>, :killed}
linked trapper receives: {:EXIT, #PID<v2>, :killed}
non-trapping linked partner dies with: {:DOWN, #Ref<mon_watcher>, :process, #PID<watcher>, :killed}
trapper linked to exit(:kill) receives: {:EXIT, #PID<v4>, :kill}
non-trapping partner of exit(:kill) dies with: {:DOWN, #Ref<mon_watcher2>, :process, #PID<watcher2>, :kill}
trapping partner: {:watcher3_got_exit, :kill}
trapping partner then: {:DOWN, #Ref<mon_watcher3>, :process, #PID<watcher3>, :normal}
end
)";

co<void> sleep_forever() {
  co_await sleep(infinity);
}

co<void> exit_kill() {
  otter::exit(atoms::kill);
  co_return;
}

co<void> scenario_11(testing::trace& t) {
  const pid main = self();

  // 1. a trapping process is killed anyway
  pid victim = spawn([main]() -> co<void> {
    trap_exit(true);
    send(main, term(a("ready")));
    co_await sleep_forever();
  });
  t.name(victim, "victim");
  term ready = co_await testing::recv();
  if (ready != term(a("ready"))) {
    otter::exit(tuple(a("badmatch"), ready));
  }
  t.name(monitor(victim), "mon_victim");
  t.log("Process.exit(victim, :kill) returns", otter::exit(victim, atoms::kill));
  t.log("monitor sees", co_await testing::recv());

  // 2. a trapping process linked to the killed one receives :killed
  trap_exit(true);
  pid v2 = spawn_link(sleep_forever);
  t.name(v2, "v2");
  otter::exit(v2, atoms::kill);
  t.log("linked trapper receives", co_await testing::recv());

  // 3. a non-trapping process linked to a killed process dies with :killed
  auto [watcher, wref] = spawn_monitor([main]() -> co<void> {
    pid v3 = spawn_link(sleep_forever);
    send(main, tuple(a("v3"), v3));
    co_await sleep_forever();
  });
  t.name(watcher, "watcher");
  t.name(wref, "mon_watcher");
  const atom v3_tag = a("v3");
  pid v3 = co_await receive(on<term>([v3_tag](const term& m) { return m.is_tagged(v3_tag, 2); },
                                     [](term m) { return m[1].as_pid(); }));
  t.name(v3, "v3");
  otter::exit(v3, atoms::kill);
  t.log("non-trapping linked partner dies with", co_await testing::recv());

  // 4. exit(:kill) called by the process itself: links get reason :kill (trappable)
  pid v4 = spawn_link(exit_kill);
  t.name(v4, "v4");
  t.log("trapper linked to exit(:kill) receives", co_await testing::recv());

  auto [w2, w2ref] = spawn_monitor([]() -> co<void> {
    (void)spawn_link(exit_kill);
    co_await sleep_forever();
  });
  t.name(w2, "watcher2");
  t.name(w2ref, "mon_watcher2");
  t.log("non-trapping partner of exit(:kill) dies with", co_await testing::recv());

  // 5. a trapping partner of exit(:kill) survives
  auto [w3, w3ref] = spawn_monitor([main]() -> co<void> {
    trap_exit(true);
    (void)spawn_link(exit_kill);
    term r = co_await receive(on<exit_msg>([](exit_msg& e) { return e.reason; }));
    send(main, tuple(a("watcher3_got_exit"), r));
  });
  t.name(w3, "watcher3");
  t.name(w3ref, "mon_watcher3");
  t.log("trapping partner", co_await testing::recv());
  t.log("trapping partner then", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, ExitKill11) {
  expect_trace(expected, scenario_11);
}

}  // namespace
}  // namespace otter::conformance
