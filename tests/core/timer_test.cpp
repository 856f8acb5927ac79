// tests/core/timer_test.cpp: user timers (otter/core/timer.hpp), Erlang's send_after/3,4,
// start_timer/3, cancel_timer/1 and read_timer/1.
//
// Exact times come from the deterministic runtime (manual clock: rt.advance() moves it and
// otter::now_ms() reads it); the last tests check delivery with short real timers on the
// threaded runtime.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

struct tick {};

// Runs `f()` inside a short-lived process at the current clock time (the deterministic
// runtime's run() returns as soon as the process is done, without moving the clock).
template <class F>
auto in_process(deterministic_runtime& rt, F f) {
  return rt.run([f]() mutable -> co<std::invoke_result_t<F&>> { co_return f(); });
}

// A process that records the value and arrival time of every int it receives.
struct int_recorder {
  std::vector<int> values;
  std::vector<std::int64_t> times;

  pid start(runtime& rt) {
    return rt.spawn([this]() -> co<> {
      for (;;) {
        int v = co_await receive<int>();
        values.push_back(v);
        times.push_back(now_ms());
      }
    });
  }
};

// The number of messages in `p`'s mailbox (asked through process_info, so it is what the
// process itself would see).
std::size_t mailbox_len(deterministic_runtime& rt, pid p) {
  auto info = rt.process_info(p);
  EXPECT_TRUE(info.has_value());
  return info ? info->message_queue_len : 0;
}

TEST(TimerTest, SendAfterFiresAtItsDeadlineAndNotOneMillisecondBefore) {
  std::int64_t armed_at = -1;
  std::vector<std::int64_t> arrivals;
  int received = 0;
  deterministic_runtime rt;
  rt.spawn([&]() -> co<> {
    armed_at = now_ms();
    send_after(self(), 7, 100ms);
    received = co_await receive<int>();
    arrivals.push_back(now_ms());
  });
  rt.run_until_idle();
  ASSERT_EQ(armed_at, rt.now_ms());

  rt.advance(99ms);
  EXPECT_TRUE(arrivals.empty());
  EXPECT_EQ(rt.now_ms(), armed_at + 99);

  rt.advance(1ms);
  ASSERT_EQ(arrivals.size(), 1U);
  EXPECT_EQ(arrivals[0], armed_at + 100);
  EXPECT_EQ(received, 7);
}

TEST(TimerTest, SendAfterAcceptsAPlainMillisecondCount) {
  std::int64_t armed_at = -1;
  std::int64_t arrived_at = -1;
  deterministic_runtime rt;
  rt.spawn([&]() -> co<> {
    armed_at = now_ms();
    send_after(self(), tick{}, 250);
    (void)co_await receive<tick>();
    arrived_at = now_ms();
  });
  rt.run_until_idle();
  rt.advance(249ms);
  EXPECT_EQ(arrived_at, -1);
  rt.advance(1ms);
  EXPECT_EQ(arrived_at, armed_at + 250);
}

TEST(TimerTest, ADelayBetweenMillisecondsIsRoundedUpNeverDown) {
  std::int64_t armed_at = -1;
  std::int64_t arrived_at = -1;
  deterministic_runtime rt;
  rt.spawn([&]() -> co<> {
    armed_at = now_ms();
    send_after(self(), tick{}, std::chrono::microseconds(1500));
    (void)co_await receive<tick>();
    arrived_at = now_ms();
  });
  rt.run_until_idle();
  rt.advance(1ms);
  EXPECT_EQ(arrived_at, -1);  // 1.5 ms have not passed yet
  rt.advance(1ms);
  EXPECT_EQ(arrived_at, armed_at + 2);
}

TEST(TimerTest, SendAfterWithZeroDelayArrivesWithoutTimePassing) {
  std::int64_t armed_at = -1;
  std::int64_t arrived_at = -1;
  deterministic_runtime rt;
  rt.spawn([&]() -> co<> {
    armed_at = now_ms();
    send_after(self(), tick{}, 0ms);
    (void)co_await receive<tick>();
    arrived_at = now_ms();
  });
  rt.run_until_idle();
  EXPECT_EQ(arrived_at, armed_at);
}

