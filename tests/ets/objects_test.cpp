// Tests of insert, lookup, member, take and the deletes (otter/ets/objects.hpp), for every
// table type, including each error path. They run inside a process on both runtimes.

#include "otter/ets/objects.hpp"

#include "ets/ets_test_support.hpp"

#include <gtest/gtest.h>

namespace otter::ets_test {
namespace {

using namespace otter::ets;  // NOLINT(google-build-using-namespace): the API under test

class ObjectsTest : public test_support::on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(ObjectsTest);

TEST_P(ObjectsTest, ASetReplacesTheObjectWithTheSameKey) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    EXPECT_TRUE(insert(t, tuple(1, a("a"))));
    EXPECT_TRUE(insert(t, tuple(1, a("b"))));
    EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, a("b"))));
    EXPECT_TRUE(lookup(t, 2).empty());
    co_return;
  });
}

TEST_P(ObjectsTest, ASetTellsIntegerAndFloatKeysApart) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    insert(t, tuple(1, a("int")));
    insert(t, tuple(1.0, a("float")));
    EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, a("int"))));
    EXPECT_EQ(as_list(lookup(t, 1.0)), list(tuple(1.0, a("float"))));
    EXPECT_EQ(info(t)->size, 2U);
    co_return;
  });
}

TEST_P(ObjectsTest, AnOrderedSetTreatsEqualNumbersAsOneKey) {
  run([]() -> co<void> {
    table t = new_table(a("o"), {.type = table_type::ordered_set});
    insert(t, tuple(1, a("int")));
    insert(t, tuple(1.0, a("float")));
    EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1.0, a("float"))));
    EXPECT_TRUE(member(t, 1));
    EXPECT_EQ(info(t)->size, 1U);
    co_return;
  });
}

TEST_P(ObjectsTest, ObjectsOfEveryArityAndKeyKindRoundTrip) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    std::vector<term> objects{
        tuple(1),
        tuple(2, a("x")),
        tuple(3, a("x"), "bin", list(1, 2)),
        tuple("key", term::map({{a("k"), 1}})),
        tuple(tuple(1, 2), 2.5),
        tuple(list(a("l")), self()),
        tuple(a("atom"), make_ref(), tuple(), list()),
    };
    for (const term& o : objects) {
      insert(t, o);
    }
    for (const term& o : objects) {
      EXPECT_EQ(as_list(lookup(t, o[0])), list(o)) << str(o);
    }
    EXPECT_EQ(sorted_list(tab2list(t)), sorted_list(objects));
    co_return;
  });
}

TEST_P(ObjectsTest, KeyposSelectsTheKeyElement) {
  run([]() -> co<void> {
    table t = new_table(a("k"), {.keypos = 2});
    insert(t, tuple(a("first"), 7, a("x")));
    insert(t, tuple(a("second"), 7));  // same key 7: replaces
    EXPECT_EQ(as_list(lookup(t, 7)), list(tuple(a("second"), 7)));
    EXPECT_TRUE(raises_badarg([&] { return insert(t, tuple(1)); }));  // no element 2
    co_return;
  });
}

TEST_P(ObjectsTest, ABagKeepsOneCopyInInsertionOrder) {
  run([]() -> co<void> {
    table b = new_table(a("b"), {.type = table_type::bag});
    insert(b, tuple(a("k"), 1));
    insert(b, tuple(a("k"), 2));
    insert(b, tuple(a("k"), 1));
    insert(b, tuple(a("other"), 9));
    EXPECT_EQ(as_list(lookup(b, a("k"))), list(tuple(a("k"), 1), tuple(a("k"), 2)));
    EXPECT_EQ(info(b)->size, 3U);
    // Deleted and inserted again: it goes to the end.
    delete_object(b, tuple(a("k"), 1));
    insert(b, tuple(a("k"), 1));
    EXPECT_EQ(as_list(lookup(b, a("k"))), list(tuple(a("k"), 2), tuple(a("k"), 1)));
    co_return;
  });
}

TEST_P(ObjectsTest, ABagTakesAListLastToFirstAsTheBeamDoes) {
  run([]() -> co<void> {
    table b = new_table(a("b"), {.type = table_type::bag});
    insert(b, list(tuple(1, a("a")), tuple(1, a("b")), tuple(1, a("c"))));
    EXPECT_EQ(as_list(lookup(b, 1)), list(tuple(1, a("c")), tuple(1, a("b")), tuple(1, a("a"))));
    insert(b, list(tuple(1, a("a")), tuple(1, a("e"))));
    EXPECT_EQ(as_list(lookup(b, 1)),
              list(tuple(1, a("c")), tuple(1, a("b")), tuple(1, a("a")), tuple(1, a("e"))));
    table d = new_table(a("d"), {.type = table_type::duplicate_bag});
    insert(d, list(tuple(1, a("a")), tuple(1, a("b")), tuple(1, a("a"))));
    EXPECT_EQ(as_list(lookup(d, 1)), list(tuple(1, a("a")), tuple(1, a("b")), tuple(1, a("a"))));
    co_return;
  });
}

