// Scenario 26_genserver_timeout_return: a timeout in a callback result makes
// handle_info(:timeout) run when no message arrives within it; any message cancels it; a
// timeout of 0 fires only when the mailbox is empty.

#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(init: "returns timeout 100"
handle_info: :timeout
main: "init timeout observed"
handle_call arm: 400
handle_call: :plain
main: timeout after message that cancelled it: :no_message
handle_cast arm: 100
handle_info: :timeout
main: :timeout_happened
handle_cast arm: 0
handle_info: :queued_before_timeout
main: :no_message
end
)";

struct idle {
  struct state {
    testing::trace* t;
    pid main;
  };
  gen_server::init_result<state> init(testing::trace* t, pid main) {
    t->log("init", "returns timeout 100");
    return gen_server::init_result<state>::ok({t, main}).timeout(100);
  }
  void handle_info(const term& msg, state& s) {
    s.t->log("handle_info", msg);
    if (msg.is(atoms::timeout)) {
      send(s.main, term(a("timeout_happened")));
    }
  }
  gen_server::call_result<term> handle_call(const term& req, const gen_server::from&, state& s) {
    if (req.is_tagged(a("arm"), 2)) {
      s.t->log("handle_call arm", req[1]);
      return gen_server::call_result<term>::reply(a("armed")).timeout(req[1].as_int());
    }
    s.t->log("handle_call", req);
    return term(atoms::ok);
  }
  gen_server::cast_result handle_cast(const term& req, state& s) {
    s.t->log("handle_cast arm", req[1]);
    return gen_server::cast_result::noreply().timeout(req[1].as_int());
  }
};

co<void> scenario_26(testing::trace& t) {
  start_result started = co_await gen_server::start_link<idle>(&t, self());
  pid server = t.name(*started, "idle");
  EXPECT_EQ(co_await testing::recv(2000), term(a("timeout_happened")));
  t.log("main", "init timeout observed");
  EXPECT_EQ(co_await gen_server::call(server, tuple(a("arm"), 400)), term(a("armed")));
  co_await sleep(50);
  EXPECT_EQ(co_await gen_server::call(server, a("plain")), term(atoms::ok));
  t.log("main: timeout after message that cancelled it", co_await testing::recv(600));
  gen_server::cast(server, tuple(a("arm"), 100));
  t.log("main", co_await testing::recv(2000));
  (void)co_await sys::suspend(server);
  gen_server::cast(server, tuple(a("arm"), 0));
  send(server, term(a("queued_before_timeout")));
  (void)co_await sys::resume(server);
  t.log("main", co_await testing::recv(300));
  (void)co_await sys::get_state<idle::state>(server);
  t.log("end");
}

TEST(ConformanceTest, GenServerTimeoutReturn26) {
  expect_trace(expected, scenario_26);
}

}  // namespace
}  // namespace otter::conformance
