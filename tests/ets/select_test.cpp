// Tests of select, match and folds (otter/ets/select.hpp).

#include "otter/ets/select.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test

class SelectTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(SelectTest);

std::optional<term> key_if_at_least_two(const term& o) {
  if (o[0].is_integer() && o[0].as_int() >= 2) {
    return o[0];
  }
  return std::nullopt;
}

TEST_P(SelectTest, SelectCollectsTheProjections) {
  run([]() -> co<void> {
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    insert(o, list(tuple(3, a("c")), tuple(1, a("a")), tuple(2, a("b")), tuple(a("x"), 0)));
    EXPECT_EQ(as_list(select(o, key_if_at_least_two)), list(2, 3));
    table s = new_table(a("s"));
    insert(s, list(tuple(3, a("c")), tuple(1, a("a")), tuple(2, a("b"))));
    EXPECT_EQ(sorted_list(select(s, key_if_at_least_two)), list(2, 3));
    EXPECT_EQ(select_count(s, [](const term& obj) { return obj[0] != term(1); }), 2U);
    co_return;
  });
}

TEST_P(SelectTest, SelectWithAPatternVisitsOnlyMatches) {
  run([]() -> co<void> {
    table b = new_table(a("b"), {.type = table_type::bag});
    insert(b, list(tuple(a("a"), 1, a("x")), tuple(a("a"), 2, a("y")), tuple(a("b"), 1, a("x"))));
    auto second = [](const term& obj) -> std::optional<term> {
      return obj[1];
    };
    EXPECT_EQ(sorted_list(select(b, tuple(a("_"), a("_"), a("x")), second)), list(1, 1));
    EXPECT_EQ(sorted_list(select(b, tuple(a("a"), a("_"), a("_")), second)), list(1, 2));
    co_return;
  });
}

TEST_P(SelectTest, MatchBindsVariablesInNumberOrder) {
  run([]() -> co<void> {
    table m = new_table(a("m"), {.type = table_type::bag});
    insert(m, list(tuple(a("a"), 1, a("x")), tuple(a("a"), 2, a("y")), tuple(a("b"), 1, a("x"))));
    EXPECT_EQ(sorted_list(match(m, tuple(a("$1"), a("$2"), a("x")))),
              list(list(a("a"), 1), list(a("b"), 1)));
    EXPECT_EQ(sorted_list(match(m, tuple(a("$2"), a("$1"), a("x")))),
              list(list(1, a("a")), list(1, a("b"))));
    EXPECT_TRUE(match(m, tuple(a("$1"), a("$1"), a("_"))).empty());
    EXPECT_EQ(sorted_list(match(m, tuple(a("_"), a("_"), a("$0")))),
              list(list(a("x")), list(a("x")), list(a("y"))));
    EXPECT_EQ(as_list(match(m, tuple(a("b"), a("_"), a("_")))), list(list()));
    EXPECT_EQ(sorted_list(match_object(m, tuple(a("a"), a("_"), a("_")))),
              list(tuple(a("a"), 1, a("x")), tuple(a("a"), 2, a("y"))));
    co_return;
  });
}

TEST_P(SelectTest, PatternsMatchWholeObjectsMapsAndNothingElse) {
  run([]() -> co<void> {
    table t = new_table(a("t"));
    insert(t, tuple(1, 1));
    insert(t, tuple(2, term::map({{a("a"), 1}, {a("b"), 2}})));
    insert(t, tuple(3, a("x"), a("y")));
    EXPECT_EQ(tab2list(t).size(), match_object(t, a("_")).size());
    EXPECT_EQ(as_list(match_object(t, tuple(a("$1"), a("$1")))), list(tuple(1, 1)));
    EXPECT_EQ(as_list(match(t, tuple(a("_"), term::map({{a("a"), a("$1")}})))), list(list(1)));
    EXPECT_EQ(match_object(t, tuple(a("_"), term::map({}))).size(), 1U);
    EXPECT_TRUE(match_object(t, list(1)).empty());
    EXPECT_TRUE(match_object(t, 1).empty());
    EXPECT_EQ(as_list(match_object(t, tuple(3, a("x"), a("y")))), list(tuple(3, a("x"), a("y"))));
    EXPECT_EQ(as_list(match(t, tuple(3, a("$1"), a("_")))), list(list(a("x"))));
    std::vector<term> whole = match(t, a("$1"));
    EXPECT_EQ(whole.size(), 3U);
    co_return;
  });
}