TEST(TimerTest, SendAfterReturnsADistinctRefForEveryTimer) {
  deterministic_runtime rt;
  auto refs = rt.run([]() -> co<std::vector<ref>> {
    std::vector<ref> out;
    for (int i = 0; i < 3; ++i) {
      out.push_back(send_after(self(), i, 10ms));
    }
    co_return out;
  });
  ASSERT_EQ(refs.size(), 3U);
  EXPECT_FALSE(refs[0].is_null());
  EXPECT_NE(refs[0], refs[1]);
  EXPECT_NE(refs[1], refs[2]);
  EXPECT_NE(refs[0], refs[2]);
}

TEST(TimerTest, StartTimerDeliversTimeoutTupleWithItsRef) {
  ref armed;
  std::optional<timer_msg<std::string>> got;
  std::int64_t armed_at = -1;
  std::int64_t arrived_at = -1;
  deterministic_runtime rt;
  rt.spawn([&]() -> co<> {
    armed_at = now_ms();
    armed = start_timer(50ms, self(), std::string("wake up"));
    got = co_await receive<timer_msg<std::string>>();
    arrived_at = now_ms();
  });
  rt.run_until_idle();
  rt.advance(49ms);
  EXPECT_FALSE(got.has_value());
  rt.advance(1ms);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(armed.is_null());
  EXPECT_EQ(got->timer, armed);
  EXPECT_EQ(got->msg, "wake up");
  EXPECT_EQ(arrived_at, armed_at + 50);
  // {:timeout, ref, msg}, as :erlang.start_timer/3 delivers it.
  EXPECT_EQ(got->to_term(), tuple(atoms::timeout, armed, "wake up"));
}

TEST(TimerTest, CancelTimerReturnsRemainingMillisecondsAndPreventsDelivery) {
  int_recorder target;
  deterministic_runtime rt;
  pid p = target.start(rt);
  ref r = in_process(rt, [p] { return send_after(p, 1, 100ms); });

  rt.advance(30ms);
  std::optional<std::int64_t> left = in_process(rt, [r] { return cancel_timer(r); });
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(*left, 70);

  rt.advance(500ms);
  EXPECT_TRUE(target.values.empty());
  EXPECT_EQ(mailbox_len(rt, p), 0U);
}

TEST(TimerTest, CancelTimerTwiceReturnsNulloptTheSecondTime) {
  deterministic_runtime rt;
  auto [first, second] =
      rt.run([]() -> co<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>> {
        ref r = send_after(self(), 1, 1000ms);
        auto a = cancel_timer(r);
        auto b = cancel_timer(r);
        co_return std::pair{a, b};
      });
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 1000);
  EXPECT_FALSE(second.has_value());
}

TEST(TimerTest, CancelTimerAfterItFiredReturnsNulloptAndTheMessageStays) {
  int_recorder target;
  deterministic_runtime rt;
  pid holder = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  ref r = in_process(rt, [holder] { return send_after(holder, 5, 20ms); });
  rt.advance(20ms);
  EXPECT_FALSE(in_process(rt, [r] { return cancel_timer(r); }).has_value());
  auto info = rt.process_info(holder);
  ASSERT_TRUE(info.has_value());
  ASSERT_EQ(info->messages.size(), 1U);
  EXPECT_EQ(info->messages[0], term(5));
}

TEST(TimerTest, CancelTimerOfAStartTimerPreventsTheTimeoutMessage) {
  deterministic_runtime rt;
  pid holder = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  ref r = in_process(rt, [holder] { return start_timer(40ms, holder, 9); });
  rt.advance(15ms);
  EXPECT_EQ(in_process(rt, [r] { return cancel_timer(r); }), std::optional<std::int64_t>(25));
  rt.advance(100ms);
  EXPECT_EQ(mailbox_len(rt, holder), 0U);
}

TEST(TimerTest, ReadTimerReportsTheMillisecondsLeft) {
  deterministic_runtime rt;
  pid holder = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  ref r = in_process(rt, [holder] { return send_after(holder, 1, 100ms); });
  EXPECT_EQ(in_process(rt, [r] { return read_timer(r); }), std::optional<std::int64_t>(100));
  rt.advance(40ms);
  EXPECT_EQ(in_process(rt, [r] { return read_timer(r); }), std::optional<std::int64_t>(60));
  rt.advance(59ms);
  EXPECT_EQ(in_process(rt, [r] { return read_timer(r); }), std::optional<std::int64_t>(1));
  // Reading does not cancel: the message still arrives.
  rt.advance(1ms);
  EXPECT_EQ(mailbox_len(rt, holder), 1U);
}

