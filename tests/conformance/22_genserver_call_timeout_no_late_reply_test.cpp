// Scenario 22_genserver_call_timeout_no_late_reply: a call that gets no reply in time exits the
// caller with {:timeout, {GenServer, :call, [pid, req, ms]}}; when the caller catches the exit,
// the server's late reply never reaches its mailbox (the reply alias is gone); the server keeps
// running and did handle the request.

#include "otter/otp/gen_server.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(call with timeout 50, server takes 300: {:exit, {:timeout, {GenServer, :call, [#PID<slow>, {:sleep, 300}, 50]}}}
server finished sleeping: 300
mailbox after server replied late: []
server still alive: true
server handled the request: 1
server finished sleeping: 10
call that fits in the timeout: {:slept, 10}
uncaught timeout: {:DOWN, #Ref<mon_caller>, :process, #PID<caller>, {:timeout, {GenServer, :call, [#PID<slow>, {:sleep, 500}, 20]}}}
server finished sleeping: 500
server count: 3
end
)";

struct slow {
  struct state {
    testing::trace* t;
    std::int64_t handled;
  };
  state init(testing::trace* t) { return {t, 0}; }
  co<term> handle_call(const term& req, const gen_server::from&, state& s) {
    if (req.is(a("count"))) {
      co_return s.handled;
    }
    std::int64_t ms = req[1].as_int();  // {:sleep, ms}
    co_await sleep(ms);
    s.t->log("server finished sleeping", ms);
    ++s.handled;
    co_return tuple(a("slept"), ms);
  }
};

co<void> scenario_22(testing::trace& t) {
  start_result started = co_await gen_server::start_link<slow>(&t);
  pid server = t.name(*started, "slow");
  auto timed_out = [server]() -> co<term> {
    co_return co_await gen_server::call(server, tuple(a("sleep"), 300), 50);
  };
  t.log("call with timeout 50, server takes 300", co_await testing::catching(timed_out));
  co_await sleep(500);
  t.log("mailbox after server replied late", testing::mailbox());
  t.log("server still alive", alive(server));
  t.log("server handled the request", co_await gen_server::call(server, a("count")));
  t.log("call that fits in the timeout",
        co_await gen_server::call(server, tuple(a("sleep"), 10), 1000));

  auto [caller, mon] = spawn_monitor([server]() -> co<void> {
    (void)co_await gen_server::call(server, tuple(a("sleep"), 500), 20);
  });
  t.name(caller, "caller");
  t.name(mon, "mon_caller");
  t.log("uncaught timeout", co_await testing::recv());
  co_await sleep(700);
  t.log("server count", co_await gen_server::call(server, a("count")));
  t.log("end");
}

TEST(ConformanceTest, GenServerCallTimeoutNoLateReply22) {
  expect_trace(expected, scenario_22);
}

}  // namespace
}  // namespace otter::conformance
