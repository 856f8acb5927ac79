// Scenario 23_genserver_crash_during_call: the caller exits with {server_reason, {GenServer,
// :call, [pid, req, 5000]}} when the server raises, exits or stops without replying; with
// {:stop, reason, reply, state} the caller gets the reply, and terminate runs BEFORE it is sent.

#include "otter/otp/gen_server.hpp"

#include "conformance/scenario.hpp"

#include <stdexcept>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(terminate: {%RuntimeError{message: "kaboom"}, #Stacktrace}
call :raise: {:exit, {{%RuntimeError{message: "kaboom"}, #Stacktrace}, {GenServer, :call, [#PID<fragile_raise>, :raise, 5000]}}}
server DOWN reason: {%RuntimeError{message: "kaboom"}, #Stacktrace}
terminate: :exited_in_call
call :exit: {:exit, {:exited_in_call, {GenServer, :call, [#PID<fragile_exit>, :exit, 5000]}}}
server DOWN reason: :exited_in_call
terminate: :stopping
call :stop_noreply: {:exit, {:stopping, {GenServer, :call, [#PID<fragile_stop_noreply>, :stop_noreply, 5000]}}}
server DOWN reason: :stopping
terminate: :normal
call :stop_reply: {:ok, :bye}
server DOWN reason: :normal
terminate: :abnormal_stop
call :stop_reply_abnormal: {:ok, :last_words}
server DOWN reason: :abnormal_stop
end
)";

struct fragile {
  using state = testing::trace*;
  using result = gen_server::call_result<term>;
  state init(testing::trace* t) { return t; }
  result handle_call(const term& req, const gen_server::from&, state&) {
    if (req.is(a("raise"))) {
      throw std::runtime_error("kaboom");
    }
    if (req.is(a("exit"))) {
      otter::exit(a("exited_in_call"));
    }
    if (req.is(a("stop_noreply"))) {
      return result::stop(a("stopping"));
    }
    if (req.is(a("stop_reply"))) {
      return result::stop(atoms::normal, a("bye"));
    }
    return result::stop(a("abnormal_stop"), a("last_words"));
  }
  void terminate(const term& reason, state& t) { t->log("terminate", reason); }
};

co<void> scenario_23(testing::trace& t) {
  for (const char* req : {"raise", "exit", "stop_noreply", "stop_reply", "stop_reply_abnormal"}) {
    start_result started = co_await gen_server::start<fragile>(&t);
    pid server = t.name(*started, std::string("fragile_") + req);
    ref mon = t.name(monitor(server), std::string("mon_") + req);
    atom request = a(req);
    auto call = [server, request]() -> co<term> {
      co_return co_await gen_server::call(server, request);
    };
    t.log(std::string("call :") + req, co_await testing::catching(call));
    t.log("server DOWN reason", co_await down_reason(mon));
  }
  t.log("end");
}

TEST(ConformanceTest, GenServerCrashDuringCall23) {
  expect_trace(expected, scenario_23);
}

}  // namespace
}  // namespace otter::conformance
