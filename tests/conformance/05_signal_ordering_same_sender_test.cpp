// Scenario 05_signal_ordering_same_sender: messages a process sends before it exits are
// received before the {:EXIT, ...} (link) and {:DOWN, ...} (monitor) caused by its exit.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(mailbox in arrival order: [:msg1, :msg2, {:EXIT, #PID<sender>, :done}, {:DOWN, #Ref<mon_sender>, :process, #PID<sender>, :done}]
end
)";

co<void> scenario_05(testing::trace& t) {
  trap_exit(true);
  const pid main = self();

  pid p = spawn_link([main]() -> co<void> {
    const atom go = a("go");
    co_await receive(on<term>([go](const term& m) { return m.is(go); }, [](term m) { return m; }));
    send(main, term(a("msg1")));
    send(main, term(a("msg2")));
    otter::exit(a("done"));
  });

  t.name(p, "sender");
  t.name(monitor(p), "mon_sender");
  send(p, term(a("go")));
  (void)co_await testing::eventually(
      []() -> co<term> { co_return term(self_info().message_queue_len == 4); });
  t.log("mailbox in arrival order", co_await testing::flush());
  t.log("end");
}

TEST(ConformanceTest, SignalOrderingSameSender05) {
  expect_trace(expected, scenario_05);
}

}  // namespace
}  // namespace otter::conformance
