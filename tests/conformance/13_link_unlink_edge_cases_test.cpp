// Scenario 13_link_unlink_edge_cases: linking to a dead process, linking twice, unlink then
// crash, linking to self, bidirectionality, a process killed through a link it created.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(link(dead), not trapping: {:error, :noproc}
link(dead), trapping: true
message: {:EXIT, #PID<dead>, :noproc}
link(self()): true
links of main: []
links of p: [#PID<main>]
links of main: [#PID<p>]
unlink(p): true
links of p after unlink: []
p died: {:DOWN, #Ref<mon_p>, :process, #PID<p>, :bad}
main alive: true
unlink(dead): true
process killed through link it created: {:DOWN, #Ref<mon_w>, :process, #PID<w>, :from_parent}
end
)";

/// receive do ^x -> x end
co<term> receive_atom(atom x) {
  co_return co_await receive(
      on<term>([x](const term& m) { return m.is(x); }, [](term m) { return m; }));
}

co<void> scenario_13(testing::trace& t) {
  pid dead = spawn([]() -> co<void> { co_return; });
  t.name(dead, "dead");
  (void)co_await testing::wait_down(dead);

  // non-trapping caller: link to a dead pid raises (error class, reason :noproc)
  t.log("link(dead), not trapping",
        co_await testing::catching([dead]() -> co<term> { co_return term(link(dead)); }));

  // trapping caller: link returns true and an {:EXIT, dead, :noproc} message arrives
  trap_exit(true);
  t.log("link(dead), trapping", link(dead));
  t.log("message", co_await testing::recv());
  trap_exit(false);

  // link to self is a no-op
  t.log("link(self())", link(self()));
  t.log("links of main", co_await testing::links(t, self()));

  // links are bidirectional and set-like (linking twice yields one link)
  pid p = spawn([]() -> co<void> {
    (void)co_await receive_atom(a("crash"));
    otter::exit(a("bad"));
  });
  t.name(p, "p");
  link(p);
  link(p);
  t.log("links of p", co_await testing::links(t, p));
  t.log("links of main", co_await testing::links(t, self()));

  // after unlink a crash does not propagate
  t.log("unlink(p)", unlink(p));
  t.log("links of p after unlink", co_await testing::links(t, p));
  t.name(monitor(p), "mon_p");
  send(p, term(a("crash")));
  t.log("p died", co_await testing::recv());
  t.log("main alive", alive(self()));

  // unlink of a non-linked or dead pid is fine
  t.log("unlink(dead)", unlink(dead));

  // a process is killed through a link it created itself
  auto [w, wref] = spawn_monitor([]() -> co<void> {
    pid child = spawn([]() -> co<void> { (void)co_await receive_atom(a("link_and_crash")); });
    send(child, term(a("noop")));
    link(child);
    otter::exit(child, a("from_parent"));
    co_await sleep(infinity);
  });
  t.name(w, "w");
  t.name(wref, "mon_w");
  t.log("process killed through link it created", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, LinkUnlinkEdgeCases13) {
  expect_trace(expected, scenario_13);
}

}  // namespace
}  // namespace otter::conformance
