// tests/otp/gen_statem_test_support.hpp: a scripted gen_statem for the gen_statem tests.
//
// A statem_probe tells its owner about every event and its terminate, and answers each event
// with the result term its script returns, so that a test can try any OTP result or action:
//   {:ev, kind, content, state, data}  for each event (kind is the event type, :call for
//                                      calls, whose `from` is not predictable)
//   {:terminate, reason, state, data}  from terminate
// Its state and data are terms; its init returns the init result term it is given.

#pragma once

#include "otter/core/logger.hpp"
#include "otter/otp/gen_statem.hpp"

#include "support/both_runtimes.hpp"

#include <functional>
#include <ostream>
#include <utility>

namespace otter {
/// gtest prints terms as Elixir does.
inline void PrintTo(const term& t, std::ostream* os) {  // NOLINT(readability-identifier-naming)
  *os << t.to_string();
}
}  // namespace otter

namespace otter::test_support {

/// Drops the reports logged while it lives (tests of crashes stay quiet when they pass).
class quiet_logs {
public:
  quiet_logs() : previous_(set_log_sink({})) {}
  ~quiet_logs() { set_log_sink(std::move(previous_)); }
  quiet_logs(const quiet_logs&) = delete;
  quiet_logs& operator=(const quiet_logs&) = delete;

private:
  log_sink previous_;
};

using statem_script = std::function<term(gen_statem::event&, const term& state, term& data)>;

struct statem_probe {
  using state = term;
  using data = term;
  using result = gen_statem::result<term, term>;
  static constexpr auto callback_mode = gen_statem::handle_event_function | gen_statem::state_enter;

  pid owner;
  statem_script script;

  gen_statem::init_result<term, term> init(pid o, term init, statem_script s) {
    owner = o;
    script = std::move(s);
    return gen_statem::init_result<term, term>::from_term(init);
  }
  result handle_event(gen_statem::event& e, const term& s, term& d) {
    term kind = e.is_call() ? term(a("call")) : e.type().to_term();
    send(owner, term::tuple({a("ev"), kind, e.content(), s, d}));
    return result::from_term(script(e, s, d));
  }
  void terminate(const term& reason, const term& s, term& d) {
    send(owner, tuple(a("terminate"), reason, s, d));
  }
};

/// `{:ok, state, data, actions}`
inline term ok_init(term state, term data, term actions = term::list({})) {
  return term::tuple({a("ok"), std::move(state), std::move(data), std::move(actions)});
}

/// The next `{:ev, ...}` or `{:terminate, ...}` message (others stay), or :no_message after
/// `timeout` ms.
inline co<term> next_report(std::int64_t timeout = 1000) {
  auto is_report = [](const term& m) {
    return m.is_tagged(a("ev"), 5) || m.is_tagged(a("terminate"), 4);
  };
  co_return co_await receive(on<term>(is_report, [](term& t) { return t; }),
                             after(timeout, [] { return term(a("no_message")); }));
}

/// `{:ev, kind, content, state, data}`
inline term ev(term kind, term content, term state, term data) {
  return term::tuple(
      {a("ev"), std::move(kind), std::move(content), std::move(state), std::move(data)});
}

}  // namespace otter::test_support
