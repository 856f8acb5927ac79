// gen_statem timeouts on the deterministic runtime, where virtual time makes them exact: the
// event timeout (cancelled by any event), the state timeout (cancelled by a state change),
// generic timeouts (one per name), update, cancel, infinity, 0 and absolute times.

#include "otter/otp/gen_statem.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/deterministic_runtime.hpp"
#include "otter/testing/trace.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter::test_support {
namespace {

/// A machine that runs the OTP action terms it is sent: a call `actions` replies :ok and
/// runs them; a call `{:goto, state, actions}` also changes the state; a cast `actions` runs
/// them (casts are events too). Each timeout event is reported to the owner as
/// `{:fired, type, content, state, now_ms}`; every other event as `{:event, content}`.
struct clock {
  using state = atom;
  using data = pid;
  using result = gen_statem::result<atom, pid>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;

  gen_statem::init_result<atom, pid> init(pid owner) { return {atom("idle"), owner}; }

  result handle_event(gen_statem::event& e, const atom& s, pid& owner) {
    term c = e.content();
    if (e.is_timeout()) {
      send(owner, term::tuple({a("fired"), e.type().to_term(), c, s, now_ms()}));
      return result::keep_state_and_data();
    }
    send(owner, tuple(a("event"), c));
    if (e.is_call() && c.is_tagged(a("goto"), 3)) {
      return result::next_state(c[1].as_atom()).reply(e.caller(), a("ok")).actions(c[2]);
    }
    if (e.is_call()) {
      return result::keep_state_and_data().reply(e.caller(), a("ok")).actions(c);
    }
    if (e.is_cast() && c.is_tagged(a("goto"), 2)) {
      return result::next_state(c[1].as_atom());
    }
    if (e.is_cast() && c.is_list()) {
      return result::keep_state_and_data().actions(c);
    }
    return result::keep_state_and_data();
  }
};

/// The next `{:fired, ...}` (other messages stay), or :no_message after `ms`.
co<term> fired(std::int64_t ms = 5000) {
  auto is_fired = [](const term& m) {
    return m.is_tagged(a("fired"), 5);
  };
  co_return co_await receive(on<term>(is_fired, [](term& t) { return t; }),
                             after(ms, [] { return term(a("no_message")); }));
}
/// `{:fired, type, content, state, at}`
term fired_at(term type, term content, std::int64_t at, term state = term(a("idle"))) {
  return term::tuple({a("fired"), std::move(type), std::move(content), std::move(state), at});
}

template <class F>
void on_virtual_time(F body) {
  testing::deterministic_runtime rt;
  rt.run(std::move(body), std::chrono::seconds(60));
}

co<pid> start_clock() {
  start_result r = co_await gen_statem::start_link<clock>(self());
  co_return *r;
}

const term ev_timeout(a("timeout"));
const term st_timeout(a("state_timeout"));

TEST(GenStatemTimeoutsTest, AnEventTimeoutFiresAfterItsTimeWhenNothingHappens) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    co_await gen_statem::call(c, list(tuple(a("timeout"), 100, a("x"))));
    EXPECT_EQ(co_await fired(), fired_at(ev_timeout, a("x"), t0 + 100));
  });
}

TEST(GenStatemTimeoutsTest, AnyEventCancelsTheEventTimeoutAnInsertedOneToo) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    co_await gen_statem::call(c, list(tuple(a("timeout"), 100, a("x"))));
    co_await sleep(50);
    send(c, term(a("poke")));
    EXPECT_EQ(co_await fired(300), term(a("no_message")));
    co_await gen_statem::call(
        c, list(tuple(a("timeout"), 100, a("y")), tuple(a("next_event"), a("internal"), a("i"))));
    EXPECT_EQ(co_await fired(300), term(a("no_message")));
  });
}

