// Tests of update_counter and update_element (otter/ets/counters.hpp): every form, the
// threshold rule, defaults, and that a failing update changes nothing.

#include "otter/ets/counters.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test

class CountersTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(CountersTest);

TEST_P(CountersTest, AnIncrementUpdatesTheElementAfterTheKey) {
  run([]() -> co<void> {
    for (table_type type : {table_type::set, table_type::ordered_set}) {
      table t = new_table(a("c"), {.type = type});
      insert(t, tuple(10, 5, a("x")));
      insert(t, tuple(20, 1));
      EXPECT_EQ(update_counter(t, 10, 1), 6);
      EXPECT_EQ(update_counter(t, 20, -3), -2);
      EXPECT_EQ(as_list(lookup(t, 10)), list(tuple(10, 6, a("x"))));
      EXPECT_EQ(as_list(lookup(t, 20)), list(tuple(20, -2)));
    }
    table k = new_table(a("k"), {.keypos = 2});
    insert(k, tuple(5, a("k"), 10));
    EXPECT_EQ(update_counter(k, a("k"), 1), 11);  // keypos + 1 = 3
    insert(k, tuple(5, a("j")));
    EXPECT_TRUE(raises_badarg([&] { return update_counter(k, a("j"), 1); }));
    co_return;
  });
}

TEST_P(CountersTest, ThresholdsResetTheCounter) {
  run([]() -> co<void> {
    table t = new_table(a("c"));
    insert(t, tuple(10, 6, a("x")));
    EXPECT_EQ(
        update_counter(t, 10, counter_op{.pos = 2, .incr = 10, .threshold = 12, .set_value = 0}),
        0);
    EXPECT_EQ(
        update_counter(t, 10, counter_op{.pos = 2, .incr = -10, .threshold = -3, .set_value = 7}),
        7);
    EXPECT_EQ(
        update_counter(t, 10, counter_op{.pos = 2, .incr = 1, .threshold = 8, .set_value = 0}),
        8);  // not above the threshold
    co_return;
  });
}

TEST_P(CountersTest, SeveralOpsApplyInOrderAndReturnEveryResult) {
  run([]() -> co<void> {
    table t = new_table(a("c"));
    insert(t, tuple(1, 7, 100));
    std::vector<counter_op> ops{
        {.pos = 2, .incr = 1}, {.pos = 2, .incr = 1}, {.pos = 3, .incr = -1}};
    EXPECT_EQ(update_counter(t, 1, ops), (std::vector<std::int64_t>{8, 9, 99}));
    EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, 9, 99)));
    EXPECT_TRUE(update_counter(t, 1, std::span<const counter_op>()).empty());
    co_return;
  });
}

TEST_P(CountersTest, ADefaultObjectIsInsertedWithTheKey) {
  run([]() -> co<void> {
    table t = new_table(a("c"));
    EXPECT_EQ(update_counter(t, 11, 1, tuple(0, 100)), 101);
    EXPECT_EQ(as_list(lookup(t, 11)), list(tuple(11, 101)));
    EXPECT_EQ(update_counter(t, 11, 1, tuple(0, 100)), 102);  // exists: default unused
    EXPECT_EQ(update_counter(t, 6, counter_op{.pos = 2, .incr = 1}, tuple(a("other"), 10)), 11);
    EXPECT_EQ(as_list(lookup(t, 6)), list(tuple(6, 11)));
    std::vector<counter_op> ops{{.pos = 2, .incr = 1}, {.pos = 3, .incr = 2}};
    EXPECT_EQ(update_counter(t, 7, ops, tuple(0, 0, 0)), (std::vector<std::int64_t>{1, 2}));
    // A default too short for the op inserts nothing.
    EXPECT_TRUE(raises_badarg(
        [&] { return update_counter(t, 12, counter_op{.pos = 3, .incr = 1}, tuple(99, 0)); }));
    EXPECT_FALSE(member(t, 12));
    // A default that is not a tuple is badarg even when the key exists.
    EXPECT_TRUE(raises_badarg([&] { return update_counter(t, 11, 1, a("nope")); }));
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    EXPECT_EQ(update_counter(o, 2.0, 1, tuple(2, 7)), 8);
    EXPECT_EQ(as_list(lookup(o, 2)), list(tuple(2.0, 8)));
    co_return;
  });
}

