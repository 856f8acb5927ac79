// Scenario 73_ets_ordered_set: an :ordered_set keeps its keys in term order (tab2list,
// first/next/last/prev are ordered) and compares keys with ==, so 1 and 1.0 are the same key.

#include "otter/ets.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(tab2list: [{1, :a}, {2, :b}, {3, :c}, {:atom, :x}, {{1, 2}, :z}, {[1], :l}, {"bin", :y}]
first: 1
next after 1: 2
next after 1.5 (not a key): 2
last: "bin"
prev of last: [1]
next after last: :"$end_of_table"
insert {1.0, :float}: true
lookup 1: [{1.0, :float}]
size: 7
select keys 2..3: [2, 3]
first of empty: :"$end_of_table"
end
)";

/// A traversal result as Erlang shows it.
term key_or_end(const std::optional<term>& k) {
  return k ? *k : term(a("$end_of_table"));
}

/// [{{:"$1", :_}, [{:is_number, :"$1"}, {:>=, :"$1", 2}], [:"$1"]}]
std::optional<term> number_key_from_two(const term& object) {
  const term& k = object[0];
  if (k.is_integer() ? k.as_int() >= 2 : k.type() == term::kind::floating && k.as_double() >= 2) {
    return k;
  }
  return std::nullopt;
}

co<void> scenario_73(testing::trace& t) {
  ets::table os = ets::new_table(a("os"), {.type = ets::table_type::ordered_set});
  ets::insert(os,
              list(tuple(3, a("c")), tuple(1, a("a")), tuple(2, a("b")), tuple(a("atom"), a("x")),
                   tuple("bin", a("y")), tuple(tuple(1, 2), a("z")), tuple(list(1), a("l"))));
  t.log("tab2list", term::list(ets::tab2list(os)));
  t.log("first", key_or_end(ets::first(os)));
  t.log("next after 1", key_or_end(ets::next(os, 1)));
  t.log("next after 1.5 (not a key)", key_or_end(ets::next(os, 1.5)));
  t.log("last", key_or_end(ets::last(os)));
  t.log("prev of last", key_or_end(ets::prev(os, *ets::last(os))));
  t.log("next after last", key_or_end(ets::next(os, *ets::last(os))));
  t.log("insert {1.0, :float}", term(ets::insert(os, tuple(1.0, a("float")))));
  t.log("lookup 1", term::list(ets::lookup(os, 1)));
  t.log("size", ets::info(os, a("size")));
  t.log("select keys 2..3", term::list(ets::select(os, number_key_from_two)));
  ets::table e = ets::new_table(a("empty"), {.type = ets::table_type::ordered_set});
  t.log("first of empty", key_or_end(ets::first(e)));
  t.log("end");
  co_return;
}

TEST(ConformanceTest, EtsOrderedSet73) {
  expect_trace(expected, scenario_73);
}

}  // namespace
}  // namespace otter::conformance
