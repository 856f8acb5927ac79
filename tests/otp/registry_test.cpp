// Registry: registering, reading, dispatching, meta data and listeners, on both runtimes.
// Starting, stopping, partitions and links are in registry_lifecycle_test.cpp; via names in
// registry_via_test.cpp; match specifications in registry_match_test.cpp; the Elixir traces
// in tests/conformance/67-71.

#include "otter/otp/registry.hpp"

#include "otter/testing/trace.hpp"

#include "otp/registry_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace otter {
namespace {

using test_support::a;
using test_support::down_of;
using test_support::linked_to_any;
using test_support::partitions_of;
using test_support::registered;
using test_support::registrant;
using test_support::start_registry;

class RegistryTest : public test_support::on_both_runtimes {};

std::vector<term> sorted(std::vector<term> v) {
  std::sort(v.begin(), v.end());
  return v;
}

using entries = std::vector<registry::entry>;

// -- registering ------------------------------------------------------------------------------

TEST_P(RegistryTest, RegisterReturnsThePartitionProcessAndLookupFindsTheCaller) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegA");
    co_await start_registry(reg, registry::kind::unique);
    registry::register_result r = registry::register_key(reg, "k", 1);
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(*r, whereis(a("Elixir.RegA.PIDPartition0")));
    EXPECT_EQ(registry::to_term(r), tuple(atoms::ok, *r));
    EXPECT_EQ(registry::lookup(reg, "k"), (entries{{self(), term(1)}}));
    EXPECT_TRUE(registry::lookup(reg, "other").empty());
  });
}

TEST_P(RegistryTest, AUniqueKeyHeldByALiveProcessIsAlreadyRegistered) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegB");
    co_await start_registry(reg, registry::kind::unique, 4);
    pid other = registrant(reg, "k", a("theirs"));
    EXPECT_TRUE((co_await registered()).is_tagged(atoms::ok, 2));
    registry::register_result mine = registry::register_key(reg, "k", a("mine"));
    EXPECT_FALSE(mine.has_value());
    if (!mine) {
      EXPECT_EQ(mine.error(), registry::already_registered{other});
      EXPECT_EQ(registry::to_term(mine),
                tuple(atoms::error, tuple(a("already_registered"), other)));
    }
    // The failed registration left nothing behind: no key, no link to a partition.
    EXPECT_TRUE(registry::keys(reg, self()).empty());
    EXPECT_FALSE(linked_to_any(partitions_of(reg, 4)));
    EXPECT_EQ(registry::lookup(reg, "k"), (entries{{other, term(a("theirs"))}}));
    // A key one holds already is an error naming oneself, and keeps the first value.
    EXPECT_TRUE(registry::register_key(reg, "own", 1).has_value());
    registry::register_result again = registry::register_key(reg, "own", 2);
    EXPECT_FALSE(again.has_value());
    if (!again) {
      EXPECT_EQ(again.error().owner, self());
    }
    EXPECT_EQ(registry::values(reg, "own", self()), std::vector<term>{term(1)});
    send(other, atoms::ok);
  });
}

TEST_P(RegistryTest, EntriesVanishBeforeTheDownOfTheirProcess) {
  run([]() -> co<void> {
    const atom uni = a("Elixir.RegC");
    const atom dup = a("Elixir.RegD");
    co_await start_registry(uni, registry::kind::unique, 3);
    co_await start_registry(dup, registry::kind::duplicate, 3);
    const pid parent = self();
    pid p = spawn([parent, uni, dup]() -> co<void> {
      for (int i = 0; i < 20; ++i) {
        (void)registry::register_key(uni, tuple(a("k"), i), i);
        (void)registry::register_key(dup, a("topic"), i);
      }
      send(parent, atoms::ok);
      (void)co_await receive<atom>();
      otter::exit(a("crash"));  // an abnormal end: the partitions trap the EXIT
    });
    (void)co_await receive<atom>();
    EXPECT_EQ(registry::count(uni), 20);
    EXPECT_EQ(registry::count(dup), 20);
    ref mon = monitor(p);
    send(p, atoms::ok);
    (void)co_await down_of(mon);
    // No waiting: the exit removed them before the DOWN was sent.
    EXPECT_EQ(registry::count(uni), 0);
    EXPECT_EQ(registry::count(dup), 0);
    EXPECT_TRUE(registry::lookup(uni, tuple(a("k"), 7)).empty());
    EXPECT_TRUE(registry::lookup(dup, a("topic")).empty());
    EXPECT_TRUE(registry::keys(uni, p).empty());
    // The key is free for another process.
    EXPECT_TRUE(registry::register_key(uni, tuple(a("k"), 7), a("mine")).has_value());
  });
}

