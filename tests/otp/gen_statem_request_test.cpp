// gen_statem:send_request and its responses (OTP 25): wait_response keeps a timed-out request,
// receive_response abandons it, check_response reads a received message; dead and unknown
// servers answer with {:error, {reason, server}}. The expected values are what OTP 25 printed
// for the same steps (gen_statem with a deferred reply, a crash, an unknown name).

#include "otter/otp/gen_server.hpp"
#include "otter/otp/gen_statem.hpp"
#include "otter/testing/trace.hpp"

#include "otp/gen_statem_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <utility>

namespace otter::test_support {
namespace {

class GenStatemRequestTest : public on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(GenStatemRequestTest);

/// Answers `to` with `value` after `ms` (a reply from another process).
co<void> reply_later(gen_statem::from to, std::int64_t ms, term value) {
  co_await sleep(ms);
  gen_statem::reply(to, std::move(value));
}

// Calls: {:delay, ms, r} is answered with r after ms ms (by a helper process, so the machine
// goes on meanwhile); :crash exits with :boom; count (typed) counts; anything else is
// answered with {state, request}.
struct replier {
  struct count {
    using reply_type = int;
  };
  using data = int;
  using result = gen_statem::result<atom, int>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;

  gen_statem::init_result<atom, int> init() { return {a("idle"), 0}; }
  result handle_event(gen_statem::event& e, const atom& s, int& n) {
    if (e.call<count>() != nullptr) {
      return result::keep_state_and_data().reply(e.caller(), ++n);
    }
    if (!e.is_call()) {
      return result::keep_state_and_data();
    }
    const term req = e.get<term>();
    if (req.is_tagged(a("delay"), 3)) {
      spawn(reply_later, e.caller(), req[1].as_int(), req[2]);
      return result::keep_state_and_data();
    }
    if (req.is(a("crash"))) {
      otter::exit(term(a("boom")));
    }
    return result::keep_state_and_data().reply(e.caller(), tuple(s, req));
  }
};

co<pid> start_replier() {
  start_result r = co_await gen_statem::start_link<replier>();
  EXPECT_TRUE(r.has_value());
  co_return r.has_value() ? *r : pid();
}

TEST_P(GenStatemRequestTest, WaitResponseKeepsATimedOutRequestActive) {
  run([]() -> co<void> {
    const pid m = co_await start_replier();
    auto id = gen_statem::send_request(m, tuple(a("delay"), 50, a("late")));
    // The machine is free meanwhile: a call made after the request is answered first.
    EXPECT_EQ(co_await gen_statem::call(m, a("ping")), tuple(a("idle"), a("ping")));
    gen_statem::response<term> first = co_await gen_statem::wait_response(id, 10);
    EXPECT_EQ(first.to_term(), term(atoms::timeout));  // OTP: timeout
    gen_statem::response<term> second = co_await gen_statem::wait_response(id, 100);
    EXPECT_TRUE(second.is_reply());
    EXPECT_EQ(second.to_term(), tuple(a("reply"), a("late")));  // OTP: {reply,late}
    co_await sleep(10);
    EXPECT_EQ(testing::mailbox(), list());  // neither a second reply nor a DOWN
  });
}

TEST_P(GenStatemRequestTest, ReceiveResponseAbandonsATimedOutRequestAndDropsItsLateReply) {
  run([]() -> co<void> {
    const pid m = co_await start_replier();
    auto id = gen_statem::send_request(m, tuple(a("delay"), 50, a("dropped")));
    gen_statem::response<term> r = co_await gen_statem::receive_response(id, 10);
    EXPECT_EQ(r.to_term(), term(atoms::timeout));  // OTP: timeout
    co_await sleep(100);
    EXPECT_EQ(testing::mailbox(), list());  // OTP: {messages,[]}
    // The request is gone: waiting again finds nothing.
    EXPECT_EQ((co_await gen_statem::wait_response(id, 10)).to_term(), term(atoms::timeout));
  });
}

TEST_P(GenStatemRequestTest, ReceiveResponseAndWaitResponseWithoutTimeoutGetTheReply) {
  run([]() -> co<void> {
    const pid m = co_await start_replier();
    auto id = gen_statem::send_request(m, a("hello"));
    EXPECT_EQ((co_await gen_statem::receive_response(id)).to_term(),
              tuple(a("reply"), tuple(a("idle"), a("hello"))));
    auto id2 = gen_statem::send_request(m, a("again"));
    EXPECT_EQ((co_await gen_statem::wait_response(id2)).to_term(),
              tuple(a("reply"), tuple(a("idle"), a("again"))));
    EXPECT_EQ(testing::mailbox(), list());
  });
}

TEST_P(GenStatemRequestTest, CheckResponseTellsTheReplyFromOtherMessages) {
  run([]() -> co<void> {
    const pid m = co_await start_replier();
    send(self(), term(a("unrelated")));
    auto id = gen_statem::send_request(m, a("ping"));
    co_await sleep(10);
    std::optional<message> first = co_await receive_any(1000);
    std::optional<message> second = co_await receive_any(1000);
    EXPECT_TRUE(first && second);
    if (!first || !second) {
      co_return;
    }
    // OTP: no_reply for the unrelated message, {reply, {idle, ping}} for the reply.
    EXPECT_EQ(gen_statem::check_response(*first, id).to_term(), term(a("no_reply")));
    EXPECT_EQ(first->to_term(), term(a("unrelated")));  // left as it was
    EXPECT_EQ(gen_statem::check_response(*second, id).to_term(),
              tuple(a("reply"), tuple(a("idle"), a("ping"))));
    // Another request's reply is not this one's.
    auto other = gen_statem::send_request(m, a("other"));
    std::optional<message> third = co_await receive_any(1000);
    EXPECT_TRUE(third.has_value());
    if (third) {
      EXPECT_EQ(gen_statem::check_response(*third, id).to_term(), term(a("no_reply")));
      EXPECT_EQ(gen_statem::check_response(*third, other).to_term(),
                tuple(a("reply"), tuple(a("idle"), a("other"))));
    }
  });
}

TEST_P(GenStatemRequestTest, AnUnknownNameOrADeadPidAnswersNoprocWithTheServer) {
  run([]() -> co<void> {
    // OTP: {error,{noproc,nope_name}}; the DOWN is faked in the caller's own mailbox.
    auto id = gen_statem::send_request(server_ref(a("nope_name")), a("hello"));
    EXPECT_EQ(testing::mailbox().size(), 1U);
    EXPECT_EQ((co_await gen_statem::wait_response(id, 100)).to_term(),
              tuple(atoms::error, tuple(atoms::noproc, a("nope_name"))));
    const pid dead = spawn([]() -> co<void> { co_return; });
    co_await sleep(10);
    auto id2 = gen_statem::send_request(dead, a("hello"));
    gen_statem::response<term> r = co_await gen_statem::receive_response(id2, 100);
    EXPECT_EQ(r.kind, gen_statem::response_kind::error);
    EXPECT_EQ(r.to_term(), tuple(atoms::error, tuple(atoms::noproc, dead)));
    // check_response reads the fake DOWN as well.
    auto id3 = gen_statem::send_request(server_ref(a("nope_name")), a("hello"));
    std::optional<message> down = co_await receive_any(0);
    EXPECT_TRUE(down.has_value());
    if (down) {
      EXPECT_EQ(gen_statem::check_response(*down, id3).to_term(),
                tuple(atoms::error, tuple(atoms::noproc, a("nope_name"))));
    }
    EXPECT_EQ(testing::mailbox(), list());
  });
}

TEST_P(GenStatemRequestTest, AMachineThatDiesAnswersWithItsExitReason) {
  quiet_logs quiet;
  run([]() -> co<void> {
    trap_exit(true);
    const pid m = co_await start_replier();
    auto id = gen_statem::send_request(m, a("crash"));
    // OTP: {error,{boom,Pid}}
    EXPECT_EQ((co_await gen_statem::wait_response(id, 1000)).to_term(),
              tuple(atoms::error, tuple(a("boom"), m)));
    EXPECT_EQ(co_await testing::recv(), tuple(atoms::EXIT, m, a("boom")));
  });
}

TEST_P(GenStatemRequestTest, TypedRequestsGetTypedReplies) {
  run([]() -> co<void> {
    const pid m = co_await start_replier();
    auto one = gen_statem::send_request(m, replier::count{});
    auto two = gen_statem::send_request(m, replier::count{});
    static_assert(std::is_same_v<decltype(one), gen_statem::request_id<int>>);
    gen_statem::response<int> r2 = co_await gen_statem::wait_response(two);
    gen_statem::response<int> r1 = co_await gen_statem::wait_response(one);
    EXPECT_EQ(r1.value, 1);
    EXPECT_EQ(r2.value, 2);
  });
}

/// A GenServer answering term calls with {:gs, request}.
struct term_server {
  using state = int;
  int init() { return 0; }
  term handle_call(const term& req, const gen_server::from&, int&) { return tuple(a("gs"), req); }
};

TEST_P(GenStatemRequestTest, ATermRequestReachesAGenServerToo) {
  run([]() -> co<void> {
    start_result s = co_await gen_server::start_link<term_server>();
    auto id = gen_statem::send_request(*s, a("hi"));
    EXPECT_EQ((co_await gen_statem::receive_response(id, 1000)).to_term(),
              tuple(a("reply"), tuple(a("gs"), a("hi"))));
  });
}

TEST_P(GenStatemRequestTest, ANegativeTimeoutIsBadarg) {
  run([]() -> co<void> {
    const pid m = co_await start_replier();
    auto id = gen_statem::send_request(m, a("ping"));
    auto waiting = [id]() -> co<term> {
      co_return (co_await gen_statem::wait_response(id, -5)).to_term();
    };
    EXPECT_EQ(co_await testing::catching(waiting), tuple(atoms::error, atoms::badarg));
    EXPECT_EQ((co_await gen_statem::receive_response(id, 1000)).to_term(),
              tuple(a("reply"), tuple(a("idle"), a("ping"))));
  });
}

}  // namespace
}  // namespace otter::test_support
