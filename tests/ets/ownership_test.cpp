// Tests of ownership: heirs, give_away, setopts (otter/ets/ownership.hpp). The ETS-TRANSFER
// message must arrive before the old owner's EXIT and DOWN.

#include "otter/ets/ownership.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test
using test_support::down_of;

class OwnershipTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(OwnershipTest);

struct die {};
struct made {
  table t;
};

// Creates a table with `opts` (and one object), reports it, waits for die{}, returns.
co<void> owner_process(pid report_to, options opts) {
  table t = new_table(a("t"), opts);
  insert(t, tuple(a("x"), 1));
  send(report_to, made{t});
  co_await receive<die>();
}

TEST_P(OwnershipTest, TheHeirInheritsBeforeItSeesTheOwnersExit) {
  run([]() -> co<void> {
    trap_exit(true);
    options opts{.heir = heir_spec{self(), a("my_heir_data")}};
    pid owner = spawn_link(owner_process, self(), opts);
    ref mon = monitor(owner);
    table t = (co_await receive<made>()).t;
    send(owner, die{});
    // First the transfer, then the EXIT, then the DOWN: all from the owner's exit.
    std::optional<message> first = co_await receive_any(std::chrono::seconds(5));
    EXPECT_TRUE(first && first->is<transfer_msg>());
    if (first && first->is<transfer_msg>()) {
      const transfer_msg& m = first->get<transfer_msg>();
      EXPECT_TRUE(m.tab == t);
      EXPECT_EQ(m.from, owner);
      EXPECT_EQ(m.data, term(a("my_heir_data")));
      EXPECT_EQ(m.to_term(), tuple(a("ETS-TRANSFER"), t.id(), owner, a("my_heir_data")));
    }
    exit_msg e = co_await receive<exit_msg>();
    EXPECT_EQ(e.from, owner);
    (void)co_await down_of(mon);
    EXPECT_EQ(info(t)->owner, self());
    EXPECT_EQ(info(t)->heir, self());  // the heir setting stays: we are our own heir
    EXPECT_EQ(as_list(lookup(t, a("x"))), list(tuple(a("x"), 1)));
    insert(t, tuple(a("y"), 2));  // and we may write it now
    EXPECT_EQ(info(t)->size, 2U);
  });
}

TEST_P(OwnershipTest, ANamedTableShowsItsNameInTheTransfer) {
  run([]() -> co<void> {
    options opts{.named_table = true, .heir = heir_spec{self(), 7}};
    pid owner = spawn(owner_process, self(), opts);
    (void)co_await receive<made>();
    send(owner, die{});
    transfer_msg m = co_await receive<transfer_msg>();
    EXPECT_EQ(m.to_term(), tuple(a("ETS-TRANSFER"), a("t"), owner, 7));
    EXPECT_EQ(info(a("t"))->owner, self());
  });
}

TEST_P(OwnershipTest, ATableWhoseHeirIsDeadDiesWithItsOwner) {
  run([]() -> co<void> {
    auto [heir, hr] = spawn_monitor([]() -> co<void> { co_await receive<die>(); });
    options opts{.heir = heir_spec{heir, 0}};
    auto [owner, r] = spawn_monitor(owner_process, self(), opts);
    table t = (co_await receive<made>()).t;
    EXPECT_EQ(info(t)->heir, heir);
    send(heir, die{});
    (void)co_await down_of(hr);
    send(owner, die{});
    (void)co_await down_of(r);
    EXPECT_EQ(info(t), std::nullopt);
    EXPECT_EQ(testing::mailbox(), list());
  });
}

TEST_P(OwnershipTest, AnHeirThatIsAlreadyDeadIsRecordedAsNone) {
  run([]() -> co<void> {
    auto [dead, r] = spawn_monitor([]() -> co<void> { co_return; });
    (void)co_await down_of(r);
    table t = new_table(a("t"), {.heir = heir_spec{dead, 0}});
    EXPECT_EQ(info(t)->heir, std::nullopt);
    EXPECT_TRUE(setopts(t, heir_spec{self(), 1}));
    EXPECT_EQ(info(t)->heir, self());
    EXPECT_TRUE(setopts(t, heir_spec{dead, 1}));
    EXPECT_EQ(info(t, a("heir")), term(a("none")));
    EXPECT_TRUE(setopts(t, heir_spec{self(), 1}));
    EXPECT_TRUE(setopts(t, std::nullopt));
    EXPECT_EQ(info(t)->heir, std::nullopt);
  });
}

TEST_P(OwnershipTest, GiveAwayTransfersOwnershipWithAMessage) {
  run([]() -> co<void> {
    const pid me = self();
    table t = new_table(a("g"));
    insert(t, tuple(1, 1));
    pid receiver = spawn([me]() -> co<void> {
      transfer_msg m = co_await receive<transfer_msg>();
      insert(m.tab, tuple(2, 2));  // the new owner may write
      send(me, m);
      co_await receive<die>();
    });
    EXPECT_TRUE(give_away(t, receiver, a("gift")));
    transfer_msg m = co_await receive<transfer_msg>();
    EXPECT_EQ(m.from, me);
    EXPECT_EQ(m.data, term(a("gift")));
    EXPECT_EQ(info(t)->owner, receiver);
    EXPECT_EQ(info(t)->size, 2U);
    // We are no longer the owner.
    EXPECT_TRUE(raises_badarg([&] { return insert(t, tuple(3, 3)); }));
    EXPECT_TRUE(raises_badarg([&] { return give_away(t, me, 0); }));
    EXPECT_TRUE(raises_badarg([&] { return setopts(t, std::nullopt); }));
    EXPECT_TRUE(raises_badarg([&] { return delete_table(t); }));
    send(receiver, die{});
    (void)co_await testing::wait_down(receiver);
    EXPECT_EQ(info(t), std::nullopt);  // it died with its new owner
  });
}

