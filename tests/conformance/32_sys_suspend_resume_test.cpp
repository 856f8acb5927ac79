// Scenario 32_sys_suspend_resume: a suspended process handles only system messages: calls time
// out, casts and other messages queue up; get_state and get_status still answer (status
// :suspended); after resume the queued messages, including the timed-out call's request, are
// handled in arrival order; the late reply of the timed-out call never reaches the caller.

#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(suspend: :ok
call while suspended (timeout 100): {:exit, {:timeout, {GenServer, :call, [#PID<log>, :x, 100]}}}
get_state while suspended: []
get_status sys state while suspended: :suspended
message queue length while suspended: {:message_queue_len, 4}
resume: :ok
handled after resume, in order: [{:cast, :c1}, {:info, :i1}, {:call, :x}, {:cast, :c2}]
get_status sys state after resume: :running
caller mailbox: []
end
)";

/// Records every request, newest first (the state is the Elixir list).
struct recorder {
  using state = term;
  state init() { return term::list({}); }
  static term push(const term& entry, const term& s) {
    std::vector<term> items{entry};
    items.insert(items.end(), s.elements().begin(), s.elements().end());
    return term::list(std::move(items));
  }
  term handle_call(const term& msg, const gen_server::from&, state& s) {
    if (msg.is(a("get"))) {
      std::vector<term> in_order(s.elements().rbegin(), s.elements().rend());
      return term::list(std::move(in_order));
    }
    s = push(tuple(a("call"), msg), s);
    return atoms::ok;
  }
  void handle_cast(const term& msg, state& s) { s = push(tuple(a("cast"), msg), s); }
  void handle_info(const term& msg, state& s) { s = push(tuple(a("info"), msg), s); }
};

/// The sys state (:running or :suspended) out of get_status's
/// {:status, pid, module, [pdict, sys_state | _]}.
term sys_state_of(const term& status) {
  return status[3][1];
}

co<void> scenario_32(testing::trace& t) {
  start_result started = co_await gen_server::start_link<recorder>();
  pid server = t.name(*started, "log");
  t.log("suspend", co_await sys::suspend(server));
  gen_server::cast(server, a("c1"));
  send(server, term(a("i1")));
  auto call = [server]() -> co<term> {
    co_return co_await gen_server::call(server, a("x"), 100);
  };
  t.log("call while suspended (timeout 100)", co_await testing::catching(call));
  gen_server::cast(server, a("c2"));
  t.log("get_state while suspended", co_await sys::get_state(server));
  t.log("get_status sys state while suspended", sys_state_of(co_await sys::get_status(server)));
  auto info = co_await process_info(server);
  t.log("message queue length while suspended",
        tuple(a("message_queue_len"), static_cast<std::int64_t>(info->message_queue_len)));
  t.log("resume", co_await sys::resume(server));
  t.log("handled after resume, in order", co_await gen_server::call(server, a("get")));
  t.log("get_status sys state after resume", sys_state_of(co_await sys::get_status(server)));
  t.log("caller mailbox", testing::mailbox());
  t.log("end");
}

TEST(ConformanceTest, SysSuspendResume32) {
  expect_trace(expected, scenario_32);
}

}  // namespace
}  // namespace otter::conformance
