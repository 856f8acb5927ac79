// Scenario 79_statem_timeouts: the event timeout is cancelled by any event; the state timeout
// survives other events and is cancelled by a state change; a generic (named) timeout
// survives events and state changes, setting it again restarts it and {name, :cancel}
// cancels it. Each arrives as an event of type :timeout, :state_timeout or {:timeout, name}.
// The actions travel as OTP action terms inside the calls, as in the Elixir script.

#include "otter/otp/gen_statem.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(TIMEOUT :timeout in state :idle: :ev1
main: {:fired, :timeout, :ev1}
poke in :idle: :ok
main (event timeout cancelled by poke): :no_message
poke in :idle: :ok
TIMEOUT :state_timeout in state :idle: :st1
main (state timeout after poke): {:fired, :state_timeout, :st1}
main (state timeout after state change): :no_message
poke in :idle: :ok
TIMEOUT {:timeout, :gen} in state :idle: :g1
main (generic timeout after state change + poke): {:fired, {:timeout, :gen}, :g1}
main (cancelled generic timeout): :no_message
TIMEOUT {:timeout, :gen} in state :idle: :new
main (re-armed generic timeout): {:fired, {:timeout, :gen}, :new}
main (nothing else): :no_message
end
)";

struct timers {
  using state = atom;
  using data = term;
  using result = gen_statem::result<atom, term>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;

  testing::trace* t = nullptr;

  gen_statem::init_result<atom, term> init(testing::trace* tr, pid main) {
    t = tr;
    return {a("idle"), term(main)};
  }

  result handle_event(gen_statem::event& e, const atom& s, term&) {
    const term c = e.content();
    if (e.is_call() && c.is_tagged(a("arm"), 2)) {
      return result::keep_state_and_data().reply(e.caller(), a("armed")).actions(c[1]);
    }
    if (e.is_call() && c.is_tagged(a("goto"), 2)) {
      return result::next_state(c[1].as_atom(), a("data_unused")).reply(e.caller(), a("moved"));
    }
    if (e.is_cast() && c == term(a("poke"))) {
      t->log("poke in " + t->print(s), a("ok"));
      return result::keep_state_and_data();
    }
    if (e.is_timeout()) {
      term type = e.type().to_term();
      t->log("TIMEOUT " + t->print(type) + " in state " + t->print(s), c);
      send(a("main_proc"), tuple(a("fired"), type, c));
    }
    return result::keep_state_and_data();
  }
};

co<term> arm(pid p, term actions) {
  co_return co_await gen_statem::call(p, tuple(a("arm"), std::move(actions)));
}

co<void> scenario_79(testing::trace& t) {
  register_name(a("main_proc"), self());
  start_result started = co_await gen_statem::start_link<timers>(&t, self());
  pid p = t.name(*started, "timers");
  const term gen = tuple(a("timeout"), a("gen"));

  // 1. The event timeout fires when nothing happens.
  co_await arm(p, list(tuple(a("timeout"), 100, a("ev1"))));
  t.log("main", co_await testing::recv(1000));

  // 2. It is cancelled by an event.
  co_await arm(p, list(tuple(a("timeout"), 200, a("ev2"))));
  gen_statem::cast(p, a("poke"));
  t.log("main (event timeout cancelled by poke)", co_await testing::recv(400));

  // 3. The state timeout survives an event and is cancelled by a state change.
  co_await arm(p, list(tuple(a("state_timeout"), 200, a("st1"))));
  gen_statem::cast(p, a("poke"));
  t.log("main (state timeout after poke)", co_await testing::recv(1000));
  co_await arm(p, list(tuple(a("state_timeout"), 200, a("st2"))));
  (void)co_await gen_statem::call(p, tuple(a("goto"), a("busy")));
  t.log("main (state timeout after state change)", co_await testing::recv(400));

  // 4. A generic timeout survives a state change and events.
  co_await arm(p, list(tuple(gen, 200, a("g1"))));
  (void)co_await gen_statem::call(p, tuple(a("goto"), a("idle")));
  gen_statem::cast(p, a("poke"));
  t.log("main (generic timeout after state change + poke)", co_await testing::recv(1000));

  // 5. A generic timeout cancelled.
  co_await arm(p, list(tuple(gen, 200, a("g2"))));
  co_await arm(p, list(tuple(gen, a("cancel"))));
  t.log("main (cancelled generic timeout)", co_await testing::recv(400));

  // 6. Arming a generic timeout of the same name again replaces it.
  co_await arm(p, list(tuple(gen, 200, a("old"))));
  co_await arm(p, list(tuple(gen, 400, a("new"))));
  t.log("main (re-armed generic timeout)", co_await testing::recv(1000));
  t.log("main (nothing else)", co_await testing::recv(300));
  t.log("end");
}

TEST(ConformanceTest, StatemTimeouts79) {
  expect_trace(expected, scenario_79);
}

}  // namespace
}  // namespace otter::conformance
