// Scenario 74_ets_bag: a :bag holds many objects per key but no identical duplicates; a
// :duplicate_bag keeps identical objects too. lookup returns objects in insertion order;
// delete(tab, key) removes every object of the key; delete_object removes one object (every
// copy of it in a duplicate_bag); update_counter on a bag is badarg.

#include "otter/ets.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(bag lookup k: [{:k, 1}, {:k, 2}]
bag size: 3
bag insert_new with existing key: false
bag delete_object {:k, 1}: true
bag lookup k: [{:k, 2}]
duplicate_bag lookup k: [{:k, 1}, {:k, 2}, {:k, 1}]
duplicate_bag size: 3
duplicate_bag delete_object {:k, 1}: true
duplicate_bag lookup k: [{:k, 2}]
duplicate_bag delete key k: true
duplicate_bag tab2list: [{:j, 0}]
update_counter on bag: {:error, :badarg}
end
)";

co<void> scenario_74(testing::trace& t) {
  const atom k = a("k");
  ets::table b = ets::new_table(a("b"), {.type = ets::table_type::bag});
  ets::insert(b, tuple(k, 1));
  ets::insert(b, tuple(k, 2));
  ets::insert(b, tuple(k, 1));
  ets::insert(b, tuple(a("other"), 9));
  t.log("bag lookup k", term::list(ets::lookup(b, k)));
  t.log("bag size", ets::info(b, a("size")));
  t.log("bag insert_new with existing key", term(ets::insert_new(b, tuple(k, 3))));
  t.log("bag delete_object {:k, 1}", term(ets::delete_object(b, tuple(k, 1))));
  t.log("bag lookup k", term::list(ets::lookup(b, k)));

  ets::table d = ets::new_table(a("d"), {.type = ets::table_type::duplicate_bag});
  ets::insert(d, tuple(k, 1));
  ets::insert(d, tuple(k, 2));
  ets::insert(d, tuple(k, 1));
  t.log("duplicate_bag lookup k", term::list(ets::lookup(d, k)));
  t.log("duplicate_bag size", ets::info(d, a("size")));
  t.log("duplicate_bag delete_object {:k, 1}", term(ets::delete_object(d, tuple(k, 1))));
  t.log("duplicate_bag lookup k", term::list(ets::lookup(d, k)));
  ets::insert(d, list(tuple(k, 3), tuple(a("j"), 0)));
  t.log("duplicate_bag delete key k", term(ets::delete_key(d, k)));
  t.log("duplicate_bag tab2list", term::list(ets::tab2list(d)));
  auto counter_on_bag = [b, k]() -> co<term> {
    co_return ets::update_counter(b, k, 1);
  };
  t.log("update_counter on bag", co_await testing::catching(counter_on_bag));
  t.log("end");
}

TEST(ConformanceTest, EtsBag74) {
  expect_trace(expected, scenario_74);
}

}  // namespace
}  // namespace otter::conformance