TEST_P(ObjectsTest, AListInASetLetsTheLastObjectOfAKeyWin) {
  run([]() -> co<void> {
    table s = new_table(a("s"));
    insert(s, list(tuple(1, a("a")), tuple(1, a("b")), tuple(2, a("c"))));
    EXPECT_EQ(as_list(lookup(s, 1)), list(tuple(1, a("b"))));
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    insert(o, list(tuple(2, a("a")), tuple(2.0, a("b"))));
    EXPECT_EQ(as_list(lookup(o, 2)), list(tuple(2.0, a("b"))));
    std::vector<term> objects{tuple(3, a("x")), tuple(4, a("y"))};
    insert(s, objects);  // the span overload
    EXPECT_EQ(info(s)->size, 4U);
    co_return;
  });
}

TEST_P(ObjectsTest, ADuplicateBagKeepsIdenticalObjects) {
  run([]() -> co<void> {
    table d = new_table(a("d"), {.type = table_type::duplicate_bag});
    insert(d, tuple(a("k"), 1));
    insert(d, tuple(a("k"), 2));
    insert(d, tuple(a("k"), 1));
    EXPECT_EQ(as_list(lookup(d, a("k"))),
              list(tuple(a("k"), 1), tuple(a("k"), 2), tuple(a("k"), 1)));
    delete_object(d, tuple(a("k"), 1));  // every copy
    EXPECT_EQ(as_list(lookup(d, a("k"))), list(tuple(a("k"), 2)));
    co_return;
  });
}

TEST_P(ObjectsTest, AMalformedObjectIsBadargAndAListWithOneInsertsNothing) {
  run([]() -> co<void> {
    for (table_type type :
         {table_type::set, table_type::ordered_set, table_type::bag, table_type::duplicate_bag}) {
      table t = new_table(a("t"), {.type = type});
      EXPECT_TRUE(raises_badarg([&] { return insert(t, tuple()); }));
      EXPECT_TRUE(raises_badarg([&] { return insert(t, a("foo")); }));
      EXPECT_TRUE(raises_badarg([&] { return insert(t, list(tuple(3, a("c")), 7)); }));
      EXPECT_TRUE(raises_badarg([&] { return insert_new(t, list(tuple(3, a("c")), 7)); }));
      EXPECT_TRUE(raises_badarg([&] { return delete_object(t, 5); }));
      EXPECT_TRUE(lookup(t, 3).empty());
      EXPECT_EQ(info(t)->size, 0U);
      EXPECT_TRUE(insert(t, list()));  // an empty list is fine
    }
    co_return;
  });
}

TEST_P(ObjectsTest, InsertNewInsertsNothingWhenAnyKeyExists) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    insert(t, tuple(1, a("a")));
    EXPECT_FALSE(insert_new(t, tuple(1, a("z"))));
    EXPECT_FALSE(insert_new(t, list(tuple(3, a("c")), tuple(1, a("z")))));
    EXPECT_TRUE(lookup(t, 3).empty());
    EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, a("a"))));
    EXPECT_TRUE(insert_new(t, list(tuple(4, a("c")), tuple(4, a("z")))));
    EXPECT_EQ(as_list(lookup(t, 4)), list(tuple(4, a("z"))));
    table b = new_table(a("b"), {.type = table_type::bag});
    insert(b, tuple(a("k"), 1));
    EXPECT_FALSE(insert_new(b, tuple(a("k"), 3)));
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    insert(o, tuple(1, a("a")));
    EXPECT_FALSE(insert_new(o, tuple(1.0, a("b"))));
    std::vector<term> fresh{tuple(2, a("b"))};
    EXPECT_TRUE(insert_new(o, fresh));
    co_return;
  });
}

TEST_P(ObjectsTest, LookupElementReadsOneElement) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    insert(t, tuple(1, a("a"), a("b")));
    EXPECT_EQ(lookup_element(t, 1, 2), term(a("a")));
    EXPECT_EQ(lookup_element(t, 1, 1), term(1));
    EXPECT_TRUE(raises_badarg([&] { return lookup_element(t, 1, 4); }));
    EXPECT_TRUE(raises_badarg([&] { return lookup_element(t, 1, 0); }));
    EXPECT_TRUE(raises_badarg([&] { return lookup_element(t, 99, 1); }));
    table b = new_table(a("b"), {.type = table_type::bag});
    insert(b, tuple(1, a("a")));
    insert(b, tuple(1, a("b"), a("c")));
    EXPECT_EQ(lookup_element(b, 1, 2), list(a("a"), a("b")));
    EXPECT_TRUE(raises_badarg([&] { return lookup_element(b, 1, 3); }));  // one is too short
    co_return;
  });
}

TEST_P(ObjectsTest, TakeRemovesAndReturnsTheObjects) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    insert(t, tuple(10, 0, a("z")));
    EXPECT_EQ(as_list(take(t, 10)), list(tuple(10, 0, a("z"))));
    EXPECT_TRUE(take(t, 10).empty());
    table b = new_table(a("b"), {.type = table_type::bag});
    insert(b, tuple(1, a("a")));
    insert(b, tuple(1, a("b")));
    EXPECT_EQ(as_list(take(b, 1)), list(tuple(1, a("a")), tuple(1, a("b"))));
    EXPECT_FALSE(member(b, 1));
    co_return;
  });
}

