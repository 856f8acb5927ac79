// Tests for registered names (otter/core/process.hpp): register_name, whereis, unregister,
// registered_name, sending to a name (badarg when unknown) and try_send, the freeing of a name
// when its process exits, and the one-name-per-process and one-process-per-name rules.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

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
class NamesTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(NamesTest);

struct go {};

co<void> wait_forever() {
  (void)co_await receive<go>();
}

/// Forwards every std::string it receives to `to`, tagged with its own pid.
co<void> string_forwarder(pid to) {
  for (;;) {
    std::string s = co_await receive<std::string>();
    send(to, std::pair<pid, std::string>{self(), s});
  }
}

// -- register / whereis / unregister -----------------------------------------------------------

TEST_P(NamesTest, RegisterWhereisAndUnregister) {
  struct outcome {
    bool registered = false;
    pid found;
    std::optional<atom> name;
    bool unregistered = false;
    pid found_after;
    std::optional<atom> name_after;
    bool unregistered_twice = true;
    pid target;
  };
  auto o = run([]() -> co<outcome> {
    outcome r;
    atom name("names_test_server");
    r.target = spawn(wait_forever);
    r.registered = register_name(name, r.target);
    r.found = whereis(name);
    r.name = registered_name(r.target);
    r.unregistered = unregister(name);
    r.found_after = whereis(name);
    r.name_after = registered_name(r.target);
    r.unregistered_twice = unregister(name);
    co_return r;
  });

  EXPECT_TRUE(o.registered);
  EXPECT_EQ(o.found, o.target);
  EXPECT_EQ(o.name, std::optional<atom>(atom("names_test_server")));
  EXPECT_TRUE(o.unregistered);
  EXPECT_TRUE(o.found_after.is_null());
  EXPECT_EQ(o.name_after, std::nullopt);
  EXPECT_FALSE(o.unregistered_twice);
}

TEST_P(NamesTest, AProcessCanRegisterItself) {
  auto [found, me] = run([]() -> co<std::pair<pid, pid>> {
    (void)register_name(a("names_test_me"), self());
    co_return std::pair<pid, pid>{whereis(a("names_test_me")), self()};
  });

  EXPECT_EQ(found, me);
}

TEST_P(NamesTest, WhereisOfAnUnknownNameIsTheNullPid) {
  auto found = run([]() -> co<pid> { co_return whereis(a("names_test_never_registered")); });

  EXPECT_TRUE(found.is_null());
}

TEST_P(NamesTest, RegisteredNameOfAProcessWithoutANameIsEmpty) {
  auto [name, info_name] = run([]() -> co<std::pair<std::optional<atom>, std::optional<atom>>> {
    pid p = spawn(wait_forever);
    auto info = co_await process_info(p);
    co_return std::pair<std::optional<atom>, std::optional<atom>>{
        registered_name(p), info ? info->registered_name : std::optional<atom>(a("dead"))};
  });

  EXPECT_EQ(name, std::nullopt);
  EXPECT_EQ(info_name, std::nullopt);
}

TEST_P(NamesTest, ProcessInfoShowsTheRegisteredName) {
  auto [mine, theirs] = run([]() -> co<std::pair<std::optional<atom>, std::optional<atom>>> {
    (void)register_name(a("names_test_self_info"), self());
    pid p = spawn(wait_forever);
    (void)register_name(a("names_test_other_info"), p);
    auto info = co_await process_info(p);
    co_return std::pair<std::optional<atom>, std::optional<atom>>{
        self_info().registered_name, info ? info->registered_name : std::nullopt};
  });

  EXPECT_EQ(mine, std::optional<atom>(a("names_test_self_info")));
  EXPECT_EQ(theirs, std::optional<atom>(a("names_test_other_info")));
}

// -- sending to a name
// ------------------------------------------------------------------------------

TEST_P(NamesTest, SendToANameReachesTheRegisteredProcess) {
  auto [from, text, target] = run([]() -> co<std::tuple<pid, std::string, pid>> {
    pid t = spawn(string_forwarder, self());
    (void)register_name(a("names_test_forwarder"), t);
    send(a("names_test_forwarder"), std::string("by name"));
    auto [f, s] = co_await receive<std::pair<pid, std::string>>();
    co_return std::tuple<pid, std::string, pid>{f, s, t};
  });

  EXPECT_EQ(from, target);
  EXPECT_EQ(text, "by name");
}

