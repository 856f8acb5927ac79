// Scenario 08_link_normal_exit_no_propagation: a linked process exiting :normal does not kill
// its partner; a trapping partner receives {:EXIT, pid, :normal}.

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(child DOWN: {:DOWN, #Ref<mon_child>, :process, #PID<child>, :normal}
parent still alive, links now: {:parent_alive, {:links, []}}
trapping main receives: {:EXIT, #PID<child2>, :normal}
trapping main receives (explicit exit :normal): {:EXIT, #PID<child3>, :normal}
end
)";

/// receive do ^x -> x end
co<term> receive_atom(atom x) {
  co_return co_await receive(
      on<term>([x](const term& m) { return m.is(x); }, [](term m) { return m; }));
}

co<void> scenario_08(testing::trace& t) {
  const pid main = self();

  pid parent = spawn([main]() -> co<void> {
    pid child = spawn_link([]() -> co<void> { (void)co_await receive_atom(a("go")); });
    send(main, tuple(a("child"), child));
    (void)co_await receive_atom(a("check"));
    std::vector<term> links;
    for (pid l : self_info().links) {  // Process.info(self(), :links)
      links.emplace_back(l);
    }
    send(main, tuple(a("parent_alive"), tuple(a("links"), term::list(std::move(links)))));
    (void)co_await receive_atom(a("stop"));
  });

  const atom child_tag = a("child");
  pid child =
      co_await receive(on<term>([child_tag](const term& m) { return m.is_tagged(child_tag, 2); },
                                [](term m) { return m[1].as_pid(); }));
  t.name(parent, "parent");
  t.name(child, "child");
  t.name(monitor(child), "mon_child");
  send(child, term(a("go")));
  t.log("child DOWN", co_await testing::recv());
  send(parent, term(a("check")));
  t.log("parent still alive, links now", co_await testing::recv());
  send(parent, term(a("stop")));

  // trapping partner
  trap_exit(true);
  pid c2 = spawn_link([]() -> co<void> { co_return; });
  t.name(c2, "child2");
  t.log("trapping main receives", co_await testing::recv());
  pid c3 = spawn_link([]() -> co<void> {
    otter::exit(atoms::normal);
    co_return;
  });
  t.name(c3, "child3");
  t.log("trapping main receives (explicit exit :normal)", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, LinkNormalExitNoPropagation08) {
  expect_trace(expected, scenario_08);
}

}  // namespace
}  // namespace otter::conformance
