// otter::shutdown_child and monitor_child (otter/otp/child_shutdown.hpp): OTP 25's
// supervisor:shutdown/2, including the races it guards against. Each test also checks that
// no {:EXIT} or DOWN of the child is left in the caller's mailbox.

#include "otter/otp/child_shutdown.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter {
namespace {

using test_support::a;

class ChildShutdownTest : public test_support::on_both_runtimes {};

/// A linked child that traps exits: on an exit signal from its parent it takes `stop_ms`
/// (sleeping) and then exits with `reason` (the signal's reason when nil). Returns once the
/// child traps exits.
co<pid> trapping_child(std::int64_t stop_ms, term reason = term()) {
  pid parent = self();
  pid child = spawn_link([parent, stop_ms, reason]() -> co<void> {
    trap_exit(true);
    send(parent, term(a("trapping")));
    auto from_parent = [parent](const exit_msg& m) {
      return m.from == parent;
    };
    term got = co_await receive(on<exit_msg>(from_parent, [](exit_msg& m) { return m.reason; }));
    co_await sleep(stop_ms);
    otter::exit(reason.is(atoms::nil) ? got : reason);
  });
  (void)co_await receive(on<term>([](const term& t) { return t.is(a("trapping")); }, [](term&) {}));
  co_return child;
}

/// A linked child that does not trap exits and waits forever.
co<pid> plain_child() {
  co_return spawn_link([]() -> co<void> { (void)co_await receive<term>(); });
}

struct outcome {
  term result;  // :ok or {:error, reason}
  std::int64_t took_ms = -1;
  std::size_t left = 99;  // messages left in the mailbox
};

template <class Make>
co<outcome> stop_child(Make make, std::int64_t shutdown) {
  trap_exit(true);
  pid child = co_await make();
  std::int64_t t0 = now_ms();
  expected<void> r = co_await shutdown_child(child, shutdown);
  outcome o;
  o.took_ms = now_ms() - t0;
  o.result = r ? term(atoms::ok) : tuple(atoms::error, r.error().reason);
  o.left = self_info().message_queue_len;
  co_return o;
}

TEST_P(ChildShutdownTest, ATrappingChildThatStopsInTimeEndsWithShutdown) {
  outcome o = run([]() { return stop_child([] { return trapping_child(10); }, 1000); });
  EXPECT_EQ(o.result, term(atoms::ok));
  EXPECT_EQ(o.left, 0U);
}

TEST_P(ChildShutdownTest, AChildThatDoesNotTrapDiesAtOnceWithShutdown) {
  outcome o = run([]() { return stop_child(plain_child, 1000); });
  EXPECT_EQ(o.result, term(atoms::ok));
  EXPECT_EQ(o.left, 0U);
}

TEST_P(ChildShutdownTest, BrutalKillKillsEvenATrappingChild) {
  outcome o = run([]() { return stop_child([] { return trapping_child(0); }, brutal_kill); });
  EXPECT_EQ(o.result, term(atoms::ok));
  EXPECT_EQ(o.left, 0U);
}

// OTP 25: a child killed after its time is a failure with :killed (the supervisor then logs
// a shutdown_error).
TEST_P(ChildShutdownTest, AChildThatDoesNotStopInTimeIsKilledAfterTheTimeout) {
  outcome o = run([]() { return stop_child([] { return trapping_child(60000); }, 50); });
  EXPECT_EQ(o.result, tuple(atoms::error, atoms::killed));
  EXPECT_GE(o.took_ms, 50);
  EXPECT_LT(o.took_ms, 30000);
  EXPECT_EQ(o.left, 0U);
}

TEST_P(ChildShutdownTest, InfinityWaitsAsLongAsTheChildNeeds) {
  outcome o = run([]() { return stop_child([] { return trapping_child(300); }, infinity); });
  EXPECT_EQ(o.result, term(atoms::ok));
  EXPECT_GE(o.took_ms, 300);
  EXPECT_EQ(o.left, 0U);
}

TEST_P(ChildShutdownTest, AChildEndingWithAnotherReasonIsAFailureWithThatReason) {
  outcome o = run([]() { return stop_child([] { return trapping_child(0, a("other")); }, 1000); });
  EXPECT_EQ(o.result, tuple(atoms::error, a("other")));
  EXPECT_EQ(o.left, 0U);
}

// The race monitor_child guards against: the child died before the shutdown began and its
// {:EXIT} is already in the mailbox. The real reason is returned (not :noproc) and both the
// {:EXIT} and the DOWN are consumed.
TEST_P(ChildShutdownTest, AChildThatAlreadyExitedGivesItsRealReason) {
  outcome o = run([]() -> co<outcome> {
    trap_exit(true);
    pid child = spawn_link([]() -> co<void> {
      otter::exit(a("boom"));
      co_return;
    });
    while (self_info().message_queue_len != 1) {  // its {:EXIT} has arrived
      co_await sleep(1);
    }
    expected<void> r = co_await shutdown_child(child, 1000);
    outcome out;
    out.result = r ? term(atoms::ok) : tuple(atoms::error, r.error().reason);
    out.left = self_info().message_queue_len;
    co_return out;
  });
  EXPECT_EQ(o.result, tuple(atoms::error, a("boom")));
  EXPECT_EQ(o.left, 0U);
}

// A "naughty" child that unlinked itself cannot hang the caller: the monitor still sees it.
TEST_P(ChildShutdownTest, AChildThatUnlinkedItselfIsStillStoppedThroughTheMonitor) {
  outcome o = run([]() -> co<outcome> {
    trap_exit(true);
    pid parent = self();
    pid child = spawn_link([parent]() -> co<void> {
      unlink(parent);
      send(parent, term(a("unlinked")));
      (void)co_await receive<term>();
    });
    term m = co_await receive<term>();
    EXPECT_EQ(m, term(a("unlinked")));
    expected<void> r = co_await shutdown_child(child, 1000);
    outcome out;
    out.result = r ? term(atoms::ok) : tuple(atoms::error, r.error().reason);
    out.left = self_info().message_queue_len;
    co_return out;
  });
  EXPECT_EQ(o.result, term(atoms::ok));
  EXPECT_EQ(o.left, 0U);
}

TEST_P(ChildShutdownTest, MonitorChildOfARunningChildReturnsAMonitorAndUnlinks) {
  bool linked_after = true;
  term reason;
  run([&]() -> co<void> {
    trap_exit(true);
    pid child = co_await plain_child();
    expected<ref> mon = co_await monitor_child(child);
    EXPECT_TRUE(mon.has_value());
    linked_after = false;
    for (const pid& l : self_info().links) {
      linked_after = linked_after || l == child;
    }
    otter::exit(child, a("go_away"));
    reason = co_await down_reason(*mon);
  });
  EXPECT_FALSE(linked_after);
  EXPECT_EQ(reason, term(a("go_away")));
}

OTTER_ON_BOTH_RUNTIMES(ChildShutdownTest);

}  // namespace
}  // namespace otter