// Erlang's `name ! msg` raises badarg when no process has the name.
TEST_P(NamesTest, SendToAnUnknownNameRaisesBadarg) {
  auto [raised, reason] = run([]() -> co<std::pair<bool, std::string>> {
    bool r = false;
    std::string why;
    try {
      send(a("names_test_nobody"), 1);
    } catch (const error_exception& e) {
      r = true;
      why = e.reason().to_string();
    }
    co_return std::pair<bool, std::string>{r, why};
  });

  EXPECT_TRUE(raised);
  EXPECT_EQ(reason, ":badarg");
}

TEST_P(NamesTest, AnUncaughtBadargFromSendEndsTheProcess) {
  auto reason = run([]() -> co<std::string> {
    auto [p, m] = spawn_monitor([]() -> co<void> {
      send(a("names_test_nobody"), 1);
      co_return;
    });
    (void)p;
    co_return (co_await down_of(m)).reason.to_string();
  });

  EXPECT_EQ(reason, "{:badarg, #Stacktrace}");
}

TEST_P(NamesTest, TrySendReturnsFalseForAnUnknownNameAndTrueOtherwise) {
  auto [unknown, known, text] = run([]() -> co<std::tuple<bool, bool, std::string>> {
    bool u = try_send(a("names_test_nobody"), std::string("lost"));
    pid t = spawn(string_forwarder, self());
    (void)register_name(a("names_test_try"), t);
    bool k = try_send(a("names_test_try"), std::string("delivered"));
    auto got = co_await receive<std::pair<pid, std::string>>();
    co_return std::tuple<bool, bool, std::string>{u, k, got.second};
  });

  EXPECT_FALSE(unknown);
  EXPECT_TRUE(known);
  EXPECT_EQ(text, "delivered");
}

TEST_P(NamesTest, RuntimeWhereisAndSendByNameWorkFromOutside) {
  runtime& r = rt();
  pid collector = run([]() -> co<pid> {
    pid me = self();
    pid c = spawn([me]() -> co<void> {
      (void)register_name(a("names_test_collector"), self());
      send(me, go{});
      std::string s = co_await receive<std::string>();
      pid to = co_await receive<pid>();
      send(to, s);
    });
    (void)co_await receive<go>();
    co_return c;
  });

  EXPECT_EQ(r.whereis(a("names_test_collector")), collector);
  EXPECT_TRUE(r.send(a("names_test_collector"), std::string("from outside")));
  EXPECT_FALSE(r.send(a("names_test_nobody"), std::string("lost")));
  auto got = run([collector]() -> co<std::string> {
    send(collector, self());
    co_return co_await receive<std::string>();
  });
  EXPECT_EQ(got, "from outside");
}

// -- lifetime of a name
// -------------------------------------------------------------------------------

TEST_P(NamesTest, ANameIsFreedWhenItsProcessExits) {
  struct outcome {
    pid found_after_exit;
    bool send_raised = false;
    bool reregistered = false;
    pid found_new;
    pid fresh;
  };
  auto o = run([]() -> co<outcome> {
    outcome r;
    atom name("names_test_transient");
    pid p = spawn([]() -> co<void> { (void)co_await receive<go>(); });
    (void)register_name(name, p);
    ref m = monitor(p);
    send(name, go{});
    (void)co_await down_of(m);
    r.found_after_exit = whereis(name);
    try {
      send(name, go{});
    } catch (const error_exception&) {
      r.send_raised = true;
    }
    r.fresh = spawn(wait_forever);
    r.reregistered = register_name(name, r.fresh);
    r.found_new = whereis(name);
    co_return r;
  });

  EXPECT_TRUE(o.found_after_exit.is_null());
  EXPECT_TRUE(o.send_raised);
  EXPECT_TRUE(o.reregistered);
  EXPECT_EQ(o.found_new, o.fresh);
}

TEST_P(NamesTest, ANameIsFreedWhenItsProcessIsKilled) {
  auto [found, reason] = run([]() -> co<std::pair<pid, std::string>> {
    pid p = spawn(wait_forever);
    (void)register_name(a("names_test_killed"), p);
    ref m = monitor(p);
    (void)exit(p, atoms::kill);
    std::string r = (co_await down_of(m)).reason.to_string();
    co_return std::pair<pid, std::string>{whereis(a("names_test_killed")), r};
  });

  EXPECT_EQ(reason, ":killed");
  EXPECT_TRUE(found.is_null());
}

TEST_P(NamesTest, RegisteringADeadPidFails) {
  auto [registered, found] = run([]() -> co<std::pair<bool, pid>> {
    auto [dead, m] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(m);
    bool r = register_name(a("names_test_dead"), dead);
    co_return std::pair<bool, pid>{r, whereis(a("names_test_dead"))};
  });

  EXPECT_FALSE(registered);
  EXPECT_TRUE(found.is_null());
}