TEST(TimerTest, ReadTimerReturnsNulloptAfterTheTimerFired) {
  deterministic_runtime rt;
  pid holder = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  ref r = in_process(rt, [holder] { return send_after(holder, 1, 10ms); });
  rt.advance(10ms);
  EXPECT_FALSE(in_process(rt, [r] { return read_timer(r); }).has_value());
}

TEST(TimerTest, ReadTimerReturnsNulloptAfterCancel) {
  deterministic_runtime rt;
  auto read = rt.run([]() -> co<std::optional<std::int64_t>> {
    ref r = send_after(self(), 1, 10ms);
    (void)cancel_timer(r);
    co_return read_timer(r);
  });
  EXPECT_FALSE(read.has_value());
}

TEST(TimerTest, ReadTimerOfAnUnknownRefReturnsNullopt) {
  deterministic_runtime rt;
  EXPECT_FALSE(in_process(rt, [] { return read_timer(make_ref()); }).has_value());
  EXPECT_FALSE(in_process(rt, [] { return cancel_timer(make_ref()); }).has_value());
}

TEST(TimerTest, SendAtFiresAtTheAbsoluteDeadline) {
  int_recorder target;
  deterministic_runtime rt;
  pid p = target.start(rt);
  rt.advance(1234ms);  // the deadline is absolute, not relative to the start of the clock
  const std::int64_t deadline = rt.now_ms() + 250;
  in_process(rt, [p, deadline] { (void)send_at(p, 3, deadline); });
  rt.advance(249ms);
  EXPECT_TRUE(target.values.empty());
  rt.advance(1ms);
  EXPECT_EQ(target.values, std::vector<int>{3});
  EXPECT_EQ(target.times, std::vector<std::int64_t>{deadline});
}

TEST(TimerTest, SendAtWithADeadlineInThePastFiresAtOnce) {
  int_recorder target;
  deterministic_runtime rt;
  pid p = target.start(rt);
  rt.advance(100ms);
  const std::int64_t now = rt.now_ms();
  in_process(rt, [p, now] { (void)send_at(p, 4, now - 50); });
  rt.run_until_idle();
  EXPECT_EQ(target.values, std::vector<int>{4});
  EXPECT_EQ(target.times, std::vector<std::int64_t>{now});
}

TEST(TimerTest, SendAfterToANameIsResolvedWhenTheTimerFires) {
  const atom name("timer_test_late_name");
  int_recorder first;
  int_recorder second;
  deterministic_runtime rt;
  pid a = first.start(rt);
  pid b = second.start(rt);
  rt.run_until_idle();
  // The name belongs to `a` when the timer is armed, to `b` when it fires.
  in_process(rt, [&] {
    EXPECT_TRUE(register_name(name, a));
    (void)send_after(name, 11, 100ms);
  });
  rt.advance(50ms);
  in_process(rt, [&] {
    EXPECT_TRUE(unregister(name));
    EXPECT_TRUE(register_name(name, b));
  });
  rt.advance(50ms);
  EXPECT_TRUE(first.values.empty());
  EXPECT_EQ(second.values, std::vector<int>{11});
  EXPECT_EQ(second.times, std::vector<std::int64_t>{rt.now_ms()});
}

TEST(TimerTest, SendAfterToANameNobodyHasIsDroppedSilently) {
  const atom name("timer_test_nobody");
  deterministic_runtime rt;
  // Unlike send/2 to a name, the timer raises nothing, neither when armed nor when it fires.
  pid armer = rt.spawn([name]() -> co<> {
    (void)send_after(name, 1, 10ms);
    (void)co_await receive<tick>();
  });
  rt.advance(20ms);
  EXPECT_TRUE(rt.alive(armer));
  EXPECT_EQ(mailbox_len(rt, armer), 0U);
}