TEST_P(OwnershipTest, GiveAwayRefusesOneselfAndTheDead) {
  run([]() -> co<void> {
    table t = new_table(a("g"));
    EXPECT_TRUE(raises_badarg([&] { return give_away(t, self(), 0); }));
    auto [dead_pid, r] = spawn_monitor([]() -> co<void> { co_return; });
    const pid dead = dead_pid;  // (clang 14 cannot capture structured bindings)
    (void)co_await down_of(r);
    EXPECT_TRUE(raises_badarg([&] { return give_away(t, dead, 0); }));
    EXPECT_TRUE(raises_badarg([&] { return give_away(t, pid(), 0); }));
    EXPECT_EQ(info(t)->owner, self());
    delete_table(t);
    EXPECT_TRUE(raises_badarg([&] { return give_away(t, dead, 0); }));
  });
}

// give_away keeps the heir: when the new owner dies, the heir inherits from it.
TEST_P(OwnershipTest, TheHeirSurvivesAGiveAway) {
  run([]() -> co<void> {
    const pid me = self();
    table t = new_table(a("h"), {.heir = heir_spec{me, a("hd")}});
    pid p = spawn([]() -> co<void> {
      (void)co_await receive<transfer_msg>();
      co_await receive<die>();
    });
    give_away(t, p, a("gift"));
    send(p, die{});
    transfer_msg m = co_await receive<transfer_msg>();
    EXPECT_EQ(m.from, p);
    EXPECT_EQ(m.data, term(a("hd")));
    EXPECT_EQ(info(t)->owner, me);
  });
}

// The old owner's exit after a give_away does nothing to the table.
TEST_P(OwnershipTest, TheOldOwnersExitDoesNotDeleteAGivenTable) {
  run([]() -> co<void> {
    const pid me = self();
    auto [giver, r] = spawn_monitor([me]() -> co<void> {
      table t = new_table(a("given"), {.named_table = true});
      give_away(t, me, 0);
      co_return;
    });
    (void)co_await receive<transfer_msg>();
    (void)co_await down_of(r);
    EXPECT_EQ(info(a("given"))->owner, me);
    (void)giver;
  });
}

// A chain of heirs: each inherits in turn.
TEST_P(OwnershipTest, HeirsInheritInTurn) {
  run([]() -> co<void> {
    const pid me = self();
    auto [first, r1] = spawn_monitor([me]() -> co<void> {
      transfer_msg m = co_await receive<transfer_msg>();
      setopts(m.tab, heir_spec{me, a("second")});
      send(me, m);
      co_await receive<die>();
    });
    options opts{.heir = heir_spec{first, a("first")}};
    auto [owner, r0] = spawn_monitor(owner_process, me, opts);
    table t = (co_await receive<made>()).t;
    send(owner, die{});
    transfer_msg to_first = co_await receive<transfer_msg>();  // forwarded by `first`
    EXPECT_EQ(to_first.data, term(a("first")));
    send(first, die{});
    transfer_msg to_me = co_await receive<transfer_msg>();
    EXPECT_EQ(to_me.from, first);
    EXPECT_EQ(to_me.data, term(a("second")));
    EXPECT_EQ(info(t)->owner, me);
    (void)co_await down_of(r0);
    (void)co_await down_of(r1);
  });
}

// An owner that is its own heir: the table dies with it (there is nobody to inherit).
TEST_P(OwnershipTest, AnOwnerThatIsItsOwnHeirTakesTheTableAlong) {
  run([]() -> co<void> {
    const pid me = self();
    auto [owner, r] = spawn_monitor([me]() -> co<void> {
      table t = new_table(a("self_heir"), {.named_table = true});
      setopts(t, heir_spec{self(), 0});
      send(me, made{t});
      co_await receive<die>();
    });
    table t = (co_await receive<made>()).t;
    EXPECT_EQ(info(t)->heir, owner);
    send(owner, die{});
    (void)co_await down_of(r);
    EXPECT_EQ(info(t), std::nullopt);
    EXPECT_EQ(testing::mailbox(), list());
  });
}

// Deleting a table with an heir gives it to nobody.
TEST_P(OwnershipTest, ADeletedTableIsNotInherited) {
  run([]() -> co<void> {
    const pid me = self();
    auto [owner, r] = spawn_monitor([me]() -> co<void> {
      table t = new_table(a("t"), {.heir = heir_spec{me, 0}});
      delete_table(t);
      co_return;
    });
    (void)co_await down_of(r);
    EXPECT_EQ(testing::mailbox(), list());
    (void)owner;
  });
}

}  // namespace
}  // namespace otter::ets_test
