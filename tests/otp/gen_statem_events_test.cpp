// gen_statem event order: init actions, postponed events, inserted events and state enter
// calls, checked against OTP 25 (each expectation was run in Elixir with :gen_statem).

#include "otter/otp/gen_server.hpp"
#include "otter/otp/gen_statem.hpp"
#include "otter/otp/sys.hpp"

#include "otp/gen_statem_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter::test_support {
namespace {

class GenStatemEventsTest : public on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(GenStatemEventsTest);

term keep() {
  return term(a("keep_state_and_data"));
}
term keep(term actions) {
  return tuple(a("keep_state_and_data"), std::move(actions));
}
term next_state(term s, term d, term actions = term::list({})) {
  return term::tuple({a("next_state"), std::move(s), std::move(d), std::move(actions)});
}

co<pid> start_probe(term init, statem_script script) {
  start_result r =
      co_await gen_statem::start<statem_probe>(self(), std::move(init), std::move(script));
  co_return *r;
}

// {:ok, :a, 0, [next_event i1, {:timeout, 0, :t0}, next_event c1]}: the enter call comes
// first (old state = the initial state), then the inserted events in order; the 0 event
// timeout is cancelled by the first of them; mailbox messages come last.
TEST_P(GenStatemEventsTest, InitActionsRunAfterTheInitialEnterCallAndBeforeTheMailbox) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event&, const term&, term&) {
      return keep();
    };
    term actions =
        list(tuple(a("next_event"), a("internal"), a("i1")), tuple(a("timeout"), 0, a("t0")),
             tuple(a("next_event"), a("cast"), a("c1")));
    pid p = co_await start_probe(ok_init(a("a"), 0, actions), s);
    send(p, term(a("m1")));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("internal"), a("i1"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("c1"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("info"), a("m1"), a("a"), 0));
    EXPECT_EQ(co_await next_report(100), term(a("no_message")));
  });
}

// Postponed events wait while the state stays the same (also through repeat_state), and come
// back after a state change, oldest first, before newer events.
TEST_P(GenStatemEventsTest, PostponedEventsAreRetriedAfterAStateChangeOldestFirst) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term& st, term& d) -> term {
      term c = e.content();
      if (e.is_cast() && c.is_tagged(a("job"), 2) && st == term(a("closed"))) {
        return keep(list(a("postpone")));
      }
      if (e.is_cast() && c == term(a("repeat"))) {
        return term(a("repeat_state_and_data"));
      }
      if (e.is_cast() && c == term(a("open"))) {
        return next_state(a("open"), d);
      }
      return keep();
    };
    pid p = co_await start_probe(ok_init(a("closed"), 0), s);
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("closed"), a("closed"), 0));
    (void)co_await sys::suspend(p);
    gen_statem::cast(p, tuple(a("job"), 1));
    gen_statem::cast(p, tuple(a("job"), 2));
    gen_statem::cast(p, a("repeat"));
    gen_statem::cast(p, a("open"));
    gen_statem::cast(p, tuple(a("job"), 3));
    (void)co_await sys::resume(p);
    EXPECT_EQ(co_await next_report(), ev(a("cast"), tuple(a("job"), 1), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), tuple(a("job"), 2), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("repeat"), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("closed"), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("open"), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("closed"), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), tuple(a("job"), 1), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), tuple(a("job"), 2), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), tuple(a("job"), 3), a("open"), 0));
  });
}

// The event that changes the state and postpones itself is retried at once, in the new state.
TEST_P(GenStatemEventsTest, AnEventPostponedByAStateChangeIsRetriedInTheNewState) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term& st, term& d) -> term {
      if (e.is_cast() && st == term(a("a"))) {
        return next_state(a("b"), d, list(a("postpone")));
      }
      return keep();
    };
    pid p = co_await start_probe(ok_init(a("a"), 0), s);
    gen_statem::cast(p, a("go"));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("go"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("b"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("go"), a("b"), 0));
  });
}

// Inserted events go before the retried postponed events, which go before the queue.
TEST_P(GenStatemEventsTest, InsertedEventsComeBeforeRetriedPostponedEvents) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term& st, term& d) -> term {
      term c = e.content();
      if (e.is_cast() && c == term(a("open"))) {
        return next_state(a("open"), d,
                          list(tuple(a("next_event"), a("internal"), a("x")),
                               tuple(a("next_event"), a("internal"), a("y"))));
      }
      if (e.is_cast() && st == term(a("closed"))) {
        return keep(list(a("postpone")));
      }
      return keep();
    };
    pid p = co_await start_probe(ok_init(a("closed"), 0), s);
    (void)co_await next_report();  // the initial enter
    (void)co_await sys::suspend(p);
    gen_statem::cast(p, a("j1"));
    gen_statem::cast(p, a("open"));
    gen_statem::cast(p, a("j2"));
    (void)co_await sys::resume(p);
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("j1"), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("open"), a("closed"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("closed"), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("internal"), a("x"), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("internal"), a("y"), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("j1"), a("open"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("j2"), a("open"), 0));
  });
}

