// Tests for monitors (otter/core/process.hpp): DOWN messages and their reasons, monitors of
// dead pids and of names, demonitor with its flush and info options, spawn_monitor, and the
// order of link exit and DOWN for one dying process. The rules are Erlang's.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <set>
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
class MonitorTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(MonitorTest);

struct go {};

/// The DOWN of monitor `r` if it is in the mailbox now, without waiting.
co<std::optional<down_msg>> down_now(ref r) {
  co_return co_await receive(
      on<down_msg>([r](const down_msg& d) { return d.monitor == r; },
                   [](down_msg& d) { return std::optional<down_msg>(std::move(d)); }),
      after(0, [] { return std::optional<down_msg>(); }));
}

/// Waits (bounded) until the mailbox holds `n` messages, without taking any.
co<bool> await_mailbox_len(std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (self_info().message_queue_len < n) {
    if (std::chrono::steady_clock::now() > deadline) {
      co_return false;
    }
    co_await yield();
  }
  co_return true;
}

/// Waits for `go`, then exits with `reason`.
co<void> exit_on_go(term reason) {
  (void)co_await receive<go>();
  otter::exit(std::move(reason));
}

co<void> wait_forever() {
  (void)co_await receive<go>();
}

/// `{:DOWN, ref, :process, object, reason}` as printed.
std::string down_text(ref r, const term& object, const term& reason) {
  return down_msg{r, object, reason}.to_term().to_string();
}

// -- DOWN
// ---------------------------------------------------------------------------------------------

TEST_P(MonitorTest, DownCarriesTheExitReason) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    pid child = spawn(exit_on_go, term(tuple(a("bye"), 1)));
    ref m = monitor(child);
    send(child, go{});
    down_msg d = co_await down_of(m);
    co_return std::pair<std::string, std::string>{d.to_term().to_string(),
                                                  down_text(m, child, tuple(a("bye"), 1))};
  });

  EXPECT_EQ(got, expected);
}

TEST_P(MonitorTest, DownOfANormalReturnIsNormal) {
  auto reason = run([]() -> co<std::string> {
    pid child = spawn(wait_forever);
    ref m = monitor(child);
    send(child, go{});
    co_return (co_await down_of(m)).reason.to_string();
  });

  EXPECT_EQ(reason, ":normal");
}

TEST_P(MonitorTest, AMonitorDoesNotKillTheMonitoringProcess) {
  auto [reason, trapping] = run([]() -> co<std::pair<std::string, bool>> {
    pid child = spawn(exit_on_go, term(a("crash")));
    ref m = monitor(child);
    send(child, go{});
    std::string r = (co_await down_of(m)).reason.to_string();
    co_return std::pair<std::string, bool>{r, trapping_exits()};
  });

  EXPECT_EQ(reason, ":crash");  // and run() returning shows the monitoring process lives on
  EXPECT_FALSE(trapping);
}

TEST_P(MonitorTest, EachMonitorGetsItsOwnDown) {
  auto [refs_distinct, downs] = run([]() -> co<std::pair<bool, int>> {
    pid child = spawn(exit_on_go, term(a("x")));
    ref m1 = monitor(child);
    ref m2 = monitor(child);
    send(child, go{});
    (void)co_await down_of(m1);
    (void)co_await down_of(m2);
    int extra = 0;
    while (co_await receive_for<down_msg>(0)) {
      ++extra;
    }
    co_return std::pair<bool, int>{m1 != m2, 2 + extra};
  });

  EXPECT_TRUE(refs_distinct);
  EXPECT_EQ(downs, 2);
}

TEST_P(MonitorTest, MonitorOfADeadPidDeliversDownNoprocAtOnce) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    auto [dead, m0] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m0);
    ref m = monitor(dead);
    auto d = co_await receive_for<down_msg>(5s);
    co_return std::pair<std::string, std::string>{d ? d->to_term().to_string() : "none",
                                                  down_text(m, dead, atoms::noproc)};
  });

  EXPECT_EQ(got, expected);
}

TEST_P(MonitorTest, MonitorOfTheNullPidDeliversDownNoproc) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    ref m = monitor(pid{});
    auto d = co_await receive_for<down_msg>(5s);
    co_return std::pair<std::string, std::string>{d ? d->to_term().to_string() : "none",
                                                  down_text(m, pid{}, atoms::noproc)};
  });

  EXPECT_EQ(got, expected);
}

