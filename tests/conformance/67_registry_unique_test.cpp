// Scenario 67_registry_unique: register -> {:ok, partition} or {:error, {:already_registered,
// pid}}; lookup, keys, values, count, update_value and unregister on a unique registry; a key
// whose owner died can be taken at once; a dead owner's entries go; an unknown registry raises
// ArgumentError.

#include "otter/otp/registry.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(register hello: {:ok, :partition_pid}
register hello again (same process): {:error, {:already_registered, #PID<main>}}
register world: {:ok, :partition_pid}
lookup hello: [{#PID<main>, :v1}]
lookup missing: []
keys(self) sorted: ["hello", "world"]
values(hello, self): [:v1]
count: 2
update_value world: {43, 42}
lookup world: [{#PID<main>, 43}]
update_value missing: :error
other process registering taken key: {:error, {:already_registered, #PID<main>}}
other process registering free key: {:ok, :partition_pid}
lookup mine: [{#PID<other>, :other}]
update_value on key owned by another process: :error
unregister hello: :ok
unregister not-registered key: :ok
lookup hello: []
register key of dead owner: {:ok, :partition_pid}
lookup mine: [{#PID<main>, :mine_now}]
entry of dead process eventually removed: true
count: 2
unknown registry: {:error, ArgumentError}
end
)";

/// `fn {:ok, p} when is_pid(p) -> {:ok, :partition_pid}; other -> other end`
term ok(const registry::register_result& r) {
  return r ? tuple(atoms::ok, a("partition_pid")) : registry::to_term(r);
}

/// `&(&1 + 1)`
term plus_one(const term& v) {
  return term(v.as_int() + 1);
}

/// update_value's `{new, old} | :error`
term update_term(const std::optional<std::pair<term, term>>& r) {
  return r ? tuple(r->first, r->second) : term(atoms::error);
}

co<void> scenario_67(testing::trace& t) {
  const pid main = self();
  const atom reg = a("Elixir.Reg");
  registry::options opts{.keys = registry::kind::unique, .name = reg};
  (void)co_await registry::start_link(opts);

  t.log("register hello", ok(registry::register_key(reg, "hello", a("v1"))));
  t.log("register hello again (same process)", ok(registry::register_key(reg, "hello", a("v2"))));
  t.log("register world", ok(registry::register_key(reg, "world", 42)));
  t.log("lookup hello", registry::to_term(registry::lookup(reg, "hello")));
  t.log("lookup missing", registry::to_term(registry::lookup(reg, "missing")));
  std::vector<term> keys = registry::keys(reg, self());
  std::sort(keys.begin(), keys.end());
  t.log("keys(self) sorted", term::list(std::move(keys)));
  t.log("values(hello, self)", term::list(registry::values(reg, "hello", self())));
  t.log("count", registry::count(reg));
  t.log("update_value world", update_term(registry::update_value(reg, "world", plus_one)));
  t.log("lookup world", registry::to_term(registry::lookup(reg, "world")));
  t.log("update_value missing", update_term(registry::update_value(reg, "missing", plus_one)));

  pid other = spawn([main, reg]() -> co<void> {
    send(main, tuple(a("other_register"), ok(registry::register_key(reg, "hello", a("other")))));
    send(main, tuple(a("other_register"), ok(registry::register_key(reg, "mine", a("other")))));
    co_await receive(on<term>([](const term& m) { return m.is(a("die")); }, [](term&) {}));
    otter::exit(a("bye"));
  });
  t.name(other, "other");
  auto other_register = [] {
    return receive(on<term>([](const term& m) { return m.is_tagged(a("other_register"), 2); },
                            [](term& m) { return m[1]; }));
  };
  t.log("other process registering taken key", co_await other_register());
  t.log("other process registering free key", co_await other_register());
  t.log("lookup mine", registry::to_term(registry::lookup(reg, "mine")));
  auto steal = [](const term&) {
    return term(a("stolen"));
  };
  t.log("update_value on key owned by another process",
        update_term(registry::update_value(reg, "mine", steal)));
  t.log("unregister hello", registry::unregister(reg, "hello"));
  t.log("unregister not-registered key", registry::unregister(reg, "nothing"));
  t.log("lookup hello", registry::to_term(registry::lookup(reg, "hello")));

  // The owner dies: the key can be taken right away.
  ref mon = monitor(other);
  send(other, term(a("die")));
  co_await receive(
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; }, [](down_msg&) {}));
  t.log("register key of dead owner", ok(registry::register_key(reg, "mine", a("mine_now"))));
  t.log("lookup mine", registry::to_term(registry::lookup(reg, "mine")));

  pid dead_owner = spawn([main, reg]() -> co<void> {
    (void)registry::register_key(reg, "temp", 1);
    send(main, term(a("registered")));
    co_await receive(on<term>([](const term& m) { return m.is(a("die")); }, [](term&) {}));
  });
  term registered = co_await testing::recv();
  OTTER_CHECK(registered.is(a("registered")), ":registered = T.recv()");
  send(dead_owner, term(a("die")));
  auto temp_gone = [reg]() -> co<term> {
    co_return term(registry::lookup(reg, "temp").empty());
  };
  t.log("entry of dead process eventually removed", co_await testing::eventually(temp_gone));
  t.log("count", registry::count(reg));
  auto unknown = []() -> co<term> {
    co_return ok(registry::register_key(a("no_such_registry"), "k", 1));
  };
  t.log("unknown registry", co_await testing::catching(unknown));
  t.log("end");
}

TEST(ConformanceTest, RegistryUnique67) {
  expect_trace(expected, scenario_67);
}

}  // namespace
}  // namespace otter::conformance
