// Tests for links (otter/core/process.hpp): propagation of abnormal exits, :normal exits,
// trap_exit, the symmetry and set semantics of links, unlink, linking to dead pids and
// spawn_link. The rules are Erlang's (docs/design/signals.md).

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>
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
class LinkTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(LinkTest);

struct go {};

/// The exit reason reported by the DOWN of monitor `m`, printed.
co<std::string> reason_of(ref m) {
  co_return (co_await down_of(m)).reason.to_string();
}

/// The next exit_msg, printed as `{:EXIT, from, reason}`.
co<std::string> next_exit_msg() {
  co_return (co_await receive<exit_msg>()).to_term().to_string();
}

/// Waits for `go`, then exits with `reason`.
co<void> exit_on_go(term reason) {
  (void)co_await receive<go>();
  otter::exit(std::move(reason));
}

/// Waits for `go`; most callers never send it, so the process lives until an exit signal.
co<void> wait_forever() {
  (void)co_await receive<go>();
}

/// A process's links, from process_info.
co<std::vector<pid>> links_of(pid p) {
  auto info = co_await process_info(p);
  co_return info ? info->links : std::vector<pid>{};
}

/// The printed `{:EXIT, from, reason}` a trapping process would receive.
std::string exit_text(pid from, const term& reason) {
  return exit_msg{from, reason}.to_term().to_string();
}

// -- propagation ----------------------------------------------------------------------------------

TEST_P(LinkTest, AbnormalExitKillsNonTrappingPartner) {
  auto reason = run([]() -> co<std::string> {
    auto [partner, partner_mon] = spawn_monitor([]() -> co<void> {
      pid crasher = spawn_link(exit_on_go, term(a("boom")));
      send(crasher, go{});
      co_await wait_forever();
    });
    (void)partner;
    co_return co_await reason_of(partner_mon);
  });

  EXPECT_EQ(reason, ":boom");
}

/// Links a chain of `depth` more processes below itself; reports every pid; the last one
/// exits with :boom on `go`.
co<void> chain_link(pid report, int depth) {
  send(report, std::pair<int, pid>{depth, self()});
  if (depth == 0) {
    co_await exit_on_go(term(a("boom")));
  } else {
    (void)spawn_link(chain_link, report, depth - 1);
    co_await wait_forever();
  }
}

// An exit signal kills each non-trapping process of a chain, which then signals its own links.
TEST_P(LinkTest, AbnormalExitPropagatesTransitively) {
  struct outcome {
    std::vector<std::string> reasons;  // of the chain, from the top down
    std::string at_trapping_root;
    std::string expected_at_root;
  };
  auto o = run([]() -> co<outcome> {
    (void)trap_exit(true);
    constexpr int depth = 3;
    pid top = spawn_link(chain_link, self(), depth);
    std::vector<pid> chain(depth + 1);
    for (int i = 0; i <= depth; ++i) {
      auto [d, p] = co_await receive<std::pair<int, pid>>();
      chain[static_cast<std::size_t>(depth - d)] = p;
    }
    std::vector<ref> mons;
    for (pid p : chain) {
      mons.push_back(monitor(p));
    }
    send(chain.back(), go{});
    outcome r;
    for (ref m : mons) {
      r.reasons.push_back((co_await down_of(m)).reason.to_string());
    }
    r.at_trapping_root = co_await next_exit_msg();
    r.expected_at_root = exit_text(top, a("boom"));
    co_return r;
  });

  EXPECT_EQ(o.reasons, (std::vector<std::string>{":boom", ":boom", ":boom", ":boom"}));
  EXPECT_EQ(o.at_trapping_root, o.expected_at_root);
}

