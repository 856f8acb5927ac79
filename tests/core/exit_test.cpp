// Tests for how processes end (otter/core/exit.hpp) and for exit signals (exit/2 in
// otter/core/process.hpp): the reason of each way to end, :kill and :killed, :normal signals,
// exit(self(), ...), and exits that a `catch (const std::exception&)` must not swallow.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter_exit_test {
/// A user exception type: exit reasons keep its C++ name.
struct quota_exceeded : std::exception {
  [[nodiscard]] const char* what() const noexcept override { return "over quota"; }
};
}  // namespace otter_exit_test

namespace otter {
namespace {

using namespace std::chrono_literals;

using test_support::a;
using test_support::down_of;
using test_support::run_deadline;
using test_support::runtime_kind;

// Every TEST_P runs once on each runtime (tests/support/both_runtimes.hpp).
class ExitTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(ExitTest);

struct go {};

/// Spawns `body` under a monitor; returns the monitor (await its reason with reason_of).
/// Deliberately not a coroutine, and always called in a statement of its own: GCC 12 destroys a
/// capturing lambda twice when it is a temporary in a full-expression containing co_await.
template <class F>
ref spawn_watched(F body) {
  return spawn_monitor(std::move(body)).second;
}

/// The exit reason reported by the DOWN of monitor `m`.
co<term> reason_of(ref m) {
  down_msg d = co_await down_of(m);
  co_return d.reason;
}

co<void> wait_forever() {
  (void)co_await receive<go>();
}

/// Traps exits, tells `report` it is ready, then forwards every exit_msg it gets to `report`.
co<void> trapping_forwarder(pid report) {
  (void)trap_exit(true);
  send(report, go{});
  for (;;) {
    send(report, co_await receive<exit_msg>());
  }
}

std::string exit_text(pid from, const term& reason) {
  return exit_msg{from, reason}.to_term().to_string();
}

// -- how a process ends ----------------------------------------------------------------------

TEST_P(ExitTest, ReturningFromTheBodyExitsNormal) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([]() -> co<void> { co_return; });
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, ":normal");
}

TEST_P(ExitTest, APlainFunctionBodyExitsNormalWhenItReturns) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([] {});
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, ":normal");
}

TEST_P(ExitTest, ExitEndsTheProcessWithExactlyThatReason) {
  auto [reason, expected] = run([]() -> co<std::pair<term, term>> {
    term why = tuple(atoms::shutdown, tuple(a("db"), 42));
    ref watched = spawn_watched([why]() -> co<void> {
      otter::exit(why);
      co_return;
    });
    term r = co_await reason_of(watched);
    co_return std::pair<term, term>{r, why};
  });

  EXPECT_TRUE(reason == expected) << reason.to_string();
  EXPECT_EQ(reason.to_string(), "{:shutdown, {:db, 42}}");
}

TEST_P(ExitTest, ExitFromANestedCoroutineEndsTheProcess) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([]() -> co<void> {
      auto inner = []() -> co<int> {
        otter::exit(a("deep"));
        co_return 1;
      };
      (void)co_await inner();
    });
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, ":deep");
}

// Elixir's `raise "boom"` ends a process with {%RuntimeError{message: "boom"}, stacktrace}.
TEST_P(ExitTest, RuntimeErrorBecomesARuntimeErrorStructWithStacktrace) {
  auto [printed, name] = run([]() -> co<std::pair<std::string, std::string>> {
    ref watched = spawn_watched([]() -> co<void> {
      throw std::runtime_error("boom");
      co_return;
    });
    term r = co_await reason_of(watched);
    co_return std::pair<std::string, std::string>{r.to_string(), std::string(r[0].struct_name())};
  });

  EXPECT_EQ(printed, R"({%RuntimeError{message: "boom"}, #Stacktrace})");
  EXPECT_EQ(name, "RuntimeError");
}

TEST_P(ExitTest, InvalidArgumentBecomesAnArgumentErrorStruct) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([]() -> co<void> {
      throw std::invalid_argument("bad arg");
      co_return;
    });
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, R"({%ArgumentError{message: "bad arg"}, #Stacktrace})");
}

// erlang:error(foo) ends a process with {foo, stacktrace}.
TEST_P(ExitTest, ErrorOfATermBecomesTheTermWithStacktrace) {
  auto [printed, equal] = run([]() -> co<std::pair<std::string, bool>> {
    ref watched = spawn_watched([]() -> co<void> {
      error(tuple(a("bad_state"), 3));
      co_return;
    });
    term r = co_await reason_of(watched);
    co_return std::pair<std::string, bool>{r.to_string(),
                                           r == tuple(tuple(a("bad_state"), 3), stacktrace())};
  });

  EXPECT_EQ(printed, "{{:bad_state, 3}, #Stacktrace}");
  EXPECT_TRUE(equal);
}

