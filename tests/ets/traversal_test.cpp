// Tests of first/next/last/prev (otter/ets/traversal.hpp).

#include "otter/ets/traversal.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

#include <set>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test

class TraversalTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(TraversalTest);

TEST_P(TraversalTest, AnOrderedSetWalksInTermOrder) {
  run([]() -> co<void> {
    table t = new_table(a("os"), {.type = table_type::ordered_set});
    insert(t, list(tuple(3, a("c")), tuple(1, a("a")), tuple(2, a("b")), tuple(a("atom"), a("x")),
                   tuple("bin", a("y")), tuple(tuple(1, 2), a("z")), tuple(list(1), a("l"))));
    EXPECT_EQ(first(t), term(1));
    EXPECT_EQ(next(t, 1), term(2));
    EXPECT_EQ(next(t, 1.5), term(2));  // any key, present or not
    EXPECT_EQ(last(t), term("bin"));
    EXPECT_EQ(prev(t, "bin"), list(1));
    EXPECT_EQ(next(t, "bin"), std::nullopt);
    EXPECT_EQ(prev(t, 1), std::nullopt);
    EXPECT_EQ(prev(t, 2.5), term(2));
    std::vector<term> keys;
    for (auto k = first(t); k; k = next(t, *k)) {
      keys.push_back(*k);
    }
    EXPECT_EQ(as_list(keys), list(1, 2, 3, a("atom"), tuple(1, 2), list(1), "bin"));
    table e = new_table(a("empty"), {.type = table_type::ordered_set});
    EXPECT_EQ(first(e), std::nullopt);
    EXPECT_EQ(last(e), std::nullopt);
    co_return;
  });
}

TEST_P(TraversalTest, ASetWalksEveryKeyOnceAndLastIsFirst) {
  run([]() -> co<void> {
    for (table_type type : {table_type::set, table_type::bag, table_type::duplicate_bag}) {
      table t = new_table(a("s"), {.type = type});
      for (int i = 0; i < 300; ++i) {
        insert(t, tuple(i, 0));
        insert(t, tuple(i, 1));  // bags: two objects, still one key
      }
      std::set<term> seen;
      std::size_t steps = 0;
      for (auto k = first(t); k; k = next(t, *k)) {
        seen.insert(*k);
        ++steps;
      }
      EXPECT_EQ(seen.size(), 300U);
      EXPECT_EQ(steps, 300U);
      EXPECT_EQ(last(t), first(t));
      auto f = first(t);
      EXPECT_EQ(prev(t, *f), next(t, *f));
      EXPECT_TRUE(raises_badarg([&] { return next(t, 99999); }));
      table e = new_table(a("e"), {.type = type});
      EXPECT_EQ(first(e), std::nullopt);
    }
    co_return;
  });
}

}  // namespace
}  // namespace otter::ets_test