// next_state to the same state and keep_state make no enter call; repeat_state and a state
// change do, in the new state with the new data and the old state as content.
TEST_P(GenStatemEventsTest, EnterCallsFollowStateChangesAndRepeatStateOnly) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term& st, term&) -> term {
      if (!e.is_cast()) {
        return keep();
      }
      term c = e.content();
      if (c == term(a("same"))) {
        return next_state(st, 1);
      }
      if (c == term(a("keep"))) {
        return tuple(a("keep_state"), 2);
      }
      if (c == term(a("repeat"))) {
        return tuple(a("repeat_state"), 3);
      }
      return next_state(a("b"), 4);
    };
    pid p = co_await start_probe(ok_init(a("a"), 0), s);
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("a"), 0));
    gen_statem::cast(p, a("same"));
    gen_statem::cast(p, a("keep"));
    gen_statem::cast(p, a("repeat"));
    gen_statem::cast(p, a("change"));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("same"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("keep"), a("a"), 1));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("repeat"), a("a"), 2));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("a"), 3));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("change"), a("a"), 3));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("b"), 4));
    EXPECT_EQ(co_await next_report(100), term(a("no_message")));
  });
}

// repeat_state from an enter call makes another enter call (old state unchanged); timeouts
// and replies of the enter call are carried out with the event's.
TEST_P(GenStatemEventsTest, EnterCallsMayRepeatAndSetTimeouts) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term& st, term& d) -> term {
      if (e.is_enter() && st == term(a("rep")) && d.as_int() < 2) {
        return tuple(a("repeat_state"), d.as_int() + 1);
      }
      if (e.is_enter() && st == term(a("rep"))) {
        return keep(list(tuple(a("state_timeout"), 0, a("st0"))));
      }
      if (e.is_call()) {
        return next_state(a("rep"), d, list(tuple(a("reply"), e.caller().to_term(), a("ok"))));
      }
      return keep();
    };
    pid p = co_await start_probe(ok_init(a("a"), 0), s);
    (void)co_await next_report();
    EXPECT_EQ(co_await gen_statem::call(p, a("go")), term(a("ok")));
    EXPECT_EQ(co_await next_report(), ev(a("call"), a("go"), a("a"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("rep"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("rep"), 1));
    EXPECT_EQ(co_await next_report(), ev(a("enter"), a("a"), a("rep"), 2));
    EXPECT_EQ(co_await next_report(), ev(a("state_timeout"), a("st0"), a("rep"), 2));
  });
}

// Every event type can be inserted with next_event, and arrives as that type.
TEST_P(GenStatemEventsTest, NextEventInsertsEventsOfEveryType) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term&, term&) -> term {
      if (e.is_cast() && e.content() == term(a("go"))) {
        return keep(list(tuple(a("next_event"), a("info"), 1), tuple(a("next_event"), a("cast"), 2),
                         tuple(a("next_event"), tuple(a("timeout"), a("n")), 3),
                         tuple(a("next_event"), a("state_timeout"), 4),
                         tuple(a("next_event"), a("timeout"), 5)));
      }
      return keep();
    };
    pid p = co_await start_probe(ok_init(a("s"), 0), s);
    (void)co_await next_report();
    gen_statem::cast(p, a("go"));
    (void)co_await next_report();
    EXPECT_EQ(co_await next_report(), ev(a("info"), 1, a("s"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), 2, a("s"), 0));
    EXPECT_EQ(co_await next_report(), ev(tuple(a("timeout"), a("n")), 3, a("s"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("state_timeout"), 4, a("s"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("timeout"), 5, a("s"), 0));
  });
}

// A GenServer.call / cast reaches a gen_statem as {:call, from} / :cast events.
TEST_P(GenStatemEventsTest, GenServerCallsAndCastsArriveAsCallAndCastEvents) {
  run([]() -> co<void> {
    statem_script s = [](gen_statem::event& e, const term&, term&) -> term {
      if (e.is_call()) {
        return keep(list(tuple(a("reply"), e.caller().to_term(), tuple(a("got"), e.content()))));
      }
      return keep();
    };
    pid p = co_await start_probe(ok_init(a("s"), 0), s);
    (void)co_await next_report();
    gen_server::cast(p, term(a("c")));
    EXPECT_EQ(co_await gen_server::call(p, term(a("q"))), tuple(a("got"), a("q")));
    EXPECT_EQ(co_await next_report(), ev(a("cast"), a("c"), a("s"), 0));
    EXPECT_EQ(co_await next_report(), ev(a("call"), a("q"), a("s"), 0));
  });
}

}  // namespace
}  // namespace otter::test_support
