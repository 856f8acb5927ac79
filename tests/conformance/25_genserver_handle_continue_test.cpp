// Scenario 25_genserver_handle_continue: {:ok, s, {:continue, x}} from init runs
// handle_continue before any message, even one queued during init; a continue can chain
// another; {:reply, r, s, {:continue, x}} replies first and runs the continue before the next
// message.

#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(init: :returning_continue
handle_continue: :first
handle_continue: :second
handle_info: :early_info
handle_cast: :cast_1
handle_call: {:work, 1}
handle_continue: {:after_call, 1}
handle_cast: :cast_2
handle_call: {:work, 2}
handle_continue: {:after_call, 2}
main: call results: [{:done, 1}, {:done, 2}]
end
)";

struct cont {
  using state = testing::trace*;
  gen_server::init_result<state> init(testing::trace* t) {
    send(self(), term(a("early_info")));
    t->log("init", a("returning_continue"));
    return gen_server::init_result<state>::ok(t).then(a("first"));
  }
  gen_server::cast_result handle_continue(const term& what, state& t) {
    t->log("handle_continue", what);
    if (what.is(a("first"))) {
      return gen_server::cast_result::noreply().then(a("second"));
    }
    return {};
  }
  gen_server::call_result<term> handle_call(const term& req, const gen_server::from&, state& t) {
    t->log("handle_call", req);
    term n = req[1];  // {:work, n}
    return gen_server::call_result<term>::reply(tuple(a("done"), n))
        .then(tuple(a("after_call"), n));
  }
  void handle_cast(const term& msg, state& t) { t->log("handle_cast", msg); }
  void handle_info(const term& msg, state& t) { t->log("handle_info", msg); }
};

co<void> scenario_25(testing::trace& t) {
  start_result started = co_await gen_server::start_link<cont>(&t);
  pid server = t.name(*started, "cont");
  gen_server::cast(server, a("cast_1"));
  term r1 = co_await gen_server::call(server, tuple(a("work"), 1));
  gen_server::cast(server, a("cast_2"));
  term r2 = co_await gen_server::call(server, tuple(a("work"), 2));
  (void)co_await sys::get_state<cont::state>(server);  // sync: the last continue has run
  t.log("main: call results", list(r1, r2));
  t.log("end");
}

TEST(ConformanceTest, GenServerHandleContinue25) {
  expect_trace(expected, scenario_25);
}

}  // namespace
}  // namespace otter::conformance
