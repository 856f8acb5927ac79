// Tests for selective receive (otter/core/receive.hpp): the save queue, clause and guard order,
// `after` timeouts (exact on the deterministic runtime's manual clock), the receive_for /
// receive_if / receive_any shorthands, and handlers that throw.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;

using test_support::a;
using test_support::down_of;
using test_support::run_deadline;
using test_support::runtime_kind;

// Every TEST_P runs once on each runtime (tests/support/both_runtimes.hpp).
class ReceiveTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(ReceiveTest);

/// The mailbox, oldest first, printed as a list.
std::string mailbox_text() {
  return term::list(self_info().messages).to_string();
}

// -- the save queue -------------------------------------------------------------------------------

// A receive takes the first message it accepts; the others stay, in arrival order.
TEST_P(ReceiveTest, SelectiveReceiveLeavesUnmatchedMessagesInOrder) {
  auto [taken, left] = run([]() -> co<std::pair<std::string, std::string>> {
    send(self(), term(a("a")));
    send(self(), tuple(a("x"), 1));
    send(self(), term(a("b")));
    send(self(), tuple(a("x"), 2));
    send(self(), term(a("c")));
    term t = co_await receive(
        on<term>([](const term& m) { return m.is_tuple(); }, [](term m) { return m; }));
    co_return std::pair<std::string, std::string>{t.to_string(), mailbox_text()};
  });

  EXPECT_EQ(taken, "{:x, 1}");
  EXPECT_EQ(left, "[:a, :b, {:x, 2}, :c]");
}

TEST_P(ReceiveTest, UnmatchedMessagesOfOtherTypesStayInOrder) {
  auto got = run([]() -> co<std::vector<std::string>> {
    send(self(), 1);
    send(self(), std::string("one"));
    send(self(), 2);
    send(self(), std::string("two"));
    std::vector<std::string> order;
    order.push_back(co_await receive<std::string>());
    for (int i = 0; i < 3; ++i) {
      auto m = co_await receive_any(0);
      order.push_back(m ? m->to_term().to_string() : "none");
    }
    co_return order;
  });

  EXPECT_EQ(got, (std::vector<std::string>{"one", "1", "2", "\"two\""}));
}

// Clauses are tried for each message in turn, so the oldest message any clause accepts wins,
// even when a later message matches an earlier clause.
TEST_P(ReceiveTest, TheEarliestMessageMatchingAnyClauseWins) {
  auto got = run([]() -> co<std::string> {
    send(self(), std::string("older"));
    send(self(), 5);
    co_return co_await receive(on<int>([](int n) { return "int " + std::to_string(n); }),
                               on<std::string>([](std::string s) { return "string " + s; }));
  });

  EXPECT_EQ(got, "string older");
}

TEST_P(ReceiveTest, AMessageMatchingSeveralClausesGoesToTheFirst) {
  auto got = run([]() -> co<std::string> {
    send(self(), term(7));
    co_return co_await receive(
        on<term>([](const term& t) { return t.is_integer(); }, [](term) { return "first"; }),
        on<term>([](term) { return "second"; }));
  });

  EXPECT_EQ(got, "first");
}

// -- guards -------------------------------------------------------------------------------

TEST_P(ReceiveTest, AGuardSkipsTheMessagesItRejects) {
  auto [first, second, left] = run([]() -> co<std::tuple<int, int, std::string>> {
    for (int n : {1, 7, 3, 10}) {
      send(self(), term(n));
    }
    auto big = [](const term& t) {
      return t.is_integer() && t.as_int() > 5;
    };
    auto take = [](term t) {
      return static_cast<int>(t.as_int());
    };
    int x = co_await receive(on<term>(big, take));
    int y = co_await receive(on<term>(big, take));
    co_return std::tuple<int, int, std::string>{x, y, mailbox_text()};
  });

  EXPECT_EQ(first, 7);
  EXPECT_EQ(second, 10);
  EXPECT_EQ(left, "[1, 3]");
}

TEST_P(ReceiveTest, AGuardedClauseFallsThroughToTheNextClause) {
  auto got = run([]() -> co<std::string> {
    send(self(), 3);
    co_return co_await receive(
        on<int>([](int n) { return n > 5; }, [](int) { return std::string("big"); }),
        on<int>([](int n) { return "small " + std::to_string(n); }));
  });

  EXPECT_EQ(got, "small 3");
}

