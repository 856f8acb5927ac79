// Scenario 10_exit_signal_normal: exit(pid, :normal) is ignored by a non-trapping target,
// delivered as {:EXIT, sender, :normal} to a trapping one, but exit(self(), :normal) DOES
// terminate the caller.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(Process.exit(target, :normal) returns: true
target alive: true
target answers: :pong
trapping target: {:trapper_got, {:EXIT, #PID<main>, :normal}}
Process.exit(self(), :normal): {:DOWN, #Ref<mon_selfexit>, :process, #PID<selfexit>, :normal}
trapping Process.exit(self(), :normal): {:self_trapper_got, {:EXIT, #PID<selfexit_trapping>, :normal}}
then: {:DOWN, #Ref<mon_selfexit_trapping>, :process, #PID<selfexit_trapping>, :normal}
end
)";

/// receive do ^x -> x end
co<term> receive_atom(atom x) {
  co_return co_await receive(
      on<term>([x](const term& m) { return m.is(x); }, [](term m) { return m; }));
}

/// receive do m -> m end (any message, as a term)
co<term> receive_anything() {
  co_return co_await receive(on<message>([](message& m) { return m.to_term(); }));
}

/// `expected = T.recv()`: a mismatch crashes the caller with {:badmatch, value}.
co<void> recv_match(term expected_msg) {
  term m = co_await testing::recv();
  if (m != expected_msg) {
    otter::exit(tuple(a("badmatch"), m));
  }
}

co<void> scenario_10(testing::trace& t) {
  const pid main = self();

  pid target = spawn([main]() -> co<void> {
    (void)co_await receive_atom(a("ping"));
    send(main, term(a("pong")));
  });
  t.name(target, "target");
  t.log("Process.exit(target, :normal) returns", otter::exit(target, atoms::normal));
  co_await sleep(50);
  t.log("target alive", alive(target));
  send(target, term(a("ping")));
  t.log("target answers", co_await testing::recv());

  pid trapper = spawn([main]() -> co<void> {
    trap_exit(true);
    send(main, term(a("ready")));
    term m = co_await receive_anything();
    send(main, tuple(a("trapper_got"), m));
  });
  t.name(trapper, "trapper");
  co_await recv_match(a("ready"));
  otter::exit(trapper, atoms::normal);
  t.log("trapping target", co_await testing::recv());

  auto [selfexit, ref1] = spawn_monitor([main]() -> co<void> {
    otter::exit(self(), atoms::normal);
    co_await sleep(500);
    send(main, term(a("survived")));
  });
  t.name(selfexit, "selfexit");
  t.name(ref1, "mon_selfexit");
  t.log("Process.exit(self(), :normal)", co_await testing::recv());

  auto [selfexit2, ref2] = spawn_monitor([main]() -> co<void> {
    trap_exit(true);
    otter::exit(self(), atoms::normal);
    term m = co_await receive_anything();
    send(main, tuple(a("self_trapper_got"), m));
  });
  t.name(selfexit2, "selfexit_trapping");
  t.name(ref2, "mon_selfexit_trapping");
  t.log("trapping Process.exit(self(), :normal)", co_await testing::recv());
  t.log("then", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, ExitSignalNormal10) {
  expect_trace(expected, scenario_10);
}

}  // namespace
}  // namespace otter::conformance
