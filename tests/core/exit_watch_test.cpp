// Tests for exit watches (otter/core/exit_watch.hpp): a watch runs once with the exit reason,
// before the process's DOWN and EXIT are delivered; a dead process cannot be watched; an
// unwatched watch never runs; a watch may send, and may watch another process.

#include "otter/otter.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <utility>

namespace otter {
namespace {

using test_support::down_of;

class ExitWatchTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(ExitWatchTest);

struct go {};
struct exited {
  pid who;
  term reason;
};

/// Records what it saw; the counter is atomic because the watch runs on the exiting process's
/// scheduler thread.
class recording_watch : public exit_watch {
public:
  void process_exited(pid who, const term& reason) noexcept override {
    who_ = who;
    reason_ = reason;
    calls.fetch_add(1, std::memory_order_release);
  }
  std::atomic<int> calls{0};
  [[nodiscard]] pid who() const { return who_; }
  [[nodiscard]] const term& reason() const { return reason_; }

private:
  pid who_;
  term reason_;
};

/// Sends exited{who, reason} to `to` from inside the exit.
class forwarding_watch : public exit_watch {
public:
  explicit forwarding_watch(pid to) : to_(to) {}
  void process_exited(pid who, const term& reason) noexcept override {
    send(to_, exited{who, reason});
  }

private:
  pid to_;
};

co<void> exit_on_go(term reason) {
  (void)co_await receive<go>();
  otter::exit(std::move(reason));
}

TEST_P(ExitWatchTest, AWatchRunsOnceWithTheReasonBeforeTheDownIsDelivered) {
  auto w = std::make_shared<recording_watch>();
  run([w]() -> co<void> {
    auto [p, r] = spawn_monitor(exit_on_go, atom("bye"));
    EXPECT_TRUE(watch_exit(p, w));
    send(p, go{});
    down_msg d = co_await down_of(r);
    // The DOWN is sent after the watch ran: its effect is visible to the monitor.
    EXPECT_EQ(w->calls.load(std::memory_order_acquire), 1);
    EXPECT_EQ(w->who(), p);
    EXPECT_EQ(w->reason(), term(atom("bye")));
    EXPECT_EQ(d.reason, term(atom("bye")));
  });
  EXPECT_EQ(w->calls.load(), 1);
}

TEST_P(ExitWatchTest, AWatchRunsBeforeALinkedProcessGetsTheExit) {
  auto w = std::make_shared<recording_watch>();
  run([w]() -> co<void> {
    trap_exit(true);
    pid p = spawn_link(exit_on_go, atom("bye"));
    EXPECT_TRUE(watch_exit(p, w));
    send(p, go{});
    exit_msg e = co_await receive<exit_msg>();
    EXPECT_EQ(e.from, p);
    EXPECT_EQ(w->calls.load(std::memory_order_acquire), 1);
  });
}

TEST_P(ExitWatchTest, ADeadProcessCannotBeWatched) {
  auto w = std::make_shared<recording_watch>();
  run([w]() -> co<void> {
    auto [p, r] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(r);
    EXPECT_FALSE(watch_exit(p, w));
  });
  EXPECT_EQ(w->calls.load(), 0);
}

TEST_P(ExitWatchTest, AnUnwatchedWatchNeverRuns) {
  auto kept = std::make_shared<recording_watch>();
  auto dropped = std::make_shared<recording_watch>();
  run([kept, dropped]() -> co<void> {
    auto [p, r] = spawn_monitor(exit_on_go, atoms::normal);
    EXPECT_TRUE(watch_exit(p, kept));
    EXPECT_TRUE(watch_exit(p, dropped));
    unwatch_exit(p, dropped.get());
    send(p, go{});
    (void)co_await down_of(r);
  });
  EXPECT_EQ(kept->calls.load(), 1);
  EXPECT_EQ(dropped->calls.load(), 0);
}

TEST_P(ExitWatchTest, WatchingTwiceRunsTwice) {
  auto w = std::make_shared<recording_watch>();
  run([w]() -> co<void> {
    auto [p, r] = spawn_monitor(exit_on_go, atoms::normal);
    EXPECT_TRUE(watch_exit(p, w));
    EXPECT_TRUE(watch_exit(p, w));
    send(p, go{});
    (void)co_await down_of(r);
  });
  EXPECT_EQ(w->calls.load(), 2);
}

TEST_P(ExitWatchTest, AWatchMaySendAndItsMessageComesBeforeTheDown) {
  run([]() -> co<void> {
    auto [p, r] = spawn_monitor(exit_on_go, atom("gone"));
    EXPECT_TRUE(watch_exit(p, std::make_shared<forwarding_watch>(self())));
    send(p, go{});
    // Both come from p's exit; the watch's message was sent first.
    exited e = co_await receive<exited>();
    EXPECT_EQ(e.who, p);
    EXPECT_EQ(e.reason, term(atom("gone")));
    EXPECT_EQ(self_info().message_queue_len, 1U);
    down_msg d = co_await down_of(r);
    EXPECT_EQ(d.reason, term(atom("gone")));
  });
}

TEST_P(ExitWatchTest, AKilledProcessRunsItsWatchesWithKilled) {
  auto w = std::make_shared<recording_watch>();
  run([w]() -> co<void> {
    auto [p, r] = spawn_monitor([]() -> co<void> { (void)co_await receive<go>(); });
    EXPECT_TRUE(watch_exit(p, w));
    otter::exit(p, atoms::kill);
    (void)co_await down_of(r);
    EXPECT_EQ(w->reason(), term(atoms::killed));
  });
}

}  // namespace
}  // namespace otter
