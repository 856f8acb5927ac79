// Scenario 34_proc_lib_start_link_init_ack: proc_lib::start_link spawns and links, and blocks
// until the child calls init_ack(value), returning that value. A child that exits before its
// ack gives {:error, reason} (the {:EXIT} is consumed); one that returns without an ack gives
// {:error, :normal}; no ack in time gives {:error, :timeout} (the child is killed, nothing is
// left in the mailbox). The child has $ancestors = [starter] and its $initial_call. Without
// trap_exit, a crash before the ack kills the caller inside start_link.

#include "otter/otp/proc_lib.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(child running init: :ack
child $ancestors: [#PID<main>]
child $initial_call: {Starter, :init, 2}
child after init_ack: :continuing
start_link(:ack) returned: {:ok, #PID<child_ack>}
  mailbox: []
child running init: :ack_custom
start_link(:ack_custom) returned: {:anything, :goes}
  mailbox: []
child running init: :crash
start_link(:crash) returned: {:error, :crash_before_ack}
  mailbox: []
child running init: :return
start_link(:return) returned: {:error, :normal}
  mailbox: []
child running init: :slow
start_link(:slow) returned: {:error, :timeout}
  mailbox: []
child running init: :crash
non-trapping caller: {:DOWN, #Ref<mon_caller>, :process, #PID<caller>, :crash_before_ack}
end
)";

co<void> starter_init(testing::trace* t, atom mode) {
  t->log("child running init", mode);
  auto wait_stop = [] {
    return receive(on<term>([](const term& m) { return m.is(a("stop")); }, [](term) {}));
  };
  if (mode == a("ack")) {
    t->log("child $ancestors", get(term(atoms::ancestors)));
    t->log("child $initial_call", get(term(atoms::initial_call)));
    proc_lib::init_ack(tuple(atoms::ok, self()));
    t->log("child after init_ack", a("continuing"));
    co_await wait_stop();
  } else if (mode == a("ack_custom")) {
    proc_lib::init_ack(tuple(a("anything"), a("goes")));
    co_await wait_stop();
  } else if (mode == a("crash")) {
    otter::exit(a("crash_before_ack"));
  } else if (mode == a("slow")) {
    co_await sleep(2000);
  }
}

/// proc_lib::start_link of starter_init(mode), as `Starter.init/2`, with a 300 ms timeout.
co<term> start_starter(testing::trace& t, atom mode) {
  proc_lib::options opts;
  opts.initial_call = tuple(a("Elixir.Starter"), a("init"), 2);
  testing::trace* tp = &t;
  auto body = [tp, mode]() {
    return starter_init(tp, mode);
  };
  co_return co_await proc_lib::start_link(body, 300, opts);
}

co<void> scenario_34(testing::trace& t) {
  trap_exit(true);
  for (const char* mode : {"ack", "ack_custom", "crash", "return", "slow"}) {
    term res = co_await start_starter(t, a(mode));
    if (res.is_tagged(atoms::ok, 2)) {
      t.name(res[1].as_pid(), std::string("child_") + mode);
    }
    co_await sleep(100);
    t.log(std::string("start_link(:") + mode + ") returned", res);
    t.log("  mailbox", co_await testing::flush());
  }
  testing::trace* tp = &t;
  auto [caller, mon] = spawn_monitor([tp]() -> co<void> {
    term res = co_await start_starter(*tp, a("crash"));
    tp->log("non-trapping caller got", res);
    co_await sleep(200);
    otter::exit(a("survived"));
  });
  t.name(caller, "caller");
  t.name(mon, "mon_caller");
  t.log("non-trapping caller", co_await testing::recv());
  t.log("end");
}

TEST(ConformanceTest, ProcLibStartLinkInitAck34) {
  expect_trace(expected, scenario_34);
}

}  // namespace
}  // namespace otter::conformance
