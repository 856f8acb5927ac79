// tests/core/timer_storage_test.cpp: the lifetime of a timer's message. send_after, send_at and
// start_timer build the message in the same allocation as the timer (process_api.hpp,
// arm_timer_with); an over-aligned message gets its own node. Either way the message must be
// destroyed exactly once: by its receiver, by a cancel, when the destination is dead at expiry,
// or at runtime shutdown.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

// Counts live instances (every construction, copies and moves included, against every
// destruction), and carries a heap string so that a double destruction or a leak is an ASan
// error as well.
std::atomic<int> live{0};

template <std::size_t Align>
struct alignas(Align) counted {
  std::string text;
  explicit counted(std::string t) : text(std::move(t)) { live.fetch_add(1); }
  counted(const counted& o) : text(o.text) { live.fetch_add(1); }
  counted(counted&& o) noexcept : text(std::move(o.text)) { live.fetch_add(1); }
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) noexcept = default;
  ~counted() { live.fetch_sub(1); }
};
using small_msg = counted<alignof(std::string)>;  // shares the timer's allocation
using aligned_msg = counted<64>;                  // above operator new's alignment: own node

// Each test starts from no live message.
class TimerStorageTest : public ::testing::Test {
protected:
  void SetUp() override { live.store(0); }
};

template <class M>
void check_received_once(const std::string& text) {
  deterministic_runtime rt;
  std::optional<std::string> got;
  rt.run([&]() -> co<void> {
    (void)send_after(self(), M(text), 30ms);
    M m = co_await receive<M>();
    got = m.text;
  });
  EXPECT_EQ(got, std::optional<std::string>(text));
  EXPECT_EQ(live.load(), 0);
}

TEST_F(TimerStorageTest, AFiredMessageIsReceivedIntactAndDestroyedOnce) {
  check_received_once<small_msg>("a message long enough to live on the heap, not inline");
}

TEST_F(TimerStorageTest, AnOverAlignedMessageIsReceivedIntactAndDestroyedOnce) {
  check_received_once<aligned_msg>("an over-aligned message long enough to live on the heap");
}

template <class M>
void check_cancel_destroys() {
  deterministic_runtime rt;
  pid holder = rt.spawn([]() -> co<> { (void)co_await receive<int>(); });
  rt.run_until_idle();
  ref r = send_after(holder, M("cancelled before it was due, so never delivered"), 100ms);
  EXPECT_EQ(live.load(), 1);
  EXPECT_EQ(cancel_timer(r), std::optional<std::int64_t>(100));
  EXPECT_EQ(live.load(), 0);  // the manual runtime's wheel is this thread's: unlinked at once
  rt.advance(200ms);
  EXPECT_EQ(rt.process_info(holder)->message_queue_len, 0U);
  EXPECT_EQ(live.load(), 0);
}

TEST_F(TimerStorageTest, CancellingDestroysTheMessage) {
  check_cancel_destroys<small_msg>();
}

TEST_F(TimerStorageTest, CancellingDestroysAnOverAlignedMessage) {
  check_cancel_destroys<aligned_msg>();
}

TEST_F(TimerStorageTest, AMessageToADeadProcessIsDestroyedAtExpiry) {
  deterministic_runtime rt;
  pid gone = rt.spawn([]() -> co<> { co_return; });
  rt.run_until_idle();
  (void)send_after(gone, small_msg("to a process that has already exited, dropped"), 10ms);
  (void)send_after(atom("nobody_has_this_name"), small_msg("to a name nobody has"), 10ms);
  EXPECT_EQ(live.load(), 2);
  rt.advance(10ms);
  EXPECT_EQ(live.load(), 0);
}

TEST_F(TimerStorageTest, PendingTimersDestroyTheirMessagesAtShutdown) {
  {
    deterministic_runtime rt;
    pid holder = rt.spawn([]() -> co<> { (void)co_await receive<int>(); });
    rt.run_until_idle();
    (void)send_after(holder, small_msg("still pending when the runtime goes away"), 1h);
    (void)start_timer(1h, holder, aligned_msg("an over-aligned one, pending too"));
    EXPECT_EQ(live.load(), 2);
  }
  EXPECT_EQ(live.load(), 0);
}

constexpr int rounds = 200;

// Timers cancelled by another process, on either scheduler, while they fire: whichever side
// wins, each message is destroyed exactly once (the runtime's shutdown drops what lingers).
TEST_F(TimerStorageTest, CancelRacingExpiryOnTheThreadedRuntimeDestroysEachMessageOnce) {
  {
    runtime rt(runtime_options{.schedulers = 2});
    int received = rt.run(
        []() -> co<int> {
          std::vector<ref> refs;
          for (int i = 0; i < rounds; ++i) {
            refs.push_back(send_after(self(), small_msg("racing its own cancel"),
                                      std::chrono::milliseconds(i % 3)));
          }
          pid canceller = spawn([refs, main = self()] {
            int cancelled = 0;
            for (ref r : refs) {
              cancelled += cancel_timer(r).has_value() ? 1 : 0;
            }
            send(main, cancelled);
          });
          (void)canceller;
          int cancelled = co_await receive<int>();
          int got = 0;
          while (co_await receive_for<small_msg>(200ms)) {
            ++got;
          }
          EXPECT_EQ(got + cancelled, rounds);
          co_return got;
        },
        30s);
    EXPECT_LE(received, rounds);
  }
  EXPECT_EQ(live.load(), 0);
}

}  // namespace
}  // namespace otter