TEST(TimerTest, TimerToADeadProcessIsDroppedEvenWhenItsSlotIsReused) {
  deterministic_runtime rt;
  pid dead = rt.spawn([]() -> co<> { co_return; });
  rt.run_until_idle();
  ASSERT_FALSE(rt.alive(dead));
  ref r = in_process(rt, [dead] { return send_after(dead, 1, 30ms); });
  EXPECT_FALSE(r.is_null());
  // The next process may get the dead one's slot (with a new generation): the timer must
  // not reach it.
  pid fresh = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  rt.advance(30ms);
  EXPECT_NE(fresh, dead);
  EXPECT_TRUE(rt.alive(fresh));
  EXPECT_EQ(mailbox_len(rt, fresh), 0U);
  EXPECT_FALSE(in_process(rt, [r] { return read_timer(r); }).has_value());
}

TEST(TimerTest, TimerToAProcessThatDiesBeforeItFiresIsDropped) {
  deterministic_runtime rt;
  pid victim = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  in_process(rt, [victim] { (void)send_after(victim, 1, 30ms); });
  rt.advance(10ms);
  rt.send(victim, tick{});  // it exits normally
  rt.run_until_idle();
  ASSERT_FALSE(rt.alive(victim));
  pid fresh = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  rt.advance(30ms);
  EXPECT_EQ(mailbox_len(rt, fresh), 0U);
}

TEST(TimerTest, ATimerOutlivesTheProcessThatArmedIt) {
  int_recorder target;
  deterministic_runtime rt;
  pid p = target.start(rt);
  pid armer = rt.spawn([p]() -> co<> {
    (void)send_after(p, 8, 50ms);
    co_return;  // exits at once; the timer is not linked to it
  });
  rt.run_until_idle();
  ASSERT_FALSE(rt.alive(armer));
  rt.advance(50ms);
  EXPECT_EQ(target.values, std::vector<int>{8});
}

TEST(TimerTest, ATimerIsCancelledWhenItsDestinationProcessExits) {
  // erlang:send_after/3: "the timer is automatically cancelled if the process referred to by
  // the pid is not alive": read_timer and cancel_timer then return false.
  deterministic_runtime rt;
  pid p = rt.spawn([]() -> co<> { (void)co_await receive<tick>(); });
  ref r = in_process(rt, [p] { return send_after(p, 1, 1000ms); });
  EXPECT_EQ(in_process(rt, [r] { return read_timer(r); }), std::optional<std::int64_t>(1000));
  rt.send(p, tick{});
  rt.run_until_idle();
  ASSERT_FALSE(rt.alive(p));
  EXPECT_FALSE(in_process(rt, [r] { return read_timer(r); }).has_value());
  EXPECT_FALSE(in_process(rt, [r] { return cancel_timer(r); }).has_value());
}

TEST(TimerTest, SendAfterArmedFromTheTestThreadFiresOnTheDeterministicRuntime) {
  int_recorder target;
  deterministic_runtime rt;
  pid p = target.start(rt);
  rt.run_until_idle();
  const std::int64_t t0 = rt.now_ms();
  ref r = send_after(p, 21, 40ms);  // the test thread drives rt: its calls go to rt
  EXPECT_EQ(read_timer(r), std::optional<std::int64_t>(40));
  rt.advance(39ms);
  EXPECT_TRUE(target.values.empty());
  rt.advance(1ms);
  EXPECT_EQ(target.values, std::vector<int>{21});
  EXPECT_EQ(target.times, std::vector<std::int64_t>{t0 + 40});
}

TEST(TimerTest, CancelTimerFromTheTestThreadPreventsDelivery) {
  int_recorder target;
  deterministic_runtime rt;
  pid p = target.start(rt);
  rt.run_until_idle();
  ref r = send_after(p, 1, 40ms);
  rt.advance(10ms);
  EXPECT_EQ(cancel_timer(r), std::optional<std::int64_t>(30));
  rt.advance(100ms);
  EXPECT_TRUE(target.values.empty());
}

