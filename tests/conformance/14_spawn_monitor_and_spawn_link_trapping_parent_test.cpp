// Scenario 14_spawn_monitor_and_spawn_link_trapping_parent: a trapping parent gets {:EXIT} for
// each linked child in death order; with both a link and a monitor the :EXIT comes before the
// :DOWN; spawn_monitor does not link.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(mailbox: [{:EXIT, #PID<c2>, :second}, {:DOWN, #Ref<mon_c2>, :process, #PID<c2>, :second}, {:EXIT, #PID<c1>, :first}, {:DOWN, #Ref<mon_c1>, :process, #PID<c1>, :first}]
spawn_monitor DOWN: {:DOWN, #Ref<mon_sm>, :process, #PID<sm>, :from_spawn_monitor}
no EXIT message: :no_message
end
)";

/// A process that waits for :go, then exits with `reason`.
co<void> exit_on_go(atom reason) {
  const atom go = a("go");
  co_await receive(on<term>([go](const term& m) { return m.is(go); }, [](term m) { return m; }));
  otter::exit(reason);
}

/// Waits until `n` messages are queued in the caller's mailbox.
co<void> wait_queued(std::size_t n) {
  while (self_info().message_queue_len != n) {
    co_await sleep(1);
  }
}

co<void> scenario_14(testing::trace& t) {
  trap_exit(true);

  pid c1 = spawn_link(exit_on_go, a("first"));
  pid c2 = spawn_link(exit_on_go, a("second"));
  t.name(c1, "c1");
  t.name(c2, "c2");
  t.name(monitor(c1), "mon_c1");
  t.name(monitor(c2), "mon_c2");

  send(c2, term(a("go")));
  co_await wait_queued(2);
  send(c1, term(a("go")));
  co_await wait_queued(4);
  // For one dead process the :EXIT (link) is delivered before the :DOWN (monitor).
  t.log("mailbox", co_await testing::flush());

  auto [sm, ref_sm] = spawn_monitor([]() -> co<void> {
    otter::exit(a("from_spawn_monitor"));
    co_return;
  });
  t.name(sm, "sm");
  t.name(ref_sm, "mon_sm");
  t.log("spawn_monitor DOWN", co_await testing::recv());
  // spawn_monitor does not link
  t.log("no EXIT message", co_await testing::recv(100));
  t.log("end");
}

TEST(ConformanceTest, SpawnMonitorAndSpawnLinkTrappingParent14) {
  expect_trace(expected, scenario_14);
}

}  // namespace
}  // namespace otter::conformance
