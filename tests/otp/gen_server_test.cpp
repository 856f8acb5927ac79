// GenServer basics: typed requests, replies, casts, stop and the failure exits of call.

#include "otter/otp/gen_server.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter {
namespace {

struct counter {
  using state = int;
  struct get {};
  struct add {
    int by;
  };
  struct slow {
    std::int64_t ms;
  };
  state init(int start) { return start; }
  int handle_call(get, const gen_server::from&, int& n) { return n; }
  co<int> handle_call(slow s, const gen_server::from&, int& n) {
    co_await sleep(s.ms);
    co_return n;
  }
  void handle_cast(add a, int& n) { n += a.by; }
};

class GenServerTest : public test_support::on_both_runtimes {};

TEST_P(GenServerTest, CallReturnsTheHandlersReplyAndCastsAreHandledInOrder) {
  int seen = 0;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start_link<counter>(10);
    EXPECT_TRUE(c.has_value());
    gen_server::cast<counter>(*c, counter::add{5});
    seen = co_await gen_server::call<counter>(*c, counter::get{});
    co_await gen_server::stop(*c);
  });
  EXPECT_EQ(seen, 15);
}

TEST_P(GenServerTest, ACallThatTimesOutExitsTheCallerAndTheLateReplyIsDropped) {
  term reason;
  std::size_t left = 99;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start<counter>(1);
    auto r = co_await gen_server::try_call<counter>(*c, counter::slow{200}, 50);
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::timeout);
    reason = r.error().reason;
    co_await sleep(400);
    left = self_info().message_queue_len;
  });
  EXPECT_EQ(left, 0U);
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0], term(atoms::timeout));
}

TEST_P(GenServerTest, ACallToADeadServerFailsWithNoproc) {
  errc code = errc::exit;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start<counter>(1);
    co_await gen_server::stop(*c);
    auto r = co_await gen_server::try_call<counter>(*c, counter::get{});
    code = r.error().code;
  });
  EXPECT_EQ(code, errc::noproc);
}

OTTER_ON_BOTH_RUNTIMES(GenServerTest);

}  // namespace
}  // namespace otter