TEST_P(ExitTest, OtherStdExceptionsKeepTheirCppName) {
  auto reasons = run([]() -> co<std::vector<std::string>> {
    std::vector<std::string> out;
    ref watched = spawn_watched([]() -> co<void> {
      throw std::out_of_range("index 9");
      co_return;
    });
    out.push_back((co_await reason_of(watched)).to_string());
    ref watched_user = spawn_watched([]() -> co<void> {
      throw otter_exit_test::quota_exceeded();
      co_return;
    });
    out.push_back((co_await reason_of(watched_user)).to_string());
    co_return out;
  });

  ASSERT_EQ(reasons.size(), 2U);
  EXPECT_EQ(reasons[0], R"({%std::out_of_range{message: "index 9"}, #Stacktrace})");
  EXPECT_EQ(reasons[1],
            R"({%otter_exit_test::quota_exceeded{message: "over quota"}, #Stacktrace})");
}

TEST_P(ExitTest, ANonStdExceptionBecomesNocatch) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([]() -> co<void> {
      throw 42;
      co_return;
    });
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, "{{:nocatch, #Unknown}, #Stacktrace}");
}

// An exit is not an error: exit_exception is not a std::exception, so the catch-all of
// ordinary C++ error handling does not stop the process from exiting.
TEST_P(ExitTest, CatchingStdExceptionDoesNotSwallowAnExit) {
  auto [reason, swallowed] = run([]() -> co<std::pair<std::string, bool>> {
    pid main = self();
    ref watched = spawn_watched([main]() -> co<void> {
      try {
        otter::exit(a("stop"));
      } catch (const std::exception&) {
        send(main, std::string("swallowed"));
      }
      send(main, std::string("continued"));
      co_return;
    });
    std::string r = (co_await reason_of(watched)).to_string();
    bool s = (co_await receive_for<std::string>(0)).has_value();
    co_return std::pair<std::string, bool>{r, s};
  });

  EXPECT_EQ(reason, ":stop");
  EXPECT_FALSE(swallowed);
}

TEST_P(ExitTest, AnErrorCanBeCaughtAsAnErrorException) {
  auto got = run([]() -> co<std::string> {
    try {
      error(a("recoverable"));
    } catch (const error_exception& e) {
      co_return e.reason().to_string();
    }
    co_return "not caught";
  });

  EXPECT_EQ(got, ":recoverable");
}

TEST_F(ExitTest, IsNormalExitAcceptsOnlyNormalAndShutdownReasons) {
  EXPECT_TRUE(is_normal_exit(atoms::normal));
  EXPECT_TRUE(is_normal_exit(atoms::shutdown));
  EXPECT_TRUE(is_normal_exit(tuple(atoms::shutdown, a("reason"))));
  EXPECT_FALSE(is_normal_exit(atoms::kill));
  EXPECT_FALSE(is_normal_exit(atoms::killed));
  EXPECT_FALSE(is_normal_exit(tuple(a("boom"), stacktrace())));
}

TEST_P(ExitTest, RunReportsAnAbnormalExitAsRunError) {
  term reason;
  try {
    (void)run([]() -> co<int> {
      otter::exit(tuple(a("failed"), 1));
      co_return 0;
    });
  } catch (const run_error& e) {
    reason = e.reason();
  }

  EXPECT_EQ(reason.to_string(), "{:failed, 1}");
}

// -- exit signals: :kill ------------------------------------------------------------------------

// exit(pid, :kill) cannot be trapped; the target dies with :killed and its links see :killed.
TEST_P(ExitTest, ExitKillKillsATrappingProcessWithReasonKilled) {
  auto [target_reason, link_msg, expected_link_msg] =
      run([]() -> co<std::tuple<std::string, std::string, std::string>> {
        (void)trap_exit(true);
        pid target = spawn_link(trapping_forwarder, self());
        (void)co_await receive<go>();  // it traps now
        ref m = monitor(target);
        (void)exit(target, atoms::kill);
        std::string r = (co_await down_of(m)).reason.to_string();
        std::string l = (co_await receive<exit_msg>()).to_term().to_string();
        co_return std::tuple<std::string, std::string, std::string>{
            r, l, exit_text(target, atoms::killed)};
      });

  EXPECT_EQ(target_reason, ":killed");
  EXPECT_EQ(link_msg, expected_link_msg);
}