// A process suspended in a selective receive is woken only by a message it accepts.
TEST_P(ReceiveTest, AWaitingReceiveSkipsMessagesThatArriveWithoutAMatch) {
  auto [value, left] = run([]() -> co<std::pair<int, std::string>> {
    pid parent = self();
    pid waiter = spawn([parent]() -> co<void> {
      int v = co_await receive(on<int>([](int n) { return n == 2; }, [](int n) { return n; }));
      send(parent, std::pair<int, std::string>{v, mailbox_text()});
    });
    send(waiter, 1);
    send(waiter, term(a("noise")));
    send(waiter, 2);
    co_return co_await receive<std::pair<int, std::string>>();
  });

  EXPECT_EQ(value, 2);
  EXPECT_EQ(left, "[1, :noise]");
}

// -- after ------------------------------------------------------------------------------------

TEST_P(ReceiveTest, AfterZeroReturnsAtOnceWhenNothingMatches) {
  auto [result, waited] = run([]() -> co<std::pair<std::string, std::int64_t>> {
    send(self(), std::string("not an int"));
    std::int64_t t0 = now_ms();
    std::string r = co_await receive(on<int>([](int) { return std::string("message"); }),
                                     after(0, [] { return std::string("timeout"); }));
    co_return std::pair<std::string, std::int64_t>{r, now_ms() - t0};
  });

  EXPECT_EQ(result, "timeout");
  if (GetParam() == runtime_kind::deterministic) {
    EXPECT_EQ(waited, 0);
  }
}

TEST_P(ReceiveTest, AfterZeroStillTakesAMessageAlreadyThere) {
  auto got = run([]() -> co<std::string> {
    send(self(), 3);
    co_return co_await receive(on<int>([](int n) { return "message " + std::to_string(n); }),
                               after(0, [] { return std::string("timeout"); }));
  });

  EXPECT_EQ(got, "message 3");
}

TEST_P(ReceiveTest, AfterInfinityWaitsForTheMessage) {
  auto got = run([]() -> co<std::string> {
    pid me = self();
    (void)spawn([me]() -> co<void> {
      co_await sleep(200ms);
      send(me, 9);
    });
    co_return co_await receive(on<int>([](int n) { return "message " + std::to_string(n); }),
                               after(infinity, [] { return std::string("timeout"); }));
  });

  EXPECT_EQ(got, "message 9");
}

// With nothing to wait for but an infinite receive, the deterministic runtime reports that the
// process can never finish instead of firing the `after`.
TEST_F(ReceiveTest, AfterInfinityNeverFires) {
  testing::deterministic_runtime rt;
  bool fired = false;
  term reason;
  try {
    rt.run(
        [&fired]() -> co<void> {
          fired = co_await receive(on<int>([](int) { return false; }),
                                   after(infinity, [] { return true; }));
        },
        std::chrono::hours(24 * 365));
  } catch (const run_error& e) {
    reason = e.reason();
  }

  EXPECT_FALSE(fired);
  EXPECT_EQ(reason.to_string(), ":timeout");
}

TEST_P(ReceiveTest, AReceiveWithoutAfterWaitsForTheMessage) {
  auto got = run([]() -> co<int> {
    pid me = self();
    (void)spawn([me]() -> co<void> {
      co_await sleep(50ms);
      send(me, 11);
    });
    co_return co_await receive<int>();
  });

  EXPECT_EQ(got, 11);
}

TEST_F(ReceiveTest, ATimeoutOnTheDeterministicRuntimeIsExact) {
  testing::deterministic_runtime rt;
  auto [result, waited] = rt.run([]() -> co<std::pair<std::string, std::int64_t>> {
    std::int64_t t0 = now_ms();
    std::string r = co_await receive(on<int>([](int) { return std::string("message"); }),
                                     after(250ms, [] { return std::string("timeout"); }));
    co_return std::pair<std::string, std::int64_t>{r, now_ms() - t0};
  });

  EXPECT_EQ(result, "timeout");
  EXPECT_EQ(waited, 250);
}

