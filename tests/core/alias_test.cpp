// Process aliases (OTP 24): messages sent to an alias arrive while it is active and are
// dropped after unalias, even when they were already on their way.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter {
namespace {

using test_support::a;

class AliasTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(AliasTest);

struct reply_to {
  pid to;
  ref alias;
};

TEST_P(AliasTest, AMessageSentToAnActiveAliasArrives) {
  int got = run([]() -> co<int> {
    ref al = alias();
    pid me = self();
    spawn([me, al]() -> co<void> {
      send_to_alias(me, al, 42);
      co_return;
    });
    co_return co_await receive<int>();
  });
  EXPECT_EQ(got, 42);
}

// The point of aliases: a reply sent after the requester stopped waiting never lands in its
// mailbox (GenServer.call's timeout, conformance 22).
TEST_P(AliasTest, AMessageSentAfterUnaliasIsDropped) {
  std::size_t left = run([]() -> co<std::size_t> {
    ref al = alias();
    pid me = self();
    pid server = spawn([]() -> co<void> {
      reply_to r = co_await receive<reply_to>();
      co_await sleep(50);  // the requester gives up meanwhile
      send_to_alias(r.to, r.alias, std::string("late reply"));
      send(r.to, a("done"));
    });
    send(server, reply_to{me, al});
    auto early = co_await receive_for<std::string>(10);
    EXPECT_FALSE(early.has_value());
    EXPECT_TRUE(unalias(al));
    (void)co_await receive<atom>();  // the server sent its late reply before this
    co_return self_info().message_queue_len;
  });
  EXPECT_EQ(left, 0U);
}

TEST_P(AliasTest, WhatArrivedBeforeUnaliasStays) {
  std::string got = run([]() -> co<std::string> {
    ref al = alias();
    send_to_alias(self(), al, std::string("kept"));
    EXPECT_TRUE(unalias(al));
    EXPECT_FALSE(unalias(al));  // already inactive
    auto m = co_await receive_for<std::string>(0);
    co_return m.value_or("lost");
  });
  EXPECT_EQ(got, "kept");
}

TEST_P(AliasTest, AnUnknownAliasDeliversNothing) {
  std::size_t len = run([]() -> co<std::size_t> {
    send_to_alias(self(), make_ref(), 1);
    co_return self_info().message_queue_len;
  });
  EXPECT_EQ(len, 0U);
}

}  // namespace
}  // namespace otter