TEST_P(LinkTest, NormalExitDoesNotKillALinkedPartner) {
  struct outcome {
    std::string child_reason;
    bool partner_alive = false;
    std::string partner_reply;
  };
  auto o = run([]() -> co<outcome> {
    pid main = self();
    pid partner = spawn([main]() -> co<void> {
      ref m;
      pid child = spawn_opt(
          {.link = true, .monitor = true}, []() -> co<void> { co_return; }, &m);
      (void)child;
      down_msg d = co_await down_of(m);
      send(main, d.reason);
      (void)co_await receive<go>();
      send(main, term(a("still_alive")));
    });
    outcome r;
    r.child_reason = (co_await receive<term>()).to_string();
    r.partner_alive = alive(partner);
    send(partner, go{});
    r.partner_reply = (co_await receive<term>()).to_string();
    co_return r;
  });

  EXPECT_EQ(o.child_reason, ":normal");
  EXPECT_TRUE(o.partner_alive);
  EXPECT_EQ(o.partner_reply, ":still_alive");
}

TEST_P(LinkTest, ShutdownReasonKillsANonTrappingPartner) {
  // Only :normal is ignored: :shutdown is not a crash, but it still takes linked processes down.
  auto reason = run([]() -> co<std::string> {
    auto [partner, partner_mon] = spawn_monitor([]() -> co<void> {
      pid child = spawn_link(exit_on_go, term(atoms::shutdown));
      send(child, go{});
      co_await wait_forever();
    });
    (void)partner;
    co_return co_await reason_of(partner_mon);
  });

  EXPECT_EQ(reason, ":shutdown");
}

// -- trap_exit ----------------------------------------------------------------------------------

TEST_P(LinkTest, TrappingTurnsALinkedExitIntoAnExitMsg) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    (void)trap_exit(true);
    pid child = spawn_link(exit_on_go, term(a("boom")));
    send(child, go{});
    std::string m = co_await next_exit_msg();
    co_return std::pair<std::string, std::string>{m, exit_text(child, a("boom"))};
  });

  EXPECT_EQ(got, expected);  // and run() returning shows the trapping process survived
}

TEST_P(LinkTest, TrappingProcessReceivesNormalExitsOfLinkedProcesses) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    (void)trap_exit(true);
    pid child = spawn_link([]() -> co<void> { co_return; });
    std::string m = co_await next_exit_msg();
    co_return std::pair<std::string, std::string>{m, exit_text(child, atoms::normal)};
  });

  EXPECT_EQ(got, expected);
}

TEST_P(LinkTest, TrapExitReturnsThePreviousValue) {
  auto flags = run([]() -> co<std::vector<bool>> {
    std::vector<bool> out;
    out.push_back(trapping_exits());
    out.push_back(trap_exit(true));
    out.push_back(trapping_exits());
    out.push_back(trap_exit(false));
    out.push_back(trapping_exits());
    co_return out;
  });

  EXPECT_EQ(flags, (std::vector<bool>{false, false, true, true, false}));
}

TEST_P(LinkTest, AProcessThatStopsTrappingDiesOfTheNextLinkedExit) {
  auto reason = run([]() -> co<std::string> {
    auto [p, p_mon] = spawn_monitor([]() -> co<void> {
      (void)trap_exit(true);
      (void)trap_exit(false);
      pid child = spawn_link(exit_on_go, term(a("late")));
      send(child, go{});
      co_await wait_forever();
    });
    (void)p;
    co_return co_await reason_of(p_mon);
  });

  EXPECT_EQ(reason, ":late");
}

// -- links are bidirectional and set-like
// ------------------------------------------------------------

struct linked {};

