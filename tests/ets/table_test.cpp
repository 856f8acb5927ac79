// Tests of creating, naming, finding, renaming and deleting tables, and of info
// (otter/ets/table.hpp, otter/ets/info.hpp).

#include "otter/ets/table.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test

class TableTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(TableTest);

TEST_P(TableTest, ANamedTableIsReachedByItsName) {
  run([]() -> co<void> {
    table t = new_table(a("named"), {.named_table = true});
    EXPECT_EQ(t.to_term(), term(a("named")));
    insert(a("named"), tuple(1, 2));
    EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, 2)));
    EXPECT_TRUE(ets::whereis(a("named")) == t);
    EXPECT_EQ(ets::whereis(a("nope")), std::nullopt);
    EXPECT_TRUE(raises_badarg([] { return new_table(a("named"), {.named_table = true}); }));
    // The same name without named_table is fine: the name is only a label then.
    table u = new_table(a("named"));
    EXPECT_TRUE(u.to_term().is_ref());
    EXPECT_EQ(u.to_term(), term(u.id()));
    EXPECT_EQ(info(u)->name, a("named"));
    EXPECT_TRUE(delete_table(a("named")));
    EXPECT_EQ(ets::whereis(a("named")), std::nullopt);
    table again = new_table(a("named"), {.named_table = true});  // the name is free again
    EXPECT_TRUE(again != t);
    co_return;
  });
}

TEST_P(TableTest, KeyposZeroIsBadarg) {
  run([]() -> co<void> {
    EXPECT_TRUE(raises_badarg([] { return new_table(a("k"), {.keypos = 0}); }));
    co_return;
  });
}

TEST_P(TableTest, RenameMovesTheName) {
  run([]() -> co<void> {
    table t = new_table(a("old"), {.named_table = true});
    new_table(a("taken"), {.named_table = true});
    EXPECT_EQ(rename(a("old"), a("new")), a("new"));
    EXPECT_TRUE(raises_badarg([] { return lookup(a("old"), 1); }));
    EXPECT_EQ(lookup(a("new"), 1).size(), 0U);
    EXPECT_EQ(t.to_term(), term(a("new")));
    EXPECT_TRUE(raises_badarg([] { return rename(a("new"), a("taken")); }));
    EXPECT_EQ(rename(t, a("new")), a("new"));  // to its own name: nothing changes
    table u = new_table(a("label"));
    EXPECT_EQ(rename(u, a("other")), a("other"));  // unnamed: only the label
    EXPECT_EQ(info(u)->name, a("other"));
    EXPECT_EQ(ets::whereis(a("other")), std::nullopt);
    co_return;
  });
}

TEST_P(TableTest, AllListsTheLiveTables) {
  run([]() -> co<void> {
    table t1 = new_table(a("t1"));
    table t2 = new_table(a("t2"), {.named_table = true});
    std::vector<table> tables = all();
    EXPECT_EQ(std::count(tables.begin(), tables.end(), t1), 1);
    EXPECT_EQ(std::count(tables.begin(), tables.end(), t2), 1);
    delete_table(t1);
    tables = all();
    EXPECT_EQ(std::count(tables.begin(), tables.end(), t1), 0);
    co_return;
  });
}

TEST_P(TableTest, InfoDescribesTheTable) {
  run([]() -> co<void> {
    table t = new_table(a("i"), {.type = table_type::bag,
                                 .access = protection::public_,
                                 .named_table = true,
                                 .keypos = 2,
                                 .read_concurrency = true});
    insert(t, tuple(a("x"), 1));
    insert(t, tuple(a("y"), 1));
    std::optional<table_info> i = info(t);
    EXPECT_TRUE(i.has_value());
    EXPECT_TRUE(i->id == t);
    EXPECT_EQ(i->name, a("i"));
    EXPECT_EQ(i->type, table_type::bag);
    EXPECT_EQ(i->access, protection::public_);
    EXPECT_TRUE(i->named_table);
    EXPECT_EQ(i->keypos, 2U);
    EXPECT_EQ(i->owner, self());
    EXPECT_EQ(i->heir, std::nullopt);
    EXPECT_EQ(i->size, 2U);
    EXPECT_GT(i->memory, 0U);
    EXPECT_TRUE(i->read_concurrency);
    EXPECT_FALSE(i->write_concurrency);
    EXPECT_EQ(info(t, a("size")), term(2));
    EXPECT_EQ(info(t, a("type")), term(a("bag")));
    EXPECT_EQ(info(t, a("protection")), term(a("public")));
    EXPECT_EQ(info(t, a("owner")), term(self()));
    EXPECT_EQ(info(t, a("heir")), term(a("none")));
    EXPECT_EQ(info(t, a("keypos")), term(2));
    EXPECT_EQ(info(t, a("named_table")), term(true));
    EXPECT_EQ(info(t, a("node")), term(atoms::nonode));
    EXPECT_EQ(info(t, a("id")), term(t.id()));
    EXPECT_TRUE(info(t, a("memory")).is_integer());
    EXPECT_TRUE(raises_badarg([&] { return info(t, a("foo")); }));
    EXPECT_EQ(str(info(t)->to_term()).substr(0, 6), "[{:id,");
    EXPECT_EQ(info(t)->to_term().size(), 15U);
    delete_table(t);
    EXPECT_EQ(info(t), std::nullopt);
    EXPECT_EQ(info(a("i")), std::nullopt);
    EXPECT_EQ(info(t, a("size")), term(atoms::undefined));
    EXPECT_TRUE(raises_badarg([&] { return info(t, a("foo")); }));
    co_return;
  });
}

TEST_P(TableTest, MemoryGrowsWithTheObjects) {
  run([]() -> co<void> {
    table t = new_table(a("m"));
    const std::size_t empty = info(t)->memory;
    for (int i = 0; i < 10000; ++i) {
      insert(t, tuple(i, i));
    }
    const std::size_t full = info(t)->memory;
    EXPECT_GT(full, empty + 10000 * 32);
    EXPECT_LT(full, empty + 10000 * 200);
    delete_all_objects(t);
    EXPECT_LT(info(t)->memory, full);
    co_return;
  });
}

// A table dies with its owner: by then its name is free and its handles raise badarg.
TEST_P(TableTest, ATableDiesWithItsOwner) {
  run([]() -> co<void> {
    const pid me = self();
    auto [owner, r] = spawn_monitor([me]() -> co<void> {
      table t = new_table(a("mine"), {.access = protection::public_, .named_table = true});
      insert(t, tuple(1, 1));
      send(me, t);
      co_return;
    });
    table t = co_await receive<table>();
    (void)co_await test_support::down_of(r);
    // The exit watch ran before the DOWN was sent.
    EXPECT_EQ(ets::whereis(a("mine")), std::nullopt);
    EXPECT_EQ(info(t), std::nullopt);
    EXPECT_TRUE(raises_badarg([&] { return lookup(t, 1); }));
    (void)owner;
  });
}

}  // namespace
}  // namespace otter::ets_test
