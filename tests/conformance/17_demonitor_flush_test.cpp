// Scenario 17_demonitor_flush: demonitor stops future :DOWNs but leaves an already delivered
// one in the mailbox unless :flush is given; :info tells whether the monitor was still active.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(demonitor while alive: true
mailbox after p1 died: []
demonitor after death (no flush): true
mailbox still has DOWN: [{:DOWN, #Ref<mon_p2>, :process, #PID<p2>, :y}]
demonitor [:flush]: true
mailbox after flush: []
demonitor [:info] active monitor: true
demonitor [:info] again: false
demonitor [:flush, :info] after DOWN delivered: false
mailbox: []
end
)";

/// Exits with `reason` at once.
co<void> exit_with(atom reason) {
  otter::exit(reason);
  co_return;
}

/// T.eventually(fn -> T.mailbox() != [] end)
co<void> wait_mailbox_not_empty() {
  (void)co_await testing::eventually(
      []() -> co<term> { co_return term(self_info().message_queue_len != 0); });
}

co<void> scenario_17(testing::trace& t) {
  pid p1 = spawn([]() -> co<void> {
    const atom go = a("go");
    co_await receive(on<term>([go](const term& m) { return m.is(go); }, [](term m) { return m; }));
    otter::exit(a("x"));
  });
  t.name(p1, "p1");
  ref r1 = t.name(monitor(p1), "mon_p1");
  t.log("demonitor while alive", demonitor(r1));
  send(p1, term(a("go")));
  (void)co_await testing::wait_down(p1);
  t.log("mailbox after p1 died", testing::mailbox());

  // As the script: spawn, then monitor in the next statement. A lone just-spawned process is not
  // stolen by another scheduler (run_queue::steal_into), so, as on the BEAM, the child runs
  // after its parent's next suspension and the monitor sees it alive.
  pid p2 = spawn(exit_with, a("y"));
  t.name(p2, "p2");
  ref r2 = t.name(monitor(p2), "mon_p2");
  co_await wait_mailbox_not_empty();  // the :DOWN is queued (not consumed)
  t.log("demonitor after death (no flush)", demonitor(r2));
  t.log("mailbox still has DOWN", co_await testing::flush());

  pid p3 = spawn(exit_with, a("z"));
  t.name(p3, "p3");
  ref r3 = t.name(monitor(p3), "mon_p3");
  co_await wait_mailbox_not_empty();
  t.log("demonitor [:flush]", demonitor(r3, {.flush = true}));
  t.log("mailbox after flush", testing::mailbox());

  pid p4 = spawn([]() -> co<void> { co_await sleep(infinity); });
  t.name(p4, "p4");
  ref r4 = t.name(monitor(p4), "mon_p4");
  t.log("demonitor [:info] active monitor", demonitor(r4, {.info = true}));
  t.log("demonitor [:info] again", demonitor(r4, {.info = true}));

  pid p5 = spawn(exit_with, a("w"));
  t.name(p5, "p5");
  ref r5 = t.name(monitor(p5), "mon_p5");
  co_await wait_mailbox_not_empty();
  t.log("demonitor [:flush, :info] after DOWN delivered",
        demonitor(r5, {.flush = true, .info = true}));
  t.log("mailbox", testing::mailbox());
  otter::exit(p4, atoms::kill);
  t.log("end");
}

TEST(ConformanceTest, DemonitorFlush17) {
  expect_trace(expected, scenario_17);
}

}  // namespace
}  // namespace otter::conformance