TEST_P(ExitTest, ExitKillToSelfKillsEvenWhenTrapping) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([]() -> co<void> {
      (void)trap_exit(true);
      (void)exit(self(), atoms::kill);
      co_await wait_forever();
    });
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, ":killed");
}

// A process that exits with reason :kill itself sends an ordinary exit signal :kill through its
// links: a trapping partner receives it, a non-trapping partner dies with :kill (not :killed).
TEST_P(ExitTest, AProcessExitingWithKillPropagatesATrappableKill) {
  struct outcome {
    std::string own_reason;
    std::string trapped;
    std::string expected_trapped;
    std::string partner_reason;
  };
  auto o = run([]() -> co<outcome> {
    outcome r;
    (void)trap_exit(true);
    pid suicidal = spawn_link([]() -> co<void> {
      (void)co_await receive<go>();
      otter::exit(atoms::kill);
    });
    ref m = monitor(suicidal);
    send(suicidal, go{});
    r.own_reason = (co_await down_of(m)).reason.to_string();
    r.trapped = (co_await receive<exit_msg>()).to_term().to_string();
    r.expected_trapped = exit_text(suicidal, atoms::kill);

    auto [partner, partner_mon] = spawn_monitor([]() -> co<void> {
      pid p = spawn_link([]() -> co<void> {
        otter::exit(atoms::kill);
        co_return;
      });
      (void)p;
      co_await wait_forever();
    });
    r.partner_reason = (co_await down_of(partner_mon)).reason.to_string();
    co_return r;
  });

  EXPECT_EQ(o.own_reason, ":kill");
  EXPECT_EQ(o.trapped, o.expected_trapped);
  EXPECT_EQ(o.partner_reason, ":kill");
}

TEST_P(ExitTest, RuntimeExitFromOutsideKillsATrappingProcess) {
  runtime& r = rt();
  pid target = r.spawn([]() -> co<void> {
    (void)trap_exit(true);
    co_await wait_forever();
  });
  // A watcher monitors the target, then reports its exit reason on request.
  pid watcher = run([target]() -> co<pid> {
    pid me = self();
    pid w = spawn([target, me]() -> co<void> {
      ref m = monitor(target);
      send(me, go{});
      pid who = co_await receive<pid>();
      send(who, (co_await down_of(m)).reason.to_string());
    });
    (void)co_await receive<go>();
    co_return w;
  });

  EXPECT_TRUE(r.exit(target, atoms::kill));
  auto reason = run([watcher]() -> co<std::string> {
    send(watcher, self());
    co_return co_await receive<std::string>();
  });

  EXPECT_EQ(reason, ":killed");
  EXPECT_FALSE(r.alive(target));
}

// -- exit signals: :normal and other reasons -----------------------------------------------------

// An exit signal :normal from another process is ignored by a process that does not trap exits.
TEST_P(ExitTest, ExitNormalIsIgnoredByANonTrappingTarget) {
  auto [reply, alive_after] = run([]() -> co<std::pair<std::string, bool>> {
    pid target = spawn([]() -> co<void> {
      pid to = co_await receive<pid>();
      send(to, std::string("pong"));
      co_await wait_forever();
    });
    (void)exit(target, atoms::normal);
    send(target, self());  // handled after the exit signal (same sender, same order)
    std::string r = co_await receive<std::string>();
    co_return std::pair<std::string, bool>{r, alive(target)};
  });

  EXPECT_EQ(reply, "pong");
  EXPECT_TRUE(alive_after);
}

TEST_P(ExitTest, ExitNormalIsReceivedByATrappingTarget) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    pid target = spawn(trapping_forwarder, self());
    (void)co_await receive<go>();
    (void)exit(target, atoms::normal);
    std::string m = (co_await receive<exit_msg>()).to_term().to_string();
    co_return std::pair<std::string, std::string>{m, exit_text(self(), atoms::normal)};
  });

  EXPECT_EQ(got, expected);
}

TEST_P(ExitTest, ExitWithAnotherReasonKillsANonTrappingTarget) {
  auto reason = run([]() -> co<std::string> {
    pid target = spawn(wait_forever);
    ref m = monitor(target);
    (void)exit(target, a("terminated"));
    co_return (co_await down_of(m)).reason.to_string();
  });

  EXPECT_EQ(reason, ":terminated");
}