// As on the BEAM: the DOWN :noproc of a dead target is queued after what the mailbox already
// holds, like any signal that arrives later.
TEST_P(MonitorTest, TheNoprocDownComesAfterMessagesAlreadySent) {
  auto order = run([]() -> co<std::vector<std::string>> {
    auto [dead, m0] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m0);
    send(self(), term(a("first")));
    (void)monitor(dead);
    std::vector<std::string> out;
    for (int i = 0; i < 2; ++i) {
      auto msg = co_await receive_any(5s);
      out.push_back(!msg ? "none" : msg->is<down_msg>() ? "DOWN" : msg->to_term().to_string());
    }
    co_return out;
  });

  EXPECT_EQ(order, (std::vector<std::string>{":first", "DOWN"}));
}

TEST_P(MonitorTest, ProcessInfoListsMonitorsOnBothSides) {
  struct outcome {
    std::vector<std::string> monitors;
    std::string expected_monitor;
    std::vector<pid> monitored_by;
    pid me;
  };
  auto o = run([]() -> co<outcome> {
    outcome r;
    r.me = self();
    pid child = spawn(wait_forever);
    (void)monitor(child);
    for (const term& t : self_info().monitors) {
      r.monitors.push_back(t.to_string());
    }
    r.expected_monitor = tuple(atoms::process, child).to_string();
    auto info = co_await process_info(child);
    r.monitored_by = info ? info->monitored_by : std::vector<pid>{};
    co_return r;
  });

  EXPECT_EQ(o.monitors, std::vector<std::string>{o.expected_monitor});
  EXPECT_EQ(o.monitored_by, std::vector<pid>{o.me});
}

// -- monitor by name
// -------------------------------------------------------------------------------------

// A monitor taken on a registered name reports the object as `{name, node}`.
TEST_P(MonitorTest, MonitorByNameReportsNameAndNodeAsTheObject) {
  auto [got, expected, info_entry] =
      run([]() -> co<std::tuple<std::string, std::string, std::string>> {
        atom name("monitor_test_named");
        pid child = spawn(exit_on_go, term(a("bye")));
        (void)register_name(name, child);
        ref m = monitor(name);
        auto monitors = self_info().monitors;
        std::string entry = monitors.size() == 1 ? monitors[0].to_string() : "wrong count";
        send(name, go{});
        down_msg d = co_await down_of(m);
        co_return std::tuple<std::string, std::string, std::string>{
            d.to_term().to_string(), down_text(m, tuple(name, atoms::nonode), a("bye")), entry};
      });

  EXPECT_EQ(got, expected);
  EXPECT_EQ(info_entry, "{:process, {:monitor_test_named, :nonode@nohost}}");
}

TEST_P(MonitorTest, MonitorOfAnUnregisteredNameDeliversDownNoproc) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    atom name("monitor_test_nobody");
    ref m = monitor(name);
    auto d = co_await receive_for<down_msg>(5s);
    co_return std::pair<std::string, std::string>{
        d ? d->to_term().to_string() : "none",
        down_text(m, tuple(name, atoms::nonode), atoms::noproc)};
  });

  EXPECT_EQ(got, expected);
}

// -- demonitor ------------------------------------------------------------------------------------

TEST_P(MonitorTest, DemonitorPreventsALaterDown) {
  auto [result, stale_down, other_reason] = run([]() -> co<std::tuple<bool, bool, std::string>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref dropped = monitor(child);
    ref kept = monitor(child);
    bool r = demonitor(dropped);
    send(child, go{});
    std::string reason = (co_await down_of(kept)).reason.to_string();
    bool stale = (co_await down_now(dropped)).has_value();
    co_return std::tuple<bool, bool, std::string>{r, stale, reason};
  });

  EXPECT_TRUE(result);
  EXPECT_FALSE(stale_down);
  EXPECT_EQ(other_reason, ":bye");
}