TEST_P(RegistryTest, DuplicateEntriesKeepRegistrationOrderAndUnregisterRemovesAllOfTheCallers) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegE");
    co_await start_registry(reg, registry::kind::duplicate);
    EXPECT_TRUE(registry::register_key(reg, "t", 1).has_value());
    pid other = registrant(reg, "t", a("x"));
    (void)co_await registered();
    EXPECT_TRUE(registry::register_key(reg, "t", 2).has_value());
    EXPECT_EQ(registry::lookup(reg, "t"),
              (entries{{self(), term(1)}, {other, term(a("x"))}, {self(), term(2)}}));
    EXPECT_EQ(registry::values(reg, "t", self()), (std::vector<term>{1, 2}));
    EXPECT_EQ(registry::values(reg, "t", other), (std::vector<term>{a("x")}));
    EXPECT_EQ(registry::count(reg), 3);
    EXPECT_EQ(registry::unregister(reg, "t"), atoms::ok);
    EXPECT_EQ(registry::lookup(reg, "t"), (entries{{other, term(a("x"))}}));
    EXPECT_EQ(registry::count(reg), 1);
    send(other, atoms::ok);
  });
}

TEST_P(RegistryTest, KeysListsNewestFirstAndAUniqueRegistryEachKeyOnce) {
  run([]() -> co<void> {
    const atom uni = a("Elixir.RegF");
    const atom dup = a("Elixir.RegG");
    co_await start_registry(uni, registry::kind::unique, 2);
    co_await start_registry(dup, registry::kind::duplicate, 2);
    for (const char* k : {"k1", "k2", "k3"}) {
      (void)registry::register_key(uni, k, 0);
    }
    (void)registry::register_key(dup, "a", 1);
    (void)registry::register_key(dup, "b", 2);
    (void)registry::register_key(dup, "a", 3);
    EXPECT_EQ(registry::keys(uni, self()), (std::vector<term>{"k3", "k2", "k1"}));
    EXPECT_EQ(registry::keys(dup, self()), (std::vector<term>{"a", "b", "a"}));
    // Elixir's unregister_match moves what remains of a key to the end of the pid's keys.
    (void)registry::unregister_match(dup, "a", term(1));
    EXPECT_EQ(registry::keys(dup, self()), (std::vector<term>{"a", "b"}));
    EXPECT_TRUE(registry::keys(dup, spawn([] {})).empty());
  });
}

TEST_P(RegistryTest, UnregisterOfAKeyNotHeldIsOkAndKeepsTheOwnersEntry) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegH");
    co_await start_registry(reg, registry::kind::unique);
    pid other = registrant(reg, "theirs", 1);
    (void)co_await registered();
    EXPECT_EQ(registry::unregister(reg, "theirs"), atoms::ok);
    EXPECT_EQ(registry::unregister(reg, "nothing"), atoms::ok);
    EXPECT_EQ(registry::lookup(reg, "theirs"), (entries{{other, term(1)}}));
    send(other, atoms::ok);
  });
}

TEST_P(RegistryTest, UpdateValueChangesOnlyTheCallersUniqueKey) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegI");
    co_await start_registry(reg, registry::kind::unique);
    (void)registry::register_key(reg, "n", 41);
    auto inc = [](const term& v) {
      return term(v.as_int() + 1);
    };
    auto r = registry::update_value(reg, "n", inc);
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->first, term(42));
      EXPECT_EQ(r->second, term(41));
    }
    EXPECT_EQ(registry::lookup(reg, "n"), (entries{{self(), term(42)}}));
    EXPECT_FALSE(registry::update_value(reg, "missing", inc).has_value());
    pid other = registrant(reg, "theirs", 1);
    (void)co_await registered();
    EXPECT_FALSE(registry::update_value(reg, "theirs", inc).has_value());
    EXPECT_EQ(registry::lookup(reg, "theirs"), (entries{{other, term(1)}}));
    send(other, atoms::ok);

    const atom dup = a("Elixir.RegJ");
    co_await start_registry(dup, registry::kind::duplicate);
    EXPECT_THROW((void)registry::update_value(dup, "n", inc), std::invalid_argument);
  });
}

// -- reading ------------------------------------------------------------------------------------

