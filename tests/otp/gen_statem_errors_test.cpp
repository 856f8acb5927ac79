// How gen_statem stops: raising handlers, bad results and actions (OTP's reasons, checked in
// Elixir with :gen_statem), stop results, the restrictions of enter calls, and the reports.

#include "otter/otp/gen_statem.hpp"
#include "otter/testing/trace.hpp"

#include "otp/gen_statem_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace otter::test_support {
namespace {

class GenStatemErrorsTest : public on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(GenStatemErrorsTest);

/// A cast's content is the result to return; a call `:raise` raises; a call `:exit` exits.
term scripted(gen_statem::event& e, const term&, term&) {
  term c = e.content();
  if (e.is_call() && c == term(a("raise"))) {
    throw std::runtime_error("boom");
  }
  if (e.is_call() && c == term(a("exit"))) {
    otter::exit(a("bye"));
  }
  if (e.is_call() && c.is_tagged(a("sar"), 2)) {
    return term::tuple(
        {a("stop_and_reply"), c[1], list(tuple(a("reply"), e.caller().to_term(), a("bye")))});
  }
  if (e.is_cast()) {
    return c;
  }
  return term(a("keep_state_and_data"));
}

co<pid> start_scripted(term init = ok_init(a("s"), 0)) {
  start_result r =
      co_await gen_statem::start<statem_probe>(self(), std::move(init), statem_script(scripted));
  co_return *r;
}

/// Casts `result` to a fresh machine; returns {terminate report, DOWN reason}.
co<term> stop_with(term result) {
  pid p = co_await start_scripted();
  (void)co_await next_report();  // the initial enter
  ref mon = monitor(p);
  gen_statem::cast(p, std::move(result));
  (void)co_await next_report();  // the cast
  term terminate = co_await next_report();
  term reason = (co_await down_of(mon)).reason;
  co_return tuple(terminate, reason);
}

term raised(const char* message) {
  return term::structure("RuntimeError", {{atom("message"), term(message)}});
}

TEST_P(GenStatemErrorsTest, AHandlerThatRaisesStopsTheMachineAndItsCallerWithTheException) {
  run([]() -> co<void> {
    testing::trace t;
    t.name(self(), "main");
    testing::log_capture capture(t);
    pid p = co_await start_scripted();
    t.name(p, "m");
    (void)co_await next_report();
    auto call = [p]() -> co<term> {
      co_return co_await gen_statem::call(p, a("raise"));
    };
    term caught = co_await testing::catching(call);
    EXPECT_EQ(caught, tuple(a("exit"), tuple(tuple(raised("boom"), stacktrace()),
                                             tuple(a("gen_statem"), a("call"),
                                                   list(p, a("raise"), atoms::infinity)))));
    (void)co_await next_report();
    EXPECT_EQ(co_await next_report(), tuple(a("terminate"), raised("boom"), a("s"), 0));
    (void)co_await testing::wait_down(p);
    t.log("end");
    EXPECT_EQ(t.text(),
              "LOG[error] gen_statem terminate name=#PID<m> reason=%RuntimeError{message: "
              "\"boom\"}\n"
              "LOG[error] proc_lib crash_report pid=#PID<m> registered_name=[] "
              "error_info={:error, %RuntimeError{message: \"boom\"}} ancestors=[#PID<main>]\n"
              "end\n");
  });
}

TEST_P(GenStatemErrorsTest, AHandlerThatExitsStopsTheMachineWithItsReason) {
  run([]() -> co<void> {
    quiet_logs quiet;
    pid p = co_await start_scripted();
    (void)co_await next_report();
    ref mon = monitor(p);
    auto call = [p]() -> co<term> {
      co_return co_await gen_statem::call(p, a("exit"));
    };
    (void)co_await testing::catching(call);
    (void)co_await next_report();
    EXPECT_EQ(co_await next_report(), tuple(a("terminate"), a("bye"), a("s"), 0));
    EXPECT_EQ((co_await down_of(mon)).reason, term(a("bye")));
  });
}

// terminate sees the state before the event when the enter call of a transition raises.
TEST_P(GenStatemErrorsTest, TerminateSeesTheStateBeforeAnEventWhoseHandlingRaised) {
  run([]() -> co<void> {
    quiet_logs quiet;
    statem_script s = [](gen_statem::event& e, const term& st, term&) -> term {
      if (e.is_enter() && st == term(a("b"))) {
        throw std::runtime_error("enter failed");
      }
      if (e.is_cast()) {
        return term::tuple({a("next_state"), a("b"), 1});
      }
      return term(a("keep_state_and_data"));
    };
    start_result r = co_await gen_statem::start<statem_probe>(self(), ok_init(a("a"), 0), s);
    (void)co_await next_report();
    gen_statem::cast(*r, a("go"));
    (void)co_await next_report();
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("b"), 1));
    EXPECT_EQ(co_await next_report(), tuple(a("terminate"), raised("enter failed"), a("a"), 1));
  });
}