TEST_F(ReceiveTest, AMessageBeforeTheTimeoutEndsTheWaitAtItsArrival) {
  testing::deterministic_runtime rt;
  auto [value, waited] = rt.run([]() -> co<std::pair<std::optional<int>, std::int64_t>> {
    pid me = self();
    std::int64_t t0 = now_ms();
    (void)spawn([me]() -> co<void> {
      co_await sleep(100ms);
      send(me, 5);
    });
    auto v = co_await receive_for<int>(250ms);
    co_return std::pair<std::optional<int>, std::int64_t>{v, now_ms() - t0};
  });

  EXPECT_EQ(value, std::optional<int>(5));
  EXPECT_EQ(waited, 100);
}

// Erlang's `after` is measured from the start of the receive: messages that arrive and are not
// accepted do not restart it.
TEST_F(ReceiveTest, MessagesThatDoNotMatchDoNotRestartTheTimeout) {
  testing::deterministic_runtime rt;
  auto [result, waited, left] =
      rt.run([]() -> co<std::tuple<std::string, std::int64_t, std::size_t>> {
        pid me = self();
        std::int64_t t0 = now_ms();
        (void)spawn([me]() -> co<void> {
          for (int i = 0; i < 3; ++i) {
            co_await sleep(30ms);
            send(me, std::string("noise"));
          }
        });
        std::string r = co_await receive(on<int>([](int) { return std::string("message"); }),
                                         after(100ms, [] { return std::string("timeout"); }));
        co_return std::tuple<std::string, std::int64_t, std::size_t>{r, now_ms() - t0,
                                                                     self_info().message_queue_len};
      });

  EXPECT_EQ(result, "timeout");
  EXPECT_EQ(waited, 100);
  EXPECT_EQ(left, 3U);
}

TEST_F(ReceiveTest, ChronoDurationsAreRoundedUpToWholeMilliseconds) {
  testing::deterministic_runtime rt;
  auto waited = rt.run([]() -> co<std::int64_t> {
    std::int64_t t0 = now_ms();
    (void)co_await receive_for<int>(std::chrono::microseconds(1500));
    co_return now_ms() - t0;
  });

  EXPECT_EQ(waited, 2);
}

TEST_F(ReceiveTest, SleepLetsExactlyItsDurationPass) {
  testing::deterministic_runtime rt;
  auto waited = rt.run([]() -> co<std::int64_t> {
    std::int64_t t0 = now_ms();
    co_await sleep(1234ms);
    co_return now_ms() - t0;
  });

  EXPECT_EQ(waited, 1234);
}

// -- shorthands ----------------------------------------------------------------------------------

TEST_P(ReceiveTest, ReceiveForReturnsTheMessageOrNothingAtTheTimeout) {
  auto [hit, miss] = run([]() -> co<std::pair<std::optional<int>, std::optional<int>>> {
    send(self(), std::string("other type"));
    send(self(), 4);
    auto h = co_await receive_for<int>(1s);
    auto m = co_await receive_for<int>(20ms);
    co_return std::pair<std::optional<int>, std::optional<int>>{h, m};
  });

  EXPECT_EQ(hit, std::optional<int>(4));
  EXPECT_EQ(miss, std::nullopt);
}

TEST_P(ReceiveTest, ReceiveIfTakesOnlyWhatItsGuardAccepts) {
  auto [even, none,
        left] = run([]() -> co<std::tuple<std::optional<int>, std::optional<int>, std::string>> {
    for (int n : {1, 3, 4, 5}) {
      send(self(), n);
    }
    auto is_even = [](int n) {
      return n % 2 == 0;
    };
    auto e = co_await receive_if<int>(is_even, 1s);
    auto n = co_await receive_if<int>(is_even, 0);
    co_return std::tuple<std::optional<int>, std::optional<int>, std::string>{e, n, mailbox_text()};
  });

  EXPECT_EQ(even, std::optional<int>(4));
  EXPECT_EQ(none, std::nullopt);
  EXPECT_EQ(left, "[1, 3, 5]");
}