TEST_P(RegistryTest, MatchFiltersValuesByPatternGuardsOrPredicate) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegK");
    co_await start_registry(reg, registry::kind::duplicate, 2);
    (void)registry::register_key(reg, "t", tuple(a("user"), 1));
    (void)registry::register_key(reg, "t", tuple(a("user"), 7));
    (void)registry::register_key(reg, "t", tuple(a("admin"), 3));
    (void)registry::register_key(reg, "t", a("plain"));
    const term pattern = tuple(a("user"), a("$1"));
    EXPECT_EQ(registry::count_match(reg, "t", pattern), 2);
    std::vector<term> gt{tuple(a(">"), a("$1"), 5)};
    EXPECT_EQ(registry::match(reg, "t", pattern, gt), (entries{{self(), tuple(a("user"), 7)}}));
    EXPECT_EQ(registry::count_match(reg, "t", a("_")), 4);
    EXPECT_EQ(registry::count_match(reg, "t", a("plain")), 1);
    EXPECT_EQ(registry::count_match(reg, "nothing", a("_")), 0);
    auto is_tuple = [](const term& v) {
      return v.is_tuple();
    };
    EXPECT_EQ(registry::count_match(reg, "t", is_tuple), 3);
    EXPECT_EQ(registry::match(reg, "t", [](const term& v) { return v.is_atom(); }),
              (entries{{self(), term(a("plain"))}}));
  });
}

TEST_P(RegistryTest, UnregisterMatchRemovesTheMatchingEntriesOfTheCallerOnly) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegL");
    co_await start_registry(reg, registry::kind::duplicate);
    (void)registry::register_key(reg, "t", 1);
    (void)registry::register_key(reg, "t", 2);
    (void)registry::register_key(reg, "t", 3);
    pid other = registrant(reg, "t", 2);
    (void)co_await registered();
    std::vector<term> even{tuple(a("=:="), tuple(a("rem"), a("$1"), 2), 0)};
    EXPECT_EQ(registry::unregister_match(reg, "t", a("$1"), even), atoms::ok);
    EXPECT_EQ(registry::lookup(reg, "t"),
              (entries{{self(), term(1)}, {self(), term(3)}, {other, term(2)}}));
    EXPECT_EQ(registry::unregister_match(reg, "t", [](const term& v) { return v == term(3); }),
              atoms::ok);
    EXPECT_EQ(registry::values(reg, "t", self()), (std::vector<term>{1}));
    // The last entry goes: so does the link to the partition.
    EXPECT_EQ(registry::unregister_match(reg, "t", a("_")), atoms::ok);
    EXPECT_TRUE(registry::values(reg, "t", self()).empty());
    EXPECT_FALSE(linked_to_any(partitions_of(reg, 1)));
    EXPECT_EQ(registry::lookup(reg, "t"), (entries{{other, term(2)}}));
    send(other, atoms::ok);
  });
}

TEST_P(RegistryTest, SelectRunsAMatchSpecificationOverKeyPidAndValue) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegM");
    co_await start_registry(reg, registry::kind::unique, 3);
    for (int i = 1; i <= 6; ++i) {
      (void)registry::register_key(reg, tuple(a("k"), i), i * 10);
    }
    const pid me = self();
    // [{{:"$1", :"$2", :"$3"}, [{:>, :"$3", 30}], [{{:"$1", :"$3"}}]}]
    term spec = list(tuple(tuple(a("$1"), a("$2"), a("$3")), list(tuple(a(">"), a("$3"), 30)),
                           list(tuple(tuple(a("$1"), a("$3"))))));
    EXPECT_EQ(sorted(registry::select(reg, spec)),
              (std::vector<term>{tuple(tuple(a("k"), 4), 40), tuple(tuple(a("k"), 5), 50),
                                 tuple(tuple(a("k"), 6), 60)}));
    // :"$_" is the stored object {key, {pid, value}}; :"$$" the bound variables.
    term whole = list(tuple(tuple(tuple(a("k"), 1), a("_"), a("_")), list(), list(a("$_"))));
    EXPECT_EQ(registry::select(reg, whole),
              (std::vector<term>{tuple(tuple(a("k"), 1), tuple(me, 10))}));
    term vars = list(tuple(tuple(a("$1"), a("$2"), 20), list(), list(a("$$"))));
    EXPECT_EQ(registry::select(reg, vars), (std::vector<term>{list(tuple(a("k"), 2), me)}));
    term count_spec =
        list(tuple(tuple(a("_"), a("_"), a("$1")), list(tuple(a("=<"), a("$1"), 20)), list(true)));
    EXPECT_EQ(registry::count_select(reg, count_spec), 2);
    EXPECT_THROW((void)registry::select(reg, list(tuple(a("$1"), list(), list(a("$1"))))),
                 std::invalid_argument);
    EXPECT_THROW((void)registry::count_select(reg, term(a("bad"))), std::invalid_argument);
  });
}

