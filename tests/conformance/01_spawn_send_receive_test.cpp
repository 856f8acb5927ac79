// Scenario 01_spawn_send_receive: spawn, request/reply, normal exit, sends to dead pids.

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(spawn returned: #PID<echo>
alive after spawn: true
reply 1: {:pong, 2}
send returns: {:ping, #PID<main>, 10}
reply 2: {:pong, 12}
DOWN of echo: {:DOWN, #Ref<mon_echo>, :process, #PID<echo>, :normal}
alive after return: false
send to dead pid returns: :hello
self message: :to_myself
mailbox empty: []
end
)";

co<void> scenario_01(testing::trace& t) {
  pid main = self();
  auto is_ping = [](const term& m) {
    return m.is_tagged(a("ping"), 3);
  };
  pid echo = spawn([is_ping]() -> co<void> {
    term m = co_await receive(on<term>(is_ping, [](term x) { return x; }));
    send(m[1].as_pid(), tuple(a("pong"), m[2].as_int() + 1));
    term m2 = co_await receive(on<term>(is_ping, [](term x) { return x; }));
    send(m2[1].as_pid(), tuple(a("pong"), m2[2].as_int() + 2));
  });
  t.name(echo, "echo");
  t.name(monitor(echo), "mon_echo");
  t.log("spawn returned", echo);
  t.log("alive after spawn", alive(echo));

  send(echo, tuple(a("ping"), main, 1));
  t.log("reply 1", co_await testing::recv());

  term msg = tuple(a("ping"), main, 10);
  send(echo, msg);
  t.log("send returns", msg);  // Erlang's send returns the message
  t.log("reply 2", co_await testing::recv());

  t.log("DOWN of echo", co_await testing::recv());
  t.log("alive after return", alive(echo));

  term hello = a("hello");
  send(echo, hello);  // silently dropped
  t.log("send to dead pid returns", hello);

  send(main, term(a("to_myself")));
  t.log("self message", co_await testing::recv(0));
  t.log("mailbox empty", testing::mailbox());
  t.log("end");
}

TEST(ConformanceTest, SpawnSendReceive01) {
  expect_trace(expected, scenario_01);
}

}  // namespace
}  // namespace otter::conformance