// Each bad result or action stops the machine with error({:bad_..., offender}): terminate gets
// that reason, the exit reason adds the stack trace.
TEST_P(GenStatemErrorsTest, BadResultsAndActionsStopTheMachineWithOtpsReasons) {
  run([]() -> co<void> {
    quiet_logs quiet;
    auto keep_with = [](term action) {
      return tuple(a("keep_state_and_data"), list(action));
    };
    const term bad_action(a("bad_action_from_state_function"));
    struct row {
      term result;
      term reason;
    };
    std::vector<row> rows{
        {a("what"), tuple(a("bad_return_from_state_function"), a("what"))},
        {tuple(a("next_state"), a("s")),
         tuple(a("bad_return_from_state_function"), tuple(a("next_state"), a("s")))},
        {keep_with(a("what")), tuple(bad_action, a("what"))},
        {keep_with(tuple(a("timeout"), -5, a("x"))),
         tuple(bad_action, tuple(a("timeout"), -5, a("x")))},
        {keep_with(tuple(a("next_event"), a("bogus"), a("x"))),
         tuple(bad_action, tuple(a("next_event"), a("bogus"), a("x")))},
        {keep_with(tuple(a("reply"), a("notfrom"), 1)),
         tuple(bad_action, tuple(a("reply"), a("notfrom"), 1))},
        {keep_with(tuple(a("hibernate"), 1)), tuple(bad_action, tuple(a("hibernate"), 1))},
        {keep_with(term::tuple({a("state_timeout"), 5, a("x"), list(tuple(a("abs"), 1))})),
         tuple(bad_action, term::tuple({a("state_timeout"), 5, a("x"), list(tuple(a("abs"), 1))}))},
        {keep_with(tuple(a("state_timeout"), a("never"), a("x"))),
         tuple(bad_action, tuple(a("state_timeout"), a("never"), a("x")))},
        {keep_with(term(-1)), tuple(bad_action, -1)},
        {tuple(a("stop_and_reply"), a("normal"), list(a("x"))),
         tuple(a("bad_reply_action_from_state_function"), a("x"))},
    };
    for (row& r : rows) {
      term got = co_await stop_with(r.result);
      EXPECT_EQ(got,
                tuple(tuple(a("terminate"), r.reason, a("s"), 0), tuple(r.reason, stacktrace())))
          << to_string(r.result);
    }
  });
}

TEST_P(GenStatemErrorsTest, StopResultsRunTerminateWithTheirReasonAndData) {
  run([]() -> co<void> {
    quiet_logs quiet;
    EXPECT_EQ(co_await stop_with(a("stop")),
              tuple(tuple(a("terminate"), atoms::normal, a("s"), 0), atoms::normal));
    EXPECT_EQ(co_await stop_with(tuple(a("stop"), a("oops"))),
              tuple(tuple(a("terminate"), a("oops"), a("s"), 0), a("oops")));
    EXPECT_EQ(co_await stop_with(tuple(a("stop"), a("shutdown"), 42)),
              tuple(tuple(a("terminate"), atoms::shutdown, a("s"), 42), atoms::shutdown));
    // stop_and_reply: the reply reaches the caller before terminate runs.
    pid p = co_await start_scripted();
    (void)co_await next_report();
    EXPECT_EQ(co_await gen_statem::call(p, tuple(a("sar"), a("normal"))), term(a("bye")));
    (void)co_await next_report();
    EXPECT_EQ(co_await next_report(), tuple(a("terminate"), atoms::normal, a("s"), 0));
  });
}