// -- dispatching --------------------------------------------------------------------------------

TEST_P(RegistryTest, DispatchCallsTheFunctionOncePerPartitionWithEntries) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegN");
    co_await start_registry(reg, registry::kind::duplicate, 4);
    std::vector<pid> subscribers;
    for (int i = 0; i < 8; ++i) {
      subscribers.push_back(registrant(reg, "topic", i));
      (void)co_await registered();
    }
    std::vector<std::vector<registry::entry>> calls;
    auto record = [&calls](const std::vector<registry::entry>& es) {
      calls.push_back(es);
    };
    EXPECT_EQ(registry::dispatch(reg, "topic", record), atoms::ok);
    // One call per partition that has entries; together they are lookup's entries.
    EXPECT_GE(calls.size(), 1U);
    EXPECT_LE(calls.size(), 4U);
    std::vector<term> seen;
    for (const auto& c : calls) {
      EXPECT_FALSE(c.empty());
      for (const auto& e : c) {
        seen.push_back(e.to_term());
      }
    }
    std::vector<term> all;
    for (const auto& e : registry::lookup(reg, "topic")) {
      all.push_back(e.to_term());
    }
    EXPECT_EQ(sorted(seen), sorted(all));
    // Serial dispatch goes from the last partition to the first: lookup lists the first first.
    std::vector<term> reversed;
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
      for (const auto& e : *it) {
        reversed.push_back(e.to_term());
      }
    }
    EXPECT_EQ(reversed, all);
    bool called = false;
    EXPECT_EQ(registry::dispatch(reg, "nobody", [&](const auto&) { called = true; }), atoms::ok);
    EXPECT_FALSE(called);
    for (pid p : subscribers) {
      send(p, atoms::ok);
    }
  });
}

TEST_P(RegistryTest, DispatchParallelRunsEveryPartitionInTasksAndWaits) {
  run([]() -> co<void> {
    term got;
    const atom reg = a("Elixir.RegO");
    co_await start_registry(reg, registry::kind::duplicate, 4);
    std::vector<pid> subscribers;
    for (int i = 0; i < 8; ++i) {
      subscribers.push_back(registrant(reg, "topic", i));
      (void)co_await registered();
    }
    const pid me = self();
    auto notify = [me](const std::vector<registry::entry>& es) {
      for (const auto& e : es) {
        send(me, tuple(a("seen"), e.value, self() != me));
      }
    };
    EXPECT_EQ(co_await registry::dispatch_parallel(reg, "topic", notify), atoms::ok);
    std::vector<term> seen;
    for (int i = 0; i < 8; ++i) {
      seen.push_back(co_await testing::recv(0));
    }
    std::vector<term> want;
    for (int i = 0; i < 8; ++i) {
      want.push_back(tuple(a("seen"), i, true));  // in a task, not in the caller
    }
    EXPECT_EQ(sorted(seen), want);
    got = co_await testing::recv(0);
    EXPECT_EQ(got, term(a("no_message")));
    for (pid p : subscribers) {
      send(p, atoms::ok);
    }
  });
}

TEST_P(RegistryTest, DispatchOnAUniqueRegistryPassesTheOneEntry) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegP");
    co_await start_registry(reg, registry::kind::unique, 4);
    (void)registry::register_key(reg, "k", 5);
    std::vector<registry::entry> got;
    (void)registry::dispatch(reg, "k", [&](const auto& es) { got = es; });
    EXPECT_EQ(got, (entries{{self(), term(5)}}));
  });
}

// -- meta, listeners, send ------------------------------------------------------------------------

TEST_P(RegistryTest, MetaIsStoredPerRegistryUnderAtomsOrTuples) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegQ");
    registry::options opts{
        .keys = registry::kind::unique, .name = reg, .meta = {{a("color"), term("red")}}};
    (void)co_await registry::start_link(std::move(opts));
    EXPECT_EQ(registry::meta(reg, a("color")), std::optional<term>("red"));
    EXPECT_EQ(registry::put_meta(reg, tuple(a("a"), 1), 2), atoms::ok);
    EXPECT_EQ(registry::meta(reg, tuple(a("a"), 1)), std::optional<term>(2));
    EXPECT_EQ(registry::delete_meta(reg, a("color")), atoms::ok);
    EXPECT_FALSE(registry::meta(reg, a("color")).has_value());
    EXPECT_THROW((void)registry::meta(reg, "string key"), std::invalid_argument);
    EXPECT_THROW((void)registry::put_meta(reg, 1, 2), std::invalid_argument);
  });
}