TEST_P(LinkTest, ALinkMadeByOneSideKillsTheOther) {
  auto [callee_reason, caller_reason] = run([]() -> co<std::pair<std::string, std::string>> {
    pid main = self();
    // The caller of link() dies: the other side dies too (the link signal precedes the exit
    // signal, both from the caller).
    pid callee = spawn(wait_forever);
    ref m_callee = monitor(callee);
    pid caller = spawn([callee, main]() -> co<void> {
      (void)link(callee);
      send(main, linked{});
      co_await exit_on_go(term(a("caller_died")));
    });
    (void)co_await receive<linked>();
    send(caller, go{});
    std::string r1 = (co_await down_of(m_callee)).reason.to_string();

    // The callee of link() dies: the caller dies too.
    pid callee2 = spawn(exit_on_go, term(a("callee_died")));
    pid caller2 = spawn([callee2, main]() -> co<void> {
      (void)link(callee2);
      send(main, linked{});
      co_await wait_forever();
    });
    ref m_caller2 = monitor(caller2);
    (void)co_await receive<linked>();
    send(callee2, go{});
    std::string r2 = (co_await down_of(m_caller2)).reason.to_string();
    co_return std::pair<std::string, std::string>{r1, r2};
  });

  EXPECT_EQ(callee_reason, ":caller_died");
  EXPECT_EQ(caller_reason, ":callee_died");
}

TEST_P(LinkTest, BothSidesListTheLinkInProcessInfo) {
  auto [mine, theirs, me, other] =
      run([]() -> co<std::tuple<std::vector<pid>, std::vector<pid>, pid, pid>> {
        pid other_p = spawn(wait_forever);
        (void)link(other_p);
        std::vector<pid> m = self_info().links;
        std::vector<pid> t = co_await links_of(other_p);  // handled after the link signal
        co_return std::tuple<std::vector<pid>, std::vector<pid>, pid, pid>{m, t, self(), other_p};
      });

  EXPECT_EQ(mine, std::vector<pid>{other});
  EXPECT_EQ(theirs, std::vector<pid>{me});
}