TEST_P(ObjectsTest, DeleteKeyAndDeleteObject) {
  run([]() -> co<void> {
    table t = new_table(a("s"));
    insert(t, tuple(1, a("a")));
    insert(t, tuple(2, a("b")));
    EXPECT_TRUE(delete_key(t, 99));
    EXPECT_TRUE(delete_object(t, tuple(1, a("zz"))));  // not this object: nothing happens
    EXPECT_TRUE(member(t, 1));
    EXPECT_TRUE(delete_object(t, tuple(1, a("a"))));
    EXPECT_FALSE(member(t, 1));
    EXPECT_TRUE(delete_key(t, 2));
    EXPECT_EQ(info(t)->size, 0U);
    // ordered_set: the key by ==, the object exactly.
    table o = new_table(a("o"), {.type = table_type::ordered_set});
    insert(o, tuple(1, a("a")));
    delete_object(o, tuple(1.0, a("a")));
    EXPECT_TRUE(member(o, 1));
    delete_object(o, tuple(1, a("a")));
    EXPECT_FALSE(member(o, 1));
    // A boxed object (more than two elements) is compared whole too.
    insert(t, tuple(3, a("x"), a("y")));
    delete_object(t, tuple(3, a("x"), a("z")));
    EXPECT_TRUE(member(t, 3));
    delete_object(t, tuple(3, a("x"), a("y")));
    EXPECT_FALSE(member(t, 3));
    co_return;
  });
}

TEST_P(ObjectsTest, DeleteAllObjectsEmptiesEveryType) {
  run([]() -> co<void> {
    for (table_type type :
         {table_type::set, table_type::ordered_set, table_type::bag, table_type::duplicate_bag}) {
      table t = new_table(a("t"), {.type = type});
      for (int i = 0; i < 200; ++i) {
        insert(t, tuple(i, i));
      }
      EXPECT_EQ(info(t)->size, 200U);
      EXPECT_TRUE(delete_all_objects(t));
      EXPECT_EQ(info(t)->size, 0U);
      EXPECT_TRUE(tab2list(t).empty());
      insert(t, tuple(1, 1));  // still usable
      EXPECT_EQ(as_list(lookup(t, 1)), list(tuple(1, 1)));
    }
    co_return;
  });
}

TEST_P(ObjectsTest, ADeletedTableOrUnknownNameIsBadargForEveryOperation) {
  run([]() -> co<void> {
    table t = new_table(a("gone"), {.named_table = true});
    delete_table(t);
    for (table_ref r : {table_ref(t), table_ref(a("gone")), table_ref(table())}) {
      EXPECT_TRUE(raises_badarg([&] { return insert(r, tuple(1)); }));
      EXPECT_TRUE(raises_badarg([&] { return insert_new(r, tuple(1)); }));
      EXPECT_TRUE(raises_badarg([&] { return lookup(r, 1); }));
      EXPECT_TRUE(raises_badarg([&] { return lookup_element(r, 1, 1); }));
      EXPECT_TRUE(raises_badarg([&] { return member(r, 1); }));
      EXPECT_TRUE(raises_badarg([&] { return take(r, 1); }));
      EXPECT_TRUE(raises_badarg([&] { return delete_key(r, 1); }));
      EXPECT_TRUE(raises_badarg([&] { return delete_object(r, tuple(1)); }));
      EXPECT_TRUE(raises_badarg([&] { return delete_all_objects(r); }));
      EXPECT_TRUE(raises_badarg([&] { return delete_table(r); }));
    }
    co_return;
  });
}

// Many keys: the stripes grow (and shrink as keys go), keys move, nothing is lost.
TEST_P(ObjectsTest, ManyKeysSurviveGrowthAndShrinking) {
  run([]() -> co<void> {
    for (table_type type : {table_type::set, table_type::bag, table_type::ordered_set}) {
      table t = new_table(a("big"), {.type = type});
      constexpr int n = 5000;
      for (int i = 0; i < n; ++i) {
        insert(t, i % 3 == 0 ? tuple(i, i * 2) : tuple(i, i * 2, a("x")));
      }
      EXPECT_EQ(info(t)->size, static_cast<std::size_t>(n));
      for (int i = 0; i < n; i += 2) {
        delete_key(t, i);
      }
      bool all_good = true;
      for (int i = 0; i < n; ++i) {
        std::vector<term> found = lookup(t, i);
        all_good = all_good && found.size() == (i % 2 == 0 ? 0U : 1U);
        all_good = all_good && (found.empty() || found[0][1] == term(i * 2));
      }
      EXPECT_TRUE(all_good);
      for (int i = 1; i < n; i += 2) {
        delete_key(t, i);
      }
      EXPECT_EQ(info(t)->size, 0U);
      EXPECT_TRUE(first(t) == std::nullopt);
      insert(t, tuple(a("again"), 1));
      EXPECT_TRUE(member(t, a("again")));
    }
    co_return;
  });
}

}  // namespace
}  // namespace otter::ets_test