TEST_P(RegistryTest, ListenersHearOfExplicitRegistrationsOnly) {
  run([]() -> co<void> {
    term got;
    register_name(a("reg_listener_r"), self());
    const atom reg = a("Elixir.RegR");
    std::vector<atom> listeners{a("reg_listener_r")};
    co_await start_registry(reg, registry::kind::duplicate, 1, listeners);
    (void)registry::register_key(reg, "k", 1);
    got = co_await testing::recv(0);
    EXPECT_EQ(got, tuple(a("register"), reg, "k", self(), 1));
    (void)registry::unregister(reg, "k");
    got = co_await testing::recv(0);
    EXPECT_EQ(got, tuple(a("unregister"), reg, "k", self()));
    // As Elixir: unregister tells the listeners even of a key the caller did not have.
    (void)registry::unregister(reg, "never");
    got = co_await testing::recv(0);
    EXPECT_EQ(got, tuple(a("unregister"), reg, "never", self()));
    // unregister_match tells only when nothing of the caller's is left under the key.
    (void)registry::register_key(reg, "m", 1);
    (void)registry::register_key(reg, "m", 2);
    (void)co_await testing::flush();
    (void)registry::unregister_match(reg, "m", term(1));
    got = co_await testing::recv(0);
    EXPECT_EQ(got, term(a("no_message")));
    (void)registry::unregister_match(reg, "m", term(2));
    got = co_await testing::recv(0);
    EXPECT_EQ(got, tuple(a("unregister"), reg, "m", self()));
    // A registered process that dies is not reported.
    pid p = registrant(reg, "d", 1);
    (void)co_await registered();
    got = co_await testing::recv(0);
    EXPECT_EQ(got, tuple(a("register"), reg, "d", p, 1));
    ref mon = monitor(p);
    send(p, atoms::ok);
    (void)co_await down_of(mon);
    got = co_await testing::recv(0);
    EXPECT_EQ(got, term(a("no_message")));
  });
}

TEST_P(RegistryTest, AListenerThatIsNotRegisteredRaisesBadargAfterTheRegistration) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.RegS");
    std::vector<atom> listeners{a("nobody_listens")};
    co_await start_registry(reg, registry::kind::unique, 1, listeners);
    term reason;
    try {
      (void)registry::register_key(reg, "k", 1);
    } catch (const error_exception& e) {
      reason = e.reason();
    }
    EXPECT_EQ(reason, term(atoms::badarg));
    EXPECT_EQ(registry::lookup(reg, "k"), (entries{{self(), term(1)}}));
  });
}

TEST_P(RegistryTest, SendGoesToTheKeysProcessAndRaisesBadargWithoutOne) {
  run([]() -> co<void> {
    term got;
    const atom reg = a("Elixir.RegT");
    co_await start_registry(reg, registry::kind::unique);
    (void)registry::register_key(reg, "me", 0);
    registry::send(reg, "me", term(a("hello")));
    got = co_await testing::recv(0);
    EXPECT_EQ(got, term(a("hello")));
    term reason;
    try {
      registry::send(reg, "nobody", term(a("hello")));
    } catch (const error_exception& e) {
      reason = e.reason();
    }
    EXPECT_EQ(reason, term(atoms::badarg));
  });
}

// -- errors -------------------------------------------------------------------------------------

TEST_P(RegistryTest, AnUnknownRegistryRaisesArgumentErrorEverywhere) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.NotStarted");
    auto message = [](auto f) -> std::string {
      try {
        f();
      } catch (const std::invalid_argument& e) {
        return e.what();
      }
      return "no error";
    };
    const std::string unknown = "unknown registry: NotStarted";
    EXPECT_EQ(message([&] { (void)registry::lookup(reg, "k"); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::register_key(reg, "k", 1); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::unregister(reg, "k"); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::count(reg); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::keys(reg, self()); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::values(reg, "k", self()); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::match(reg, "k", a("_")); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::meta(reg, a("m")); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::find(reg); }), unknown);
    EXPECT_EQ(message([&] { (void)registry::dispatch(reg, "k", [](const auto&) {}); }), unknown);
    co_return;
  });
}

OTTER_ON_BOTH_RUNTIMES(RegistryTest);

}  // namespace
}  // namespace otter
