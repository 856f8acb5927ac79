// Scenario 31_sys_get_replace_state: get_state returns the callback state (GenServer and
// Agent); replace_state applies a function and returns the new state; a raising function leaves
// the state unchanged and raises {:callback_failed, {:gen_server, :system_replace_state},
// {:error, exception}} in the caller; get_state of a dead pid or an unknown name exits
// {:noproc, {:sys, :get_state, [dest]}}.

#include "otter/otp/agent.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

#include <stdexcept>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(get_state: %{:count => 1}
replace_state returns: %{:count => 42}
server sees new state: %{:count => 42}
replace_state raising: {:error, {:callback_failed, {:gen_server, :system_replace_state}, {:error, %RuntimeError{message: "nope"}}}}
state unchanged: %{:count => 42}
server alive: true
agent get_state: [1, 2]
Agent.get after replace: [0, 1, 2]
get_state of dead pid: {:exit, {:noproc, {:sys, :get_state, [#PID<dead>]}}}
get_state of unknown name: {:exit, {:noproc, {:sys, :get_state, [:nobody]}}}
end
)";

struct box {
  using state = term;
  state init(term s) { return s; }
  term handle_call(const term&, const gen_server::from&, state& s) { return s; }
};

term with_count(std::int64_t n) {
  return term::map({{a("count"), n}});
}

co<void> scenario_31(testing::trace& t) {
  start_result started = co_await gen_server::start_link<box>(with_count(1));
  pid server = t.name(*started, "box");
  t.log("get_state", co_await sys::get_state(server));
  auto add_41 = [](term s) {
    return with_count(s.find(a("count"))->as_int() + 41);
  };
  t.log("replace_state returns", co_await sys::replace_state(server, add_41));
  t.log("server sees new state", co_await gen_server::call(server, a("get")));
  auto raising = [server]() -> co<term> {
    auto nope = [](term) -> term {
      throw std::runtime_error("nope");
    };
    co_return co_await sys::replace_state(server, nope);
  };
  t.log("replace_state raising", co_await testing::catching(raising));
  t.log("state unchanged", co_await sys::get_state(server));
  t.log("server alive", alive(server));

  auto initial = []() {
    return list(1, 2);
  };
  start_result agent_started = co_await agent::start_link(initial);
  pid ag = t.name(*agent_started, "agent");
  t.log("agent get_state", co_await sys::get_state(ag));
  auto prepend = [](term l) {
    std::vector<term> items{term(0)};
    items.insert(items.end(), l.elements().begin(), l.elements().end());
    return term::list(std::move(items));
  };
  (void)co_await sys::replace_state(ag, prepend);
  auto identity = [](const term& s) {
    return s;
  };
  t.log("Agent.get after replace", co_await agent::get(ag, identity));

  pid dead = t.name(spawn([]() -> co<void> { co_return; }), "dead");
  (void)co_await testing::wait_down(dead);
  auto of_dead = [dead]() -> co<term> {
    co_return co_await sys::get_state(dead);
  };
  t.log("get_state of dead pid", co_await testing::catching(of_dead));
  auto of_unknown = []() -> co<term> {
    co_return co_await sys::get_state(a("nobody"));
  };
  t.log("get_state of unknown name", co_await testing::catching(of_unknown));
  t.log("end");
}

TEST(ConformanceTest, SysGetReplaceState31) {
  expect_trace(expected, scenario_31);
}

}  // namespace
}  // namespace otter::conformance