TEST_P(MonitorTest, DemonitorRemovesTheMonitorFromBothSides) {
  auto [mine, theirs] = run([]() -> co<std::pair<std::size_t, std::size_t>> {
    pid child = spawn(wait_forever);
    ref m = monitor(child);
    (void)demonitor(m);
    auto info = co_await process_info(child);  // handled after the demonitor signal
    co_return std::pair<std::size_t, std::size_t>{self_info().monitors.size(),
                                                  info ? info->monitored_by.size() : 99};
  });

  EXPECT_EQ(mine, 0U);
  EXPECT_EQ(theirs, 0U);
}

// demonitor(ref, [:info]) is true only while the monitor is active; a DOWN already delivered
// stays in the mailbox unless :flush is given.
TEST_P(MonitorTest, DemonitorInfoOfAnActiveMonitorIsTrue) {
  auto [info, down_later] = run([]() -> co<std::pair<bool, bool>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref m = monitor(child);
    ref kept = monitor(child);
    bool i = demonitor(m, {.info = true});
    send(child, go{});
    (void)co_await down_of(kept);
    co_return std::pair<bool, bool>{i, (co_await down_now(m)).has_value()};
  });

  EXPECT_TRUE(info);
  EXPECT_FALSE(down_later);
}

TEST_P(MonitorTest, DemonitorInfoAfterTheDownArrivedIsFalseAndLeavesTheDown) {
  auto [info, down_kept, reason] = run([]() -> co<std::tuple<bool, bool, std::string>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref m = monitor(child);
    send(child, go{});
    bool arrived = co_await await_mailbox_len(1);
    bool i = demonitor(m, {.info = true});
    auto d = co_await down_now(m);
    co_return std::tuple<bool, bool, std::string>{i, arrived && d.has_value(),
                                                  d ? d->reason.to_string() : "none"};
  });

  EXPECT_FALSE(info);
  EXPECT_TRUE(down_kept);
  EXPECT_EQ(reason, ":bye");
}

TEST_P(MonitorTest, DemonitorFlushRemovesADownAlreadyInTheMailbox) {
  auto [result, arrived, left] = run([]() -> co<std::tuple<bool, bool, std::size_t>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref m = monitor(child);
    send(self(), term(a("unrelated")));
    send(child, go{});
    bool arr = co_await await_mailbox_len(2);
    bool r = demonitor(m, {.flush = true});
    co_return std::tuple<bool, bool, std::size_t>{r, arr, self_info().message_queue_len};
  });

  EXPECT_TRUE(result);
  EXPECT_TRUE(arrived);
  EXPECT_EQ(left, 1U);  // only :unrelated is left
}

TEST_P(MonitorTest, DemonitorFlushInfoIsFalseWhenTheDownHadArrived) {
  auto [info, left] = run([]() -> co<std::pair<bool, std::size_t>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref m = monitor(child);
    send(child, go{});
    (void)co_await await_mailbox_len(1);
    bool i = demonitor(m, {.flush = true, .info = true});
    co_return std::pair<bool, std::size_t>{i, self_info().message_queue_len};
  });

  EXPECT_FALSE(info);
  EXPECT_EQ(left, 0U);
}

TEST_P(MonitorTest, DemonitorFlushInfoOfAnActiveMonitorIsTrue) {
  auto [info, down_later] = run([]() -> co<std::pair<bool, bool>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref m = monitor(child);
    ref kept = monitor(child);
    bool i = demonitor(m, {.flush = true, .info = true});
    send(child, go{});
    (void)co_await down_of(kept);
    co_return std::pair<bool, bool>{i, (co_await down_now(m)).has_value()};
  });

  EXPECT_TRUE(info);
  EXPECT_FALSE(down_later);
}

// A DOWN that reached the process while it was busy counts as delivered: demonitor with
// info reports the monitor inactive, and flush removes that DOWN.
TEST_F(MonitorTest, DemonitorSeesADownThatArrivedWhileTheProcessWasBusy) {
  testing::deterministic_runtime rt;
  auto [info, left] = rt.run([]() -> co<std::pair<bool, std::size_t>> {
    pid child = spawn(exit_on_go, term(a("bye")));
    ref m = monitor(child);
    send(child, go{});
    co_await yield();  // the child runs and exits; its DOWN arrives meanwhile
    bool i = demonitor(m, {.flush = true, .info = true});
    co_return std::pair<bool, std::size_t>{i, self_info().message_queue_len};
  });

  EXPECT_FALSE(info);
  EXPECT_EQ(left, 0U);
}