TEST_P(SelectTest, ABoundKeyIsMatchedExactlyInAnOrderedSet) {
  run([]() -> co<void> {
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    insert(o, tuple(1.0, a("a")));
    EXPECT_TRUE(match_object(o, tuple(1, a("_"))).empty());  // found by ==, matched by =:=
    EXPECT_EQ(match_object(o, tuple(1.0, a("_"))).size(), 1U);
    co_return;
  });
}

TEST_P(SelectTest, SelectDeleteAndMatchDeleteRemoveWhatTheySelect) {
  run([]() -> co<void> {
    for (table_type type :
         {table_type::set, table_type::ordered_set, table_type::bag, table_type::duplicate_bag}) {
      table t = new_table(a("t"), {.type = type});
      for (int i = 0; i < 1000; ++i) {
        insert(t, tuple(i % 500, i));
      }
      const std::size_t before = info(t)->size;
      std::size_t odd = select_delete(t, [](const term& o) { return o[1].as_int() % 2 == 1; });
      EXPECT_EQ(info(t)->size, before - odd);
      EXPECT_EQ(select_count(t, [](const term& o) { return o[1].as_int() % 2 == 1; }), 0U);
      EXPECT_TRUE(match_delete(t, tuple(a("_"), 0)));
      EXPECT_TRUE(match_object(t, tuple(a("_"), 0)).empty());
    }
    table d = new_table(a("d"), {.type = table_type::duplicate_bag});
    insert(d, list(tuple(1, a("a")), tuple(1, a("a")), tuple(1, a("b"))));
    EXPECT_EQ(select_delete(d, [](const term& o) { return o[1] == term(a("a")); }), 2U);
    EXPECT_EQ(as_list(lookup(d, 1)), list(tuple(1, a("b"))));
    co_return;
  });
}

TEST_P(SelectTest, FoldsVisitEveryObjectAndFoldrReversesAnOrderedSet) {
  run([]() -> co<void> {
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    for (int i = 0; i < 600; ++i) {  // more than one scan chunk
      insert(o, tuple(i, i));
    }
    auto push = [](const term& obj, std::vector<term> acc) {
      acc.push_back(obj[0]);
      return acc;
    };
    std::vector<term> up = foldl(o, push, std::vector<term>());
    std::vector<term> down = foldr(o, push, std::vector<term>());
    EXPECT_EQ(up.size(), 600U);
    EXPECT_TRUE(std::is_sorted(up.begin(), up.end()));
    std::reverse(down.begin(), down.end());
    EXPECT_EQ(up, down);
    table s = new_table(a("s"));
    for (int i = 0; i < 100; ++i) {
      insert(s, tuple(i, i));
    }
    auto sum = [](const term& obj, std::int64_t acc) {
      return acc + obj[1].as_int();
    };
    EXPECT_EQ(foldl(s, sum, std::int64_t{0}), 4950);
    EXPECT_EQ(foldr(s, sum, std::int64_t{0}), 4950);
    co_return;
  });
}

TEST_P(SelectTest, UserFunctionsMayUseTheTableAndMayThrow) {
  run([]() -> co<void> {
    table s = new_table(a("s"));
    for (int i = 0; i < 50; ++i) {
      insert(s, tuple(i, 0));
    }
    // No lock is held while the function runs: it may write the same table.
    for_each(s, [&](const term& o) { update_counter(s, o[0], 1); });
    EXPECT_EQ(select_count(s, [](const term& o) { return o[1] == term(1); }), 50U);
    bool threw = false;
    try {
      (void)select(s, [](const term&) -> std::optional<term> { throw std::runtime_error("no"); });
    } catch (const std::runtime_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    EXPECT_EQ(lookup(s, 3).size(), 1U);  // and the table is still usable
    co_return;
  });
}

TEST_P(SelectTest, Tab2listReturnsEveryObject) {
  run([]() -> co<void> {
    table d = new_table(a("d"), {.type = table_type::duplicate_bag});
    insert(d, list(tuple(a("k"), 3), tuple(a("j"), 0), tuple(a("k"), 3)));
    EXPECT_EQ(sorted_list(tab2list(d)), list(tuple(a("j"), 0), tuple(a("k"), 3), tuple(a("k"), 3)));
    co_return;
  });
}

}  // namespace
}  // namespace otter::ets_test
