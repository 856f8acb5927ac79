// Scenario 68_registry_duplicate: many entries per key, also from one process; lookup returns
// them all; unregister removes all of the caller's entries for the key; dispatch calls the
// function with the entries; match/3 filters values by pattern and guards; count_match; a via
// name on a duplicate registry raises ArgumentError.

#include "otter/otp/agent.hpp"
#include "otter/otp/registry.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(register topic 1: {:ok, :partition_pid}
register topic 2 (same process): {:ok, :partition_pid}
lookup topic (sorted): [{#PID<main>, 1}, {#PID<main>, 2}, {#PID<sub>, :sub_value}]
keys(self): ["topic", "topic"]
values(topic, self): [1, 2]
count: 3
match topic :"$1" when is_integer: [{#PID<main>, 1}, {#PID<main>, 2}]
match topic :sub_value: [{#PID<sub>, :sub_value}]
count_match topic :_: 3
dispatch returns: :ok
messages at main (sorted): [{:broadcast, 1}, {:broadcast, 2}, {:sub_got, :sub_value}]
dispatch on key with no entries: :ok
unregister topic: :ok
lookup topic: [{#PID<sub>, :sub_value}]
lookup eventually empty after subscriber died: true
via with duplicate registry: {:error, ArgumentError}
end
)";

term ok(const registry::register_result& r) {
  return r ? tuple(atoms::ok, a("partition_pid")) : registry::to_term(r);
}

/// `Enum.sort_by(list, &T.f/1)`: sorted by printed form.
term sorted_by_print(testing::trace& t, std::vector<term> items) {
  std::stable_sort(items.begin(), items.end(),
                   [&t](const term& x, const term& y) { return t.print(x) < t.print(y); });
  return term::list(std::move(items));
}
term sorted_by_print(testing::trace& t, const std::vector<registry::entry>& entries) {
  std::vector<term> items;
  for (const auto& e : entries) {
    items.push_back(e.to_term());
  }
  return sorted_by_print(t, std::move(items));
}

co<void> scenario_68(testing::trace& t) {
  const pid main = self();
  const atom dup = a("Elixir.Dup");
  registry::options opts{.keys = registry::kind::duplicate, .name = dup};
  (void)co_await registry::start_link(opts);
  t.log("register topic 1", ok(registry::register_key(dup, "topic", 1)));
  t.log("register topic 2 (same process)", ok(registry::register_key(dup, "topic", 2)));

  pid sub = spawn([main, dup]() -> co<void> {
    (void)registry::register_key(dup, "topic", a("sub_value"));
    send(main, term(a("subscribed")));
    term m = co_await receive(on<term>([](const term& x) { return x.is_tagged(a("broadcast"), 2); },
                                       [](term& x) { return x; }));
    send(main, tuple(a("sub_got"), m[1]));
    co_await receive(on<term>([](const term& x) { return x.is(a("die")); }, [](term&) {}));
  });
  t.name(sub, "sub");
  term subscribed = co_await testing::recv();
  OTTER_CHECK(subscribed.is(a("subscribed")), ":subscribed = T.recv()");
  t.log("lookup topic (sorted)", sorted_by_print(t, registry::lookup(dup, "topic")));
  t.log("keys(self)", term::list(registry::keys(dup, self())));
  t.log("values(topic, self)", term::list(registry::values(dup, "topic", self())));
  t.log("count", registry::count(dup));
  std::vector<term> is_integer{tuple(a("is_integer"), a("$1"))};
  t.log("match topic :\"$1\" when is_integer",
        sorted_by_print(t, registry::match(dup, "topic", a("$1"), is_integer)));
  t.log("match topic :sub_value", registry::to_term(registry::match(dup, "topic", a("sub_value"))));
  t.log("count_match topic :_", registry::count_match(dup, "topic", a("_")));

  auto broadcast = [](const std::vector<registry::entry>& entries) {
    for (const auto& e : entries) {
      send(e.owner, tuple(a("broadcast"), e.value));
    }
  };
  t.log("dispatch returns", registry::dispatch(dup, "topic", broadcast));
  // main receives its own two broadcasts plus the subscriber's confirmation
  std::vector<term> got;
  for (int i = 0; i < 3; ++i) {
    got.push_back(co_await testing::recv());
  }
  t.log("messages at main (sorted)", sorted_by_print(t, std::move(got)));
  auto never = [](const std::vector<registry::entry>&) {
    throw std::runtime_error("never called");
  };
  t.log("dispatch on key with no entries", registry::dispatch(dup, "nobody", never));

  t.log("unregister topic", registry::unregister(dup, "topic"));
  t.log("lookup topic", registry::to_term(registry::lookup(dup, "topic")));
  send(sub, term(a("die")));
  auto empty = [dup]() -> co<term> {
    co_return term(registry::lookup(dup, "topic").empty());
  };
  t.log("lookup eventually empty after subscriber died", co_await testing::eventually(empty));
  auto via_agent = [dup]() -> co<term> {
    agent::start_options so;
    so.name = registry::via(dup, "x");
    start_result r = co_await agent::start([] { return 1; }, so);
    co_return to_term(r);
  };
  t.log("via with duplicate registry", co_await testing::catching(via_agent));
  t.log("end");
}

TEST(ConformanceTest, RegistryDuplicate68) {
  expect_trace(expected, scenario_68);
}

}  // namespace
}  // namespace otter::conformance