TEST_P(MonitorTest, DemonitorTwiceIsHarmless) {
  auto results = run([]() -> co<std::vector<bool>> {
    pid child = spawn(wait_forever);
    ref m = monitor(child);
    std::vector<bool> r;
    r.push_back(demonitor(m));
    r.push_back(demonitor(m));
    r.push_back(demonitor(m, {.info = true}));
    send(child, go{});
    co_return r;
  });

  EXPECT_EQ(results, (std::vector<bool>{true, true, false}));
}

// -- spawn_monitor ------------------------------------------------------------------------------

TEST_P(MonitorTest, SpawnMonitorReturnsThePidAndTheMonitorOfTheChild) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    auto [child, m] = spawn_monitor(exit_on_go, term(a("bye")));
    send(child, go{});
    down_msg d = co_await down_of(m);
    co_return std::pair<std::string, std::string>{d.to_term().to_string(),
                                                  down_text(m, child, a("bye"))};
  });

  EXPECT_EQ(got, expected);
}

// spawn_monitor is atomic: a child that dies at once still reports its own reason, not :noproc.
TEST_P(MonitorTest, SpawnMonitorOfAChildThatDiesAtOnceReportsItsReason) {
  auto reasons = run([]() -> co<std::set<std::string>> {
    std::vector<ref> mons;
    for (int i = 0; i < 50; ++i) {
      auto [child, m] = spawn_monitor([]() -> co<void> {
        otter::exit(a("instant"));
        co_return;
      });
      (void)child;
      mons.push_back(m);
    }
    std::set<std::string> seen;
    for (ref m : mons) {
      seen.insert((co_await down_of(m)).reason.to_string());
    }
    co_return seen;
  });

  EXPECT_EQ(reasons, std::set<std::string>{":instant"});
}

TEST_P(MonitorTest, SpawnOptWithMonitorFillsTheMonitor) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    ref m;
    pid child = spawn_opt(
        {.monitor = true}, []() -> co<void> { co_return; }, &m);
    down_msg d = co_await down_of(m);
    co_return std::pair<std::string, std::string>{d.to_term().to_string(),
                                                  down_text(m, child, atoms::normal)};
  });

  EXPECT_EQ(got, expected);
}

// Signals from one process keep their order: what a process sent before it died arrives before
// its DOWN.
TEST_P(MonitorTest, MessagesSentBeforeDyingArriveBeforeTheDown) {
  constexpr int rounds = 50;
  auto orders = run([]() -> co<std::set<std::string>> {
    pid me = self();
    std::set<std::string> seen;
    for (int i = 0; i < rounds; ++i) {
      auto [child, m] = spawn_monitor([me]() -> co<void> {
        send(me, term(a("last_words")));
        co_return;
      });
      (void)child;
      std::string order;
      for (int k = 0; k < 2; ++k) {
        auto msg = co_await receive_any(10s);
        order += !msg ? "none " : msg->is<down_msg>() ? "DOWN " : msg->to_term().to_string() + " ";
      }
      seen.insert(order);
    }
    co_return seen;
  });

  EXPECT_EQ(orders, std::set<std::string>{":last_words DOWN "});
}

// -- order of link exit and DOWN
// ---------------------------------------------------------------------

// For one dying process, linked processes get the exit signal before monitors get DOWN.
TEST_P(MonitorTest, TheLinkExitMsgArrivesBeforeTheDown) {
  constexpr int rounds = 100;
  auto orders = run([]() -> co<std::set<std::string>> {
    (void)trap_exit(true);
    std::set<std::string> seen;
    for (int i = 0; i < rounds; ++i) {
      ref m;
      (void)spawn_opt(
          {.link = true, .monitor = true},
          []() -> co<void> {
            otter::exit(a("bye"));
            co_return;
          },
          &m);
      std::string order;
      for (int k = 0; k < 2; ++k) {
        auto msg = co_await receive_any(10s);
        order += !msg                  ? "none "
                 : msg->is<exit_msg>() ? "EXIT "
                 : msg->is<down_msg>() ? "DOWN "
                                       : "other ";
      }
      seen.insert(order);
    }
    co_return seen;
  });

  EXPECT_EQ(orders, std::set<std::string>{"EXIT DOWN "});
}

}  // namespace
}  // namespace otter
