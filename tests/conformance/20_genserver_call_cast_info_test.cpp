// Scenario 20_genserver_call_cast_info: init runs inside start_link; call is synchronous and
// handle_call sees the caller; cast is asynchronous and returns :ok; plain messages go to
// handle_info; requests are handled one at a time in mailbox order; a cast to an unknown name
// still returns :ok; start does not link, start_link does.

#include "otter/otp/gen_server.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(init: 10
start_link returned: {:ok, #PID<counter>}
handle_call :get from: #PID<main>
call :get: 10
cast returns: :ok
handle_cast add: 5
handle_info: :plain_message
call {:add, 100}: {:old, 15}
handle_call :get from: #PID<main>
call :get: 115
cast to unknown name: :ok
init: 0
links of main include counter: true
links of main include unlinked: false
stop unlinked: :ok
end
)";

struct counter {
  struct state {
    testing::trace* t;
    std::int64_t n;
  };
  state init(testing::trace* t, std::int64_t n) {
    t->log("init", n);
    return {t, n};
  }
  term handle_call(const term& req, const gen_server::from& from, state& s) {
    if (req.is(a("get"))) {
      s.t->log("handle_call :get from", from.caller);
      return s.n;
    }
    term old = tuple(a("old"), s.n);  // {:add, k}
    s.n += req[1].as_int();
    return old;
  }
  void handle_cast(const term& req, state& s) {
    s.t->log("handle_cast add", req[1]);
    s.n += req[1].as_int();
  }
  void handle_info(const term& msg, state& s) { s.t->log("handle_info", msg); }
};

bool contains(const term& list, pid p) {
  for (const term& x : list.elements()) {
    if (x == term(p)) {
      return true;
    }
  }
  return false;
}

co<void> scenario_20(testing::trace& t) {
  start_result started = co_await gen_server::start_link<counter>(&t, std::int64_t{10});
  pid c = t.name(*started, "counter");
  t.log("start_link returned", to_term(started));
  t.log("call :get", co_await gen_server::call(c, a("get")));
  t.log("cast returns", gen_server::cast(c, tuple(a("add"), 5)));
  send(c, term(a("plain_message")));
  t.log("call {:add, 100}", co_await gen_server::call(c, tuple(a("add"), 100)));
  t.log("call :get", co_await gen_server::call(c, a("get")));

  t.log("cast to unknown name", gen_server::cast(a("nobody_here"), a("x")));

  start_result unlinked = co_await gen_server::start<counter>(&t, std::int64_t{0});
  pid p2 = t.name(*unlinked, "unlinked");
  term links = co_await testing::links(t, self());
  t.log("links of main include counter", contains(links, c));
  t.log("links of main include unlinked", contains(links, p2));
  t.log("stop unlinked", co_await gen_server::stop(p2));
  t.log("end");
}

TEST(ConformanceTest, GenServerCallCastInfo20) {
  expect_trace(expected, scenario_20);
}

}  // namespace
}  // namespace otter::conformance