TEST(TimerTest, ManyProcessesWithFiveMinuteTimersAllFireAtTheDeadlineAndNoneBefore) {
  // The notifier's shape: every process arms one long timer and waits for it.
  constexpr int n = 100'000;
  int fired = 0;
  int early = 0;
  deterministic_runtime rt;
  const std::int64_t deadline = rt.now_ms() + 5 * 60 * 1000;
  for (int i = 0; i < n; ++i) {
    rt.spawn([&fired, &early, deadline]() -> co<> {
      send_after(self(), tick{}, 5min);
      (void)co_await receive<tick>();
      if (now_ms() != deadline) {
        ++early;
      }
      ++fired;
    });
  }
  rt.run_until_idle();
  EXPECT_EQ(rt.process_count(), static_cast<std::size_t>(n));
  rt.advance(5min - 1ms);
  EXPECT_EQ(fired, 0);
  rt.advance(1ms);
  EXPECT_EQ(fired, n);
  EXPECT_EQ(early, 0);
  EXPECT_EQ(rt.process_count(), 0U);
}

TEST(TimerTest, ShortTimersAreDeliveredOnTheThreadedRuntimeAndNeverEarly) {
  constexpr int n = 1000;
  runtime rt(runtime_options{.schedulers = 2});
  auto waited = rt.run(
      []() -> co<std::vector<std::int64_t>> {
        const pid main = self();
        for (int i = 0; i < n; ++i) {
          spawn([main]() -> co<> {
            const std::int64_t t0 = now_ms();
            send_after(self(), tick{}, 20ms);
            (void)co_await receive<tick>();
            send(main, now_ms() - t0);
          });
        }
        std::vector<std::int64_t> out;
        for (int i = 0; i < n; ++i) {
          auto w = co_await receive_for<std::int64_t>(10s);
          if (!w) {
            break;
          }
          out.push_back(*w);
        }
        co_return out;
      },
      30s);
  ASSERT_EQ(waited.size(), static_cast<std::size_t>(n));
  for (std::int64_t w : waited) {
    EXPECT_GE(w, 20);
  }
}

TEST(TimerTest, ReadTimerOnTheThreadedRuntimeNeverReportsMoreThanTheDelay) {
  // As :erlang.read_timer/1 and cancel_timer/1: at most the delay asked for (Erlang reports
  // 200 or 199 right after arming a 200 ms timer).
  runtime rt(runtime_options{.schedulers = 2});
  auto [read, cancelled] = rt.run(
      []() -> co<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>> {
        ref r = send_after(self(), 1, 200ms);
        auto left = read_timer(r);
        co_return std::pair{left, cancel_timer(r)};
      },
      30s);
  ASSERT_TRUE(read.has_value());
  ASSERT_TRUE(cancelled.has_value());
  EXPECT_LE(*read, 200);
  EXPECT_GE(*read, 150);
  EXPECT_LE(*cancelled, 200);
  EXPECT_GE(*cancelled, 150);
}

TEST(TimerTest, StartTimerAndCancelAcrossSchedulersOnTheThreadedRuntime) {
  runtime rt(runtime_options{.schedulers = 2});
  struct outcome {
    bool timeout_matched = false;
    std::optional<std::int64_t> cancelled_left;
    bool cancelled_arrived = true;
  };
  auto out = rt.run(
      []() -> co<outcome> {
        outcome o;
        ref fired = start_timer(20ms, self(), 1);
        auto m = co_await receive_for<timer_msg<int>>(10s);
        o.timeout_matched = m.has_value() && m->timer == fired && m->msg == 1;
        // Armed here, cancelled from another process (possibly on the other scheduler).
        ref r = send_after(self(), 2, 200ms);
        (void)spawn([r, main = self()] { send(main, cancel_timer(r)); });
        auto left = co_await receive_for<std::optional<std::int64_t>>(10s);
        o.cancelled_left = left ? *left : std::nullopt;
        // A cancelled timer never delivers: wait well past its deadline.
        o.cancelled_arrived = (co_await receive_for<int>(400ms)).has_value();
        co_return o;
      },
      30s);
  EXPECT_TRUE(out.timeout_matched);
  ASSERT_TRUE(out.cancelled_left.has_value());
  EXPECT_GT(*out.cancelled_left, 0);
  EXPECT_LE(*out.cancelled_left, 200);
  EXPECT_FALSE(out.cancelled_arrived);
}

}  // namespace
}  // namespace otter