TEST_P(ExitTest, ExitWithAnotherReasonIsReceivedByATrappingTarget) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    pid target = spawn(trapping_forwarder, self());
    (void)co_await receive<go>();
    (void)exit(target, tuple(a("please"), a("stop")));
    std::string m = (co_await receive<exit_msg>()).to_term().to_string();
    co_return std::pair<std::string, std::string>{m,
                                                  exit_text(self(), tuple(a("please"), a("stop")))};
  });

  EXPECT_EQ(got, expected);
}

TEST_P(ExitTest, ExitSignalToADeadPidIsANoOp) {
  auto result = run([]() -> co<bool> {
    auto [dead, m] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m);
    co_return exit(dead, atoms::kill);
  });

  EXPECT_TRUE(result);  // exit/2 is always true, and run() returning shows nothing came back
}

// Messages and exit signals from one process to another arrive in the order they were sent.
TEST_P(ExitTest, ExitSignalsAndMessagesFromOneSenderKeepTheirOrder) {
  auto [order, expected_exit] = run([]() -> co<std::pair<std::vector<std::string>, std::string>> {
    pid main = self();
    pid target = spawn([main]() -> co<void> {
      (void)trap_exit(true);
      send(main, go{});
      std::vector<std::string> seen;
      for (int i = 0; i < 3; ++i) {
        auto msg = co_await receive_any(10s);
        seen.push_back(!msg ? "none" : msg->to_term().to_string());
      }
      send(main, seen);
    });
    (void)co_await receive<go>();
    send(target, term(a("before")));
    (void)exit(target, a("in_between"));
    send(target, term(a("after")));
    auto seen = co_await receive<std::vector<std::string>>();
    co_return std::pair<std::vector<std::string>, std::string>{seen,
                                                               exit_text(main, a("in_between"))};
  });

  EXPECT_EQ(order, (std::vector<std::string>{":before", expected_exit, ":after"}));
}

// exit(self(), :normal) is the exception to "normal is ignored": it terminates a caller that
// does not trap exits, and nothing after it runs.
TEST_P(ExitTest, ExitSelfNormalTerminatesANonTrappingCaller) {
  auto [reason, ran_on] = run([]() -> co<std::pair<std::string, bool>> {
    pid main = self();
    ref watched = spawn_watched([main]() -> co<void> {
      (void)exit(self(), atoms::normal);
      send(main, std::string("still running"));
      co_await wait_forever();
    });
    std::string r = (co_await reason_of(watched)).to_string();
    bool ran = (co_await receive_for<std::string>(0)).has_value();
    co_return std::pair<std::string, bool>{r, ran};
  });

  EXPECT_EQ(reason, ":normal");
  EXPECT_FALSE(ran_on);
}

TEST_P(ExitTest, ExitSelfNormalWhenTrappingDeliversAnExitMsg) {
  auto [got, expected] = run([]() -> co<std::pair<std::string, std::string>> {
    (void)trap_exit(true);
    (void)exit(self(), atoms::normal);
    auto m = co_await receive_for<exit_msg>(5s);
    co_return std::pair<std::string, std::string>{m ? m->to_term().to_string() : "none",
                                                  exit_text(self(), atoms::normal)};
  });

  EXPECT_EQ(got, expected);
}

TEST_P(ExitTest, ExitSelfWithAReasonTerminatesTheCaller) {
  auto reason = run([]() -> co<std::string> {
    ref watched = spawn_watched([]() -> co<void> {
      (void)exit(self(), a("self_inflicted"));
      co_await wait_forever();
    });
    co_return (co_await reason_of(watched)).to_string();
  });

  EXPECT_EQ(reason, ":self_inflicted");
}

// A process that is already dying keeps its first reason.
TEST_P(ExitTest, TheFirstExitSignalDecidesTheReason) {
  auto reason = run([]() -> co<std::string> {
    pid target = spawn(wait_forever);
    ref m = monitor(target);
    (void)exit(target, a("first"));
    (void)exit(target, a("second"));
    co_return (co_await down_of(m)).reason.to_string();
  });

  EXPECT_EQ(reason, ":first");
}

TEST_P(ExitTest, AnExitReasonTravelsThroughALinkUnchanged) {
  auto reason = run([]() -> co<std::string> {
    auto [partner, partner_mon] = spawn_monitor([]() -> co<void> {
      (void)spawn_link([]() -> co<void> {
        throw std::runtime_error("linked crash");
        co_return;
      });
      co_await wait_forever();
    });
    co_return (co_await down_of(partner_mon)).reason.to_string();
  });

  EXPECT_EQ(reason, R"({%RuntimeError{message: "linked crash"}, #Stacktrace})");
}

}  // namespace
}  // namespace otter