// Links form a set: linking twice makes one link, and one unlink removes it.
TEST_P(LinkTest, LinkingTwiceMakesOneLink) {
  struct outcome {
    std::vector<pid> after_two_links;
    std::vector<pid> theirs_after_two_links;
    std::vector<pid> after_one_unlink;
    std::vector<pid> theirs_after_one_unlink;
    pid other;
    pid me;
    std::vector<bool> results;
  };
  auto o = run([]() -> co<outcome> {
    outcome r;
    r.me = self();
    r.other = spawn(wait_forever);
    r.results.push_back(link(r.other));
    r.results.push_back(link(r.other));
    r.after_two_links = self_info().links;
    r.theirs_after_two_links = co_await links_of(r.other);
    r.results.push_back(unlink(r.other));
    r.after_one_unlink = self_info().links;
    r.theirs_after_one_unlink = co_await links_of(r.other);
    co_return r;
  });

  EXPECT_EQ(o.results, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(o.after_two_links, std::vector<pid>{o.other});
  EXPECT_EQ(o.theirs_after_two_links, std::vector<pid>{o.me});
  EXPECT_TRUE(o.after_one_unlink.empty());
  EXPECT_TRUE(o.theirs_after_one_unlink.empty());
}

TEST_P(LinkTest, LinkingToSelfDoesNothing) {
  auto [result, links] = run([]() -> co<std::pair<bool, std::vector<pid>>> {
    bool r = link(self());
    co_return std::pair<bool, std::vector<pid>>{r, self_info().links};
  });

  EXPECT_TRUE(result);
  EXPECT_TRUE(links.empty());
}

TEST_P(LinkTest, ProcessInfoListsLinksSortedByPid) {
  auto [links, expected] = run([]() -> co<std::pair<std::vector<pid>, std::vector<pid>>> {
    std::vector<pid> children;
    for (int i = 0; i < 5; ++i) {
      children.push_back(spawn_link(wait_forever));
    }
    std::sort(children.begin(), children.end());
    co_return std::pair<std::vector<pid>, std::vector<pid>>{self_info().links, children};
  });

  EXPECT_EQ(links, expected);
}

// -- unlink ------------------------------------------------------------------------------------

TEST_P(LinkTest, UnlinkStopsPropagation) {
  auto [child_reason, partner_reply] = run([]() -> co<std::pair<std::string, std::string>> {
    pid main = self();
    pid partner = spawn([main]() -> co<void> {
      pid child = spawn_link(exit_on_go, term(a("boom")));
      (void)unlink(child);
      ref m = monitor(child);
      send(child, go{});
      send(main, (co_await down_of(m)).reason);
      (void)co_await receive<go>();
      send(main, term(a("survived")));
    });
    std::string r = (co_await receive<term>()).to_string();
    send(partner, go{});
    co_return std::pair<std::string, std::string>{r, (co_await receive<term>()).to_string()};
  });

  EXPECT_EQ(child_reason, ":boom");
  EXPECT_EQ(partner_reply, ":survived");
}

// After unlink returns, no exit signal due to the link reaches the caller, even one the other
// process sent before it saw the unlink (and even when trapping: no exit_msg).
TEST_P(LinkTest, NoExitMsgArrivesAfterUnlink) {
  auto [child_reason, exit_msgs] = run([]() -> co<std::pair<std::string, std::size_t>> {
    (void)trap_exit(true);
    pid child = spawn_link(exit_on_go, term(a("boom")));
    (void)unlink(child);
    ref m = monitor(child);
    send(child, go{});
    std::string r = (co_await down_of(m)).reason.to_string();
    std::size_t n = 0;
    while (co_await receive_for<exit_msg>(0)) {
      ++n;
    }
    co_return std::pair<std::string, std::size_t>{r, n};
  });

  EXPECT_EQ(child_reason, ":boom");
  EXPECT_EQ(exit_msgs, 0U);
}

// On one scheduler the child has not run yet when the parent unlinks; its exit signal, sent
// through a link it has not yet seen removed, must not reach the (non-trapping) parent.
TEST_F(LinkTest, AnExitSignalSentBeforeTheUnlinkWasSeenIsDropped) {
  testing::deterministic_runtime rt;
  auto [child_reason, parent_mailbox] = rt.run([]() -> co<std::pair<std::string, std::size_t>> {
    pid child = spawn_link([]() -> co<void> {
      otter::exit(a("boom"));
      co_return;
    });
    (void)unlink(child);
    std::string r = co_await reason_of(monitor(child));
    co_return std::pair<std::string, std::size_t>{r, self_info().message_queue_len};
  });

  EXPECT_EQ(child_reason, ":boom");  // and run() returning shows the parent survived
  EXPECT_EQ(parent_mailbox, 0U);
}

TEST_P(LinkTest, UnlinkOfAPidNotLinkedReturnsTrue) {
  auto results = run([]() -> co<std::vector<bool>> {
    pid stranger = spawn(wait_forever);
    auto [dead, m] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m);
    co_return std::vector<bool>{unlink(stranger), unlink(dead), unlink(self())};
  });

  EXPECT_EQ(results, (std::vector<bool>{true, true, true}));
}

// -- linking to a dead process
// ----------------------------------------------------------------------

// Elixir's Process.link/1 on a dead pid raises (error :noproc) when not trapping.
TEST_P(LinkTest, LinkToADeadPidRaisesNoprocWhenNotTrapping) {
  auto [raised, reason, links] = run([]() -> co<std::tuple<bool, std::string, std::size_t>> {
    auto [dead, m] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m);
    bool r = false;
    std::string why;
    try {
      (void)link(dead);
    } catch (const error_exception& e) {
      r = true;
      why = e.reason().to_string();
    }
    co_return std::tuple<bool, std::string, std::size_t>{r, why, self_info().links.size()};
  });

  EXPECT_TRUE(raised);
  EXPECT_EQ(reason, ":noproc");
  EXPECT_EQ(links, 0U);
}

TEST_P(LinkTest, AnUncaughtNoprocFromLinkEndsTheProcess) {
  auto reason = run([]() -> co<std::string> {
    auto first = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(first.second);
    pid dead = first.first;
    auto [p, m2] = spawn_monitor([dead]() -> co<void> {
      (void)link(dead);
      co_return;
    });
    (void)p;
    co_return (co_await down_of(m2)).reason.to_string();
  });

  EXPECT_EQ(reason, "{:noproc, #Stacktrace}");
}