TEST_P(CountersTest, AFailingUpdateChangesNothing) {
  run([]() -> co<void> {
    table t = new_table(a("c"));
    insert(t, tuple(10, 10, a("x")));
    EXPECT_TRUE(
        raises_badarg([&] { return update_counter(t, 10, counter_op{.pos = 3, .incr = 1}); }));
    EXPECT_TRUE(
        raises_badarg([&] { return update_counter(t, 10, counter_op{.pos = 1, .incr = 1}); }));
    EXPECT_TRUE(
        raises_badarg([&] { return update_counter(t, 10, counter_op{.pos = 4, .incr = 1}); }));
    EXPECT_TRUE(
        raises_badarg([&] { return update_counter(t, 10, counter_op{.pos = 0, .incr = 1}); }));
    EXPECT_TRUE(raises_badarg([&] { return update_counter(t, 11, 1); }));
    std::vector<counter_op> partly_bad{{.pos = 2, .incr = 1}, {.pos = 3, .incr = 1}};
    EXPECT_TRUE(raises_badarg([&] { return update_counter(t, 10, partly_bad); }));
    EXPECT_EQ(as_list(lookup(t, 10)), list(tuple(10, 10, a("x"))));
    insert(t, tuple(1, std::numeric_limits<std::int64_t>::max()));
    EXPECT_TRUE(raises_badarg([&] { return update_counter(t, 1, 1); }));  // no bignums
    EXPECT_EQ(lookup_element(t, 1, 2), term(std::numeric_limits<std::int64_t>::max()));
    co_return;
  });
}

TEST_P(CountersTest, BagsHaveNoCounters) {
  run([]() -> co<void> {
    for (table_type type : {table_type::bag, table_type::duplicate_bag}) {
      table b = new_table(a("b"), {.type = type});
      insert(b, tuple(a("k"), 1));
      EXPECT_TRUE(raises_badarg([&] { return update_counter(b, a("k"), 1); }));
      EXPECT_TRUE(raises_badarg([&] { return update_element(b, a("k"), 2, 0); }));
      EXPECT_EQ(as_list(lookup(b, a("k"))), list(tuple(a("k"), 1)));
    }
    co_return;
  });
}

TEST_P(CountersTest, UpdateElementReplacesElements) {
  run([]() -> co<void> {
    for (table_type type : {table_type::set, table_type::ordered_set}) {
      table t = new_table(a("e"), {.type = type});
      insert(t, tuple(10, 10, a("x")));
      EXPECT_TRUE(update_element(t, 10, 3, a("y")));
      std::vector<element_update> ups{{3, a("z")}, {2, 0}};
      EXPECT_TRUE(update_element(t, 10, ups));
      EXPECT_EQ(as_list(lookup(t, 10)), list(tuple(10, 0, a("z"))));
      EXPECT_FALSE(update_element(t, 99, 2, 0));
      EXPECT_TRUE(raises_badarg([&] { return update_element(t, 10, 1, 0); }));
      EXPECT_TRUE(raises_badarg([&] { return update_element(t, 10, 4, 0); }));
      std::vector<element_update> partly_bad{{2, 5}, {4, 0}};
      EXPECT_TRUE(raises_badarg([&] { return update_element(t, 10, partly_bad); }));
      EXPECT_EQ(as_list(lookup(t, 10)), list(tuple(10, 0, a("z"))));
      EXPECT_TRUE(update_element(t, 10, std::span<const element_update>()));
      // An inline object (two elements) is updated in place.
      insert(t, tuple(1, a("a")));
      EXPECT_TRUE(update_element(t, 1, 2, "text"));
      EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, "text")));
    }
    co_return;
  });
}

}  // namespace
}  // namespace otter::ets_test