TEST_P(ReceiveTest, ReceiveAnyTakesTheOldestMessageOfAnyType) {
  struct outcome {
    bool first_is_string = false;
    std::string first;
    bool second_is_term = false;
    std::string second;
    bool third_present = true;
  };
  auto o = run([]() -> co<outcome> {
    send(self(), std::string("first"));
    send(self(), tuple(a("second"), 2));
    outcome r;
    auto m1 = co_await receive_any(1s);
    auto m2 = co_await receive_any(1s);
    auto m3 = co_await receive_any(0);
    r.first_is_string = m1 && m1->is<std::string>();
    r.first = r.first_is_string ? m1->get<std::string>() : "";
    r.second_is_term = m2 && m2->is<term>();
    r.second = r.second_is_term ? m2->get<term>().to_string() : "";
    r.third_present = m3.has_value();
    co_return r;
  });

  EXPECT_TRUE(o.first_is_string);
  EXPECT_EQ(o.first, "first");
  EXPECT_TRUE(o.second_is_term);
  EXPECT_EQ(o.second, "{:second, 2}");
  EXPECT_FALSE(o.third_present);
}

// A waiting receive lives in the frame of the process that waits: receive_any is the loop of
// every idle GenServer, so its size is part of each idle server's memory. Its clauses hold no
// state; what it keeps is receive_base (a vtable pointer, the timeout, a flag), the matched
// clause's index in that flag's padding, and one message pointer.
TEST(ReceiveAwaiterTest, AReceiveAnyKeepsFourWords) {
  EXPECT_EQ(sizeof(decltype(receive_any(infinity))), 4 * sizeof(void*));
  EXPECT_EQ(sizeof(decltype(receive_any(std::chrono::seconds(1)))), 4 * sizeof(void*));
}

TEST_P(ReceiveTest, OnMessageTakesAnyType) {
  auto got = run([]() -> co<std::string> {
    send(self(), 12);
    co_return co_await receive(on<message>([](message& m) { return m.to_term().to_string(); }));
  });

  EXPECT_EQ(got, "12");
}

// -- handlers and later receives ----------------------------------------------------------------

// A handler runs in the process: an exception it throws ends the process like any other.
TEST_P(ReceiveTest, AHandlerThatThrowsEndsTheProcessWithThatException) {
  auto [from_throw, from_exit] = run([]() -> co<std::pair<std::string, std::string>> {
    auto [p1, m1] = spawn_monitor([]() -> co<void> {
      (void)co_await receive(on<int>([](int) -> int { throw std::runtime_error("bad handler"); }));
    });
    send(p1, 1);
    auto [p2, m2] = spawn_monitor([]() -> co<void> {
      (void)co_await receive(on<int>([](int n) -> int { otter::exit(tuple(a("gave_up"), n)); }));
    });
    send(p2, 2);
    std::string r1 = (co_await down_of(m1)).reason.to_string();
    std::string r2 = (co_await down_of(m2)).reason.to_string();
    co_return std::pair<std::string, std::string>{r1, r2};
  });

  EXPECT_EQ(from_throw, R"({%RuntimeError{message: "bad handler"}, #Stacktrace})");
  EXPECT_EQ(from_exit, "{:gave_up, 2}");
}

TEST_P(ReceiveTest, AnExceptionFromAHandlerCanBeCaughtByTheProcess) {
  auto got = run([]() -> co<std::string> {
    send(self(), 1);
    std::string out;
    try {
      (void)co_await receive(on<int>([](int) -> int { throw std::invalid_argument("caught"); }));
    } catch (const std::invalid_argument& e) {
      out = e.what();
    }
    co_return out;
  });

  EXPECT_EQ(got, "caught");
}

TEST_P(ReceiveTest, ALaterReceiveSeesMessagesLeftByAnEarlierOne) {
  auto got = run([]() -> co<std::vector<std::string>> {
    send(self(), std::string("left for later"));
    send(self(), 1);
    std::vector<std::string> out;
    out.push_back(std::to_string(co_await receive<int>()));
    out.push_back(co_await receive<std::string>());
    co_return out;
  });

  EXPECT_EQ(got, (std::vector<std::string>{"1", "left for later"}));
}

TEST_P(ReceiveTest, MessagesSurviveAReceiveThatTimedOut) {
  auto [timed_out, later] = run([]() -> co<std::pair<bool, std::string>> {
    send(self(), std::string("kept"));
    bool t = !(co_await receive_for<int>(10ms)).has_value();
    co_return std::pair<bool, std::string>{t, co_await receive<std::string>()};
  });

  EXPECT_TRUE(timed_out);
  EXPECT_EQ(later, "kept");
}

}  // namespace
}  // namespace otter
