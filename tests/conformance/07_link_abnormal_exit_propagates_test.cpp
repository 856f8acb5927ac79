// Scenario 07_link_abnormal_exit_propagates: an abnormal exit kills non-trapping linked
// processes with the same reason, transitively along a chain of links.

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(links of b: [#PID<a>, #PID<c>]
DOWN: {:DOWN, #Ref<mon_c>, :process, #PID<c>, :boom}
DOWN: {:DOWN, #Ref<mon_b>, :process, #PID<b>, :boom}
DOWN: {:DOWN, #Ref<mon_a>, :process, #PID<a>, :boom}
alive a,b,c: [false, false, false]
end
)";

/// receive do {tag, p} -> p end
co<pid> receive_tagged_pid(atom tag) {
  co_return co_await receive(on<term>([tag](const term& m) { return m.is_tagged(tag, 2); },
                                      [](term m) { return m[1].as_pid(); }));
}

co<void> scenario_07(testing::trace& t) {
  const pid main = self();

  // chain: a <-> b <-> c ; c exits with :boom
  pid pa = spawn([main]() -> co<void> {
    pid pb = spawn_link([main]() -> co<void> {
      pid pc = spawn_link([]() -> co<void> {
        const atom crash = a("crash");
        co_await receive(
            on<term>([crash](const term& m) { return m.is(crash); }, [](term m) { return m; }));
        otter::exit(a("boom"));
      });
      send(main, tuple(a("c"), pc));
      co_await sleep(infinity);
    });
    send(main, tuple(a("b"), pb));
    co_await sleep(infinity);
  });

  pid pb = co_await receive_tagged_pid(a("b"));
  pid pc = co_await receive_tagged_pid(a("c"));
  t.name(pa, "a");
  t.name(pb, "b");
  t.name(pc, "c");
  ref ra = t.name(monitor(pa), "mon_a");
  ref rb = t.name(monitor(pb), "mon_b");
  ref rc = t.name(monitor(pc), "mon_c");
  t.log("links of b", co_await testing::links(t, pb));

  send(pc, term(a("crash")));
  std::vector<term> downs;
  for (int i = 0; i < 3; ++i) {
    downs.push_back(co_await testing::recv());
  }
  // The three :DOWN messages come from three different processes; print them in a fixed order.
  for (ref r : {rc, rb, ra}) {
    term found;  // nil, as Enum.find when nothing matches
    for (const term& d : downs) {
      if (d.is_tuple() && d.size() >= 2 && d[1] == term(r)) {
        found = d;
        break;
      }
    }
    t.log("DOWN", found);
  }

  t.log("alive a,b,c", list(alive(pa), alive(pb), alive(pc)));
  t.log("end");
}

TEST(ConformanceTest, LinkAbnormalExitPropagates07) {
  expect_trace(expected, scenario_07);
}

}  // namespace
}  // namespace otter::conformance
