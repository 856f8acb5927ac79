// Scenario 77_statem_state_functions: a code lock with one handler per state; next_state,
// keep_state and keep_state_and_data; reply actions; a state_timeout re-locks the door;
// :sys.get_state returns {state, data}; a call to a stopped machine exits with :noproc and
// the default timeout :infinity.

#include "otter/otp/gen_statem.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(init: :locked
locked: button: 1
locked: button: 2
locked: button: 9
locked: wrong code, reset: [1, 2, 9]
state after wrong code: :locked
locked: button: 1
locked: button: 2
locked: button: 3
locked: code correct -> open: :ok
state after right code: :open
open: button ignored: 7
state: :open
open: state_timeout -> locked: :lock
state after 400ms: :locked
:sys.get_state: {:locked, %{:buttons => [], :code => [1, 2, 3]}}
stop: :ok
call stopped statem: {:exit, {:noproc, {:gen_statem, :call, [#PID<lock>, :state, :infinity]}}}
end
)";

/// The Elixir map %{code: code, buttons: buttons}.
term lock_data(const term& code, std::vector<term> buttons) {
  return term::map({{a("code"), code}, {a("buttons"), term::list(std::move(buttons))}});
}

struct lock {
  using data = term;
  using result = gen_statem::result<atom, term>;
  static constexpr auto callback_mode = gen_statem::state_functions;

  testing::trace* t = nullptr;

  gen_statem::init_result<atom, term> init(testing::trace* tr, term code) {
    t = tr;
    t->log("init", a("locked"));
    return {a("locked"), lock_data(code, {})};
  }

  static gen_statem::state_table<lock> state_functions() {
    return {{a("locked"), &lock::locked}, {a("open"), &lock::open}};
  }

  result locked(gen_statem::event& e, term& d) {
    if (const term* msg = e.cast<term>(); msg != nullptr && msg->is_tagged(a("button"), 2)) {
      const term& code = *d.find(a("code"));
      std::vector<term> buttons(d.find(a("buttons"))->elements().begin(),
                                d.find(a("buttons"))->elements().end());
      buttons.push_back((*msg)[1]);
      t->log("locked: button", (*msg)[1]);
      if (term::list(buttons) == code) {
        t->log("locked: code correct -> open", a("ok"));
        return result::next_state(a("open"), lock_data(code, {})).state_timeout(200, a("lock"));
      }
      if (buttons.size() >= code.size()) {
        t->log("locked: wrong code, reset", term::list(buttons));
        return result::keep_state(lock_data(code, {}));
      }
      return result::keep_state(lock_data(code, std::move(buttons)));
    }
    return result::keep_state_and_data().reply(e.caller(), a("locked"));  // call :state
  }

  result open(gen_statem::event& e, term& d) {
    if (e.kind() == gen_statem::event_kind::state_timeout) {
      t->log("open: state_timeout -> locked", e.content());
      return result::next_state(a("locked"), d);
    }
    if (const term* msg = e.cast<term>()) {
      t->log("open: button ignored", (*msg)[1]);
      return result::keep_state_and_data();
    }
    return result::keep_state_and_data().reply(e.caller(), a("open"));  // call :state
  }
};

co<void> scenario_77(testing::trace& t) {
  term code = list(1, 2, 3);
  start_result started = co_await gen_statem::start_link<lock>(&t, code);
  pid lk = t.name(*started, "lock");
  for (int b : {1, 2, 9}) {
    gen_statem::cast(lk, tuple(a("button"), b));
  }
  t.log("state after wrong code", co_await gen_statem::call(lk, a("state")));
  for (int b : {1, 2, 3}) {
    gen_statem::cast(lk, tuple(a("button"), b));
  }
  t.log("state after right code", co_await gen_statem::call(lk, a("state")));
  gen_statem::cast(lk, tuple(a("button"), 7));
  t.log("state", co_await gen_statem::call(lk, a("state")));
  co_await sleep(400);
  t.log("state after 400ms", co_await gen_statem::call(lk, a("state")));
  t.log(":sys.get_state", co_await sys::get_state(lk));
  t.log("stop", co_await gen_statem::stop(lk));
  auto call_stopped = [lk]() -> co<term> {
    co_return co_await gen_statem::call(lk, a("state"));
  };
  t.log("call stopped statem", co_await testing::catching(call_stopped));
  t.log("end");
}

TEST(ConformanceTest, StatemStateFunctions77) {
  expect_trace(expected, scenario_77);
}

}  // namespace
}  // namespace otter::conformance