TEST_P(LinkTest, LinkToADeadPidWhenTrappingDeliversExitNoproc) {
  auto [result, got, expected, links] =
      run([]() -> co<std::tuple<bool, std::string, std::string, std::size_t>> {
        (void)trap_exit(true);
        auto [dead, m] = spawn_monitor([]() -> co<void> { co_return; });
        (void)co_await down_of(m);
        bool r = link(dead);
        auto e = co_await receive_for<exit_msg>(5s);
        co_return std::tuple<bool, std::string, std::string, std::size_t>{
            r, e ? e->to_term().to_string() : "none", exit_text(dead, atoms::noproc),
            self_info().links.size()};
      });

  EXPECT_TRUE(result);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(links, 0U);
}

// As on the BEAM: the {:EXIT, dead, :noproc} is queued after what the mailbox already holds.
TEST_P(LinkTest, TheNoprocExitMsgComesAfterMessagesAlreadySent) {
  auto order = run([]() -> co<std::vector<std::string>> {
    (void)trap_exit(true);
    auto [dead, m] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m);
    send(self(), term(a("first")));
    (void)link(dead);
    std::vector<std::string> out;
    for (int i = 0; i < 2; ++i) {
      auto msg = co_await receive_any(5s);
      out.push_back(!msg ? "none" : msg->is<exit_msg>() ? "exit_msg" : msg->to_term().to_string());
    }
    co_return out;
  });

  EXPECT_EQ(order, (std::vector<std::string>{":first", "exit_msg"}));
}

// -- spawn_link
// ----------------------------------------------------------------------------------------

// spawn_link links before the child can run: even a child that dies at once takes its
// non-trapping parent with it (with spawn + link the parent could get :noproc instead).
TEST_P(LinkTest, SpawnLinkLinksBeforeTheChildRuns) {
  auto reason = run([]() -> co<std::string> {
    auto [parent, parent_mon] = spawn_monitor([]() -> co<void> {
      (void)spawn_link([]() -> co<void> {
        otter::exit(a("instant"));
        co_return;
      });
      co_await wait_forever();
    });
    (void)parent;
    co_return co_await reason_of(parent_mon);
  });

  EXPECT_EQ(reason, ":instant");
}

TEST_P(LinkTest, SpawnLinkShowsTheLinkOnBothSides) {
  auto [mine, theirs, me, child] =
      run([]() -> co<std::tuple<std::vector<pid>, std::vector<pid>, pid, pid>> {
        pid c = spawn_link(wait_forever);
        std::vector<pid> m = self_info().links;
        std::vector<pid> t = co_await links_of(c);
        co_return std::tuple<std::vector<pid>, std::vector<pid>, pid, pid>{m, t, self(), c};
      });

  EXPECT_EQ(mine, std::vector<pid>{child});
  EXPECT_EQ(theirs, std::vector<pid>{me});
}

TEST_P(LinkTest, ALinkedChildDiesWhenItsParentCrashes) {
  auto [child_reason, parent_reason] = run([]() -> co<std::pair<std::string, std::string>> {
    pid main = self();
    auto [parent, m_parent] = spawn_monitor([main]() -> co<void> {
      pid child = spawn_link(wait_forever);
      send(main, child);
      co_await exit_on_go(term(a("parent_crash")));
    });
    pid child = co_await receive<pid>();
    ref m_child = monitor(child);
    send(parent, go{});
    std::string p = (co_await down_of(m_parent)).reason.to_string();
    std::string c = (co_await down_of(m_child)).reason.to_string();
    co_return std::pair<std::string, std::string>{c, p};
  });

  EXPECT_EQ(parent_reason, ":parent_crash");
  EXPECT_EQ(child_reason, ":parent_crash");
}

}  // namespace
}  // namespace otter