// -- uniqueness ----------------------------------------------------------------------------------

TEST_P(NamesTest, ANameAlreadyTakenCannotBeRegisteredAgain) {
  auto [second, found, first] = run([]() -> co<std::tuple<bool, pid, pid>> {
    pid p1 = spawn(wait_forever);
    pid p2 = spawn(wait_forever);
    (void)register_name(a("names_test_taken"), p1);
    bool r = register_name(a("names_test_taken"), p2);
    co_return std::tuple<bool, pid, pid>{r, whereis(a("names_test_taken")), p1};
  });

  EXPECT_FALSE(second);
  EXPECT_EQ(found, first);
}

TEST_P(NamesTest, RegisteringTheSameNameForTheSameProcessAgainFails) {
  // Erlang's register/2 raises badarg here too: the name is taken (by the caller itself).
  auto again = run([]() -> co<bool> {
    (void)register_name(a("names_test_twice"), self());
    co_return register_name(a("names_test_twice"), self());
  });

  EXPECT_FALSE(again);
}

TEST_P(NamesTest, AProcessCanHoldOneNameOnly) {
  auto [second, found_second, name] = run([]() -> co<std::tuple<bool, pid, std::optional<atom>>> {
    pid p = spawn(wait_forever);
    (void)register_name(a("names_test_first_name"), p);
    bool r = register_name(a("names_test_second_name"), p);
    co_return std::tuple<bool, pid, std::optional<atom>>{r, whereis(a("names_test_second_name")),
                                                         registered_name(p)};
  });

  EXPECT_FALSE(second);
  EXPECT_TRUE(found_second.is_null());
  EXPECT_EQ(name, std::optional<atom>(a("names_test_first_name")));
}

TEST_P(NamesTest, AfterUnregisterTheProcessCanTakeAnotherName) {
  auto [registered, name] = run([]() -> co<std::pair<bool, std::optional<atom>>> {
    pid p = spawn(wait_forever);
    (void)register_name(a("names_test_old_name"), p);
    (void)unregister(a("names_test_old_name"));
    bool r = register_name(a("names_test_new_name"), p);
    co_return std::pair<bool, std::optional<atom>>{r, registered_name(p)};
  });

  EXPECT_TRUE(registered);
  EXPECT_EQ(name, std::optional<atom>(a("names_test_new_name")));
}

// Erlang's register/2 refuses the atom `undefined` (badarg): it is what whereis/1 returns for
// "no process", so it can never be a name.
TEST_P(NamesTest, TheAtomUndefinedCannotBeRegistered) {
  auto [registered, found] = run([]() -> co<std::pair<bool, pid>> {
    pid p = spawn(wait_forever);
    bool r = register_name(atoms::undefined, p);
    co_return std::pair<bool, pid>{r, whereis(atoms::undefined)};
  });

  EXPECT_FALSE(registered);
  EXPECT_TRUE(found.is_null());
}

TEST_P(NamesTest, AnOldOwnerExitingDoesNotFreeANameItNoLongerHolds) {
  auto [found, next_owner] = run([]() -> co<std::pair<pid, pid>> {
    atom name("names_test_handed_over");
    auto [old_owner, m] = spawn_monitor(wait_forever);
    (void)register_name(name, old_owner);
    (void)unregister(name);
    pid next = spawn(wait_forever);
    (void)register_name(name, next);
    send(old_owner, go{});
    (void)co_await down_of(m);
    co_return std::pair<pid, pid>{whereis(name), next};
  });

  EXPECT_EQ(found, next_owner);
}

// Processes racing for one name: exactly one wins, and whereis names the winner.
TEST_P(NamesTest, OnlyOneOfManyContendersGetsAName) {
  constexpr int contenders = 16;
  auto [winners, winner_is_registered] = run([]() -> co<std::pair<int, bool>> {
    pid me = self();
    for (int i = 0; i < contenders; ++i) {
      (void)spawn([me]() -> co<void> {
        bool won = register_name(a("names_test_contested"), self());
        send(me, std::pair<pid, bool>{self(), won});
        (void)co_await receive<go>();
      });
    }
    int n = 0;
    pid winner;
    for (int i = 0; i < contenders; ++i) {
      auto [p, won] = co_await receive<std::pair<pid, bool>>();
      if (won) {
        ++n;
        winner = p;
      }
    }
    co_return std::pair<int, bool>{n, whereis(a("names_test_contested")) == winner};
  });

  EXPECT_EQ(winners, 1);
  EXPECT_TRUE(winner_is_registered);
}

}  // namespace
}  // namespace otter