// An enter call may not postpone, insert events or change the state: OTP's reasons, with the
// new state in terminate.
TEST_P(GenStatemErrorsTest, EnterCallsMayNotPostponeInsertEventsOrChangeTheState) {
  run([]() -> co<void> {
    quiet_logs quiet;
    const term postpone(a("postpone"));
    const term next = tuple(a("next_event"), a("internal"), a("x"));
    struct row {
      term enter_result;
      term reason;
    };
    std::vector<row> rows{
        {tuple(a("keep_state_and_data"), list(postpone)),
         tuple(a("bad_state_enter_action_from_state_function"), postpone)},
        {tuple(a("keep_state_and_data"), list(next)),
         tuple(a("bad_state_enter_action_from_state_function"), next)},
        {tuple(a("next_state"), a("other"), 0),
         tuple(a("bad_state_enter_return_from_state_function"),
               tuple(a("next_state"), a("other"), 0))},
        {tuple(a("keep_state_and_data"), list(tuple(postpone, true))),
         tuple(a("bad_action_from_state_function"), tuple(postpone, true))},
    };
    for (row& r : rows) {
      term enter_result = r.enter_result;
      statem_script s = [enter_result](gen_statem::event& e, const term& st, term&) -> term {
        if (e.is_enter() && st == term(a("b"))) {
          return enter_result;
        }
        if (e.is_cast()) {
          return term::tuple({a("next_state"), a("b"), 0});
        }
        return term(a("keep_state_and_data"));
      };
      start_result m = co_await gen_statem::start<statem_probe>(self(), ok_init(a("a"), 0), s);
      (void)co_await next_report();
      ref mon = monitor(*m);
      gen_statem::cast(*m, a("go"));
      (void)co_await next_report();
      (void)co_await next_report();  // the enter call
      EXPECT_EQ(co_await next_report(), tuple(a("terminate"), r.reason, a("b"), 0));
      EXPECT_EQ((co_await down_of(mon)).reason, tuple(r.reason, stacktrace()));
    }
    // A stop from an enter call is allowed; terminate sees the new state.
    statem_script stopper = [](gen_statem::event& e, const term& st, term&) -> term {
      if (e.is_enter() && st == term(a("b"))) {
        return tuple(a("stop"), a("enter_stop"));
      }
      return e.is_cast() ? term::tuple({a("next_state"), a("b"), 0})
                         : term(a("keep_state_and_data"));
    };
    start_result m = co_await gen_statem::start<statem_probe>(self(), ok_init(a("a"), 0), stopper);
    (void)co_await next_report();
    gen_statem::cast(*m, a("go"));
    (void)co_await next_report();
    (void)co_await next_report();
    EXPECT_EQ(co_await next_report(), tuple(a("terminate"), a("enter_stop"), a("b"), 0));
  });
}

// init's actions run after start has returned {:ok, pid}: a bad one stops a started machine.
TEST_P(GenStatemErrorsTest, ABadInitActionStopsAMachineThatStarted) {
  run([]() -> co<void> {
    quiet_logs quiet;
    trap_exit(true);
    term init = ok_init(a("s"), 0, list(a("bogus")));
    start_result r =
        co_await gen_statem::start_link<statem_probe>(self(), init, statem_script(scripted));
    EXPECT_TRUE(r.has_value());
    if (!(r.has_value())) {
      co_return;
    }
    term reason = tuple(a("bad_action_from_state_function"), a("bogus"));
    EXPECT_EQ(co_await next_report(), tuple(a("terminate"), reason, a("s"), 0));
    exit_msg exited = co_await receive<exit_msg>();
    EXPECT_EQ(exited.reason, tuple(reason, stacktrace()));
  });
}

// Typed actions are checked too; a state without a handler is :undef.
struct typed_bad {
  using data = int;
  using result = gen_statem::result<atom, int>;
  static constexpr auto callback_mode = gen_statem::state_functions;
  gen_statem::init_result<atom, int> init() { return {a("a"), 0}; }
  static gen_statem::state_table<typed_bad> state_functions() { return {{a("a"), &typed_bad::a_}}; }
  result a_(gen_statem::event& e, int&) {
    if (e.content() == term(a("negative"))) {
      return result::keep_state_and_data().state_timeout(-5, a("x"));
    }
    if (e.content() == term(a("nowhere"))) {
      return result::next_state(a("nowhere"));
    }
    return {};
  }
};

TEST_P(GenStatemErrorsTest, TypedActionsAreCheckedAndAStateWithoutHandlerIsUndef) {
  run([]() -> co<void> {
    quiet_logs quiet;
    start_result m = co_await gen_statem::start<typed_bad>();
    gen_statem::cast(*m, a("negative"));
    EXPECT_EQ(co_await testing::wait_down(*m), tuple(tuple(a("bad_action_from_state_function"),
                                                           tuple(a("state_timeout"), -5, a("x"))),
                                                     stacktrace()));
    start_result n = co_await gen_statem::start<typed_bad>();
    gen_statem::cast(*n, a("nowhere"));
    gen_statem::cast(*n, a("next"));
    EXPECT_EQ(co_await testing::wait_down(*n), tuple(a("undef"), stacktrace()));
  });
}

}  // namespace
}  // namespace otter::test_support