TEST(GenStatemTimeoutsTest, AStateTimeoutSurvivesEventsRestartsWhenSetAndEndsWithTheState) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), 100, a("s1"))));
    co_await sleep(60);
    gen_statem::cast(c, a("poke"));
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), 100, a("s2"))));  // restarts
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, a("s2"), t0 + 160));
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), 100, a("s3"))));
    co_await gen_statem::call(c, tuple(a("goto"), a("busy"), list()));
    EXPECT_EQ(co_await fired(300), term(a("no_message")));
    // A state change in the same result as the timeout does not cancel it.
    std::int64_t t1 = now_ms();
    co_await gen_statem::call(c,
                              tuple(a("goto"), a("idle"), list(tuple(a("state_timeout"), 30, 1))));
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, 1, t1 + 30));
  });
}

TEST(GenStatemTimeoutsTest, GenericTimeoutsRunPerNameThroughStateChangesUntilCancelled) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    term g1 = tuple(a("timeout"), a("g1"));
    term g2 = tuple(a("timeout"), a("g2"));
    term g3 = tuple(a("timeout"), 3);
    co_await gen_statem::call(
        c, list(tuple(g1, 100, a("one")), tuple(g2, 50, a("two")), tuple(g3, 70, a("three"))));
    co_await gen_statem::call(c, tuple(a("goto"), a("busy"), list(tuple(g3, a("cancel")))));
    EXPECT_EQ(co_await fired(), fired_at(g2, a("two"), t0 + 50, a("busy")));
    EXPECT_EQ(co_await fired(), fired_at(g1, a("one"), t0 + 100, a("busy")));
    EXPECT_EQ(co_await fired(300), term(a("no_message")));
  });
}

TEST(GenStatemTimeoutsTest, UpdateChangesARunningTimersContentOrFiresAtOnce) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), 100, a("old"))));
    co_await sleep(30);
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), a("update"), a("new"))));
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, a("new"), t0 + 100));
    std::int64_t t1 = now_ms();
    term g = tuple(a("timeout"), a("g"));
    co_await gen_statem::call(c, list(tuple(g, a("update"), a("now"))));
    EXPECT_EQ(co_await fired(), fired_at(g, a("now"), t1));
  });
}

// OTP keeps the last timeout action of each type: a later update replaces an earlier start
// in the same list (so the update, finding no timer, fires at once).
TEST(GenStatemTimeoutsTest, TheLastActionOfATypeWinsAndInfinityCancels) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), 20, a("a")),
                                      tuple(a("state_timeout"), a("infinity"), a("b"))));
    EXPECT_EQ(co_await fired(100), term(a("no_message")));
    std::int64_t t1 = now_ms();
    co_await gen_statem::call(c, list(tuple(a("state_timeout"), 20, a("first")),
                                      tuple(a("state_timeout"), 30, a("second")), term(10)));
    EXPECT_EQ(co_await fired(), fired_at(ev_timeout, 10, t1 + 10));
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, a("second"), t1 + 30));
    std::int64_t t2 = now_ms();
    co_await gen_statem::call(
        c, list(tuple(a("timeout"), 30, a("w")), tuple(a("timeout"), a("update"), a("w2"))));
    EXPECT_EQ(co_await fired(), fired_at(ev_timeout, a("w2"), t2));
    (void)t0;
  });
}

// 0 timeouts fire in the order of their actions, after the inserted events and before any
// message already in the mailbox. The first one to fire is an event, so it cancels a 0 event
// timeout behind it (as in OTP 25: the t0 queue entry goes with the timer).
TEST(GenStatemTimeoutsTest, ZeroTimeoutsFireInOrderBeforeQueuedMessages) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    (void)co_await sys::suspend(c);
    gen_statem::cast(c, list(tuple(tuple(a("timeout"), a("z")), 0, 1), tuple(a("timeout"), 0, 2),
                             tuple(a("state_timeout"), 0, 3)));
    send(c, term(a("m1")));
    (void)co_await sys::resume(c);
    EXPECT_EQ(co_await fired(), fired_at(tuple(a("timeout"), a("z")), 1, t0));
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, 3, t0));
    auto events = co_await testing::flush();
    EXPECT_EQ(events, list(tuple(a("event"), events[0][1]), tuple(a("event"), a("m1"))));
  });
}

TEST(GenStatemTimeoutsTest, AbsoluteTimeoutsFireAtTheirDeadline) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    term opts = list(tuple(a("abs"), true));
    term e = term::tuple({a("timeout"), t0 + 50, a("e"), opts});
    term s = term::tuple({a("state_timeout"), t0 + 80, a("s"), opts});
    co_await gen_statem::call(c, list(e, s));
    EXPECT_EQ(co_await fired(), fired_at(ev_timeout, a("e"), t0 + 50));
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, a("s"), t0 + 80));
  });
}

// Timers that fire while the event that cancels them waits in the mailbox: their messages
// are dropped, neither timeouts nor info events. A state timeout that is still running when
// its message is read fires, late.
TEST(GenStatemTimeoutsTest, MessagesOfTimersCancelledAfterTheyFiredAreDropped) {
  on_virtual_time([]() -> co<void> {
    pid c = co_await start_clock();
    std::int64_t t0 = now_ms();
    co_await gen_statem::call(
        c, list(tuple(a("state_timeout"), 100, a("st")), tuple(a("timeout"), 100, a("ev"))));
    (void)co_await sys::suspend(c);
    co_await sleep(10);
    gen_statem::cast(c, a("poke"));  // cancels the event timeout only
    co_await sleep(150);             // both timers fire behind the cast
    (void)co_await sys::resume(c);
    EXPECT_EQ(co_await fired(), fired_at(st_timeout, a("st"), t0 + 160));
    co_await gen_statem::call(
        c, list(tuple(a("state_timeout"), 100, a("st2")), tuple(a("timeout"), 100, a("ev2"))));
    (void)co_await sys::suspend(c);
    co_await sleep(10);
    gen_statem::cast(c, tuple(a("goto"), a("busy")));  // cancels both
    co_await sleep(150);
    (void)co_await sys::resume(c);
    co_await gen_statem::call(c, list());
    EXPECT_EQ(co_await fired(100), term(a("no_message")));
    term events = co_await testing::flush();
    EXPECT_EQ(events,
              list(tuple(a("event"), events[0][1]), tuple(a("event"), a("poke")),
                   tuple(a("event"), events[2][1]), tuple(a("event"), tuple(a("goto"), a("busy"))),
                   tuple(a("event"), list())));
  });
}

// Typed timeouts: the content keeps its C++ type.
struct ticker {
  struct tick {
    int n;
  };
  using state = atom;
  using data = pid;
  using result = gen_statem::result<atom, pid>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;
  gen_statem::init_result<atom, pid> init(pid owner) {
    return gen_statem::init_result<atom, pid>(atom("on"), owner)
        .generic_timeout(a("t"), 10, tick{1})
        .timeout(20);
  }
  result handle_event(gen_statem::event& e, const atom&, pid& owner) {
    if (auto* t = e.get_if<tick>()) {
      send(owner, tuple(a("tick"), t->n, now_ms()));
      if (t->n < 3) {
        return result::keep_state_and_data().generic_timeout(a("t"), 10, tick{t->n + 1});
      }
      return result::keep_state_and_data().state_timeout_at(now_ms() + 5, a("done"));
    }
    send(owner, tuple(e.type().to_term(), e.content(), now_ms()));
    return result::keep_state_and_data();
  }
};

TEST(GenStatemTimeoutsTest, TypedTimeoutsKeepTheirContentsType) {
  on_virtual_time([]() -> co<void> {
    std::int64_t t0 = now_ms();
    start_result r = co_await gen_statem::start_link<ticker>(self());
    EXPECT_TRUE(r.has_value());
    if (!(r.has_value())) {
      co_return;
    }
    // The event timeout of init (20, bare) is cancelled by the first tick at 10.
    EXPECT_EQ(co_await testing::recv(), tuple(a("tick"), 1, t0 + 10));
    EXPECT_EQ(co_await testing::recv(), tuple(a("tick"), 2, t0 + 20));
    EXPECT_EQ(co_await testing::recv(), tuple(a("tick"), 3, t0 + 30));
    EXPECT_EQ(co_await testing::recv(), tuple(a("state_timeout"), a("done"), t0 + 35));
    EXPECT_EQ(co_await testing::recv(100), term(a("no_message")));
  });
}

}  // namespace
}  // namespace otter::test_support
