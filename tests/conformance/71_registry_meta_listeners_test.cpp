// Scenario 71_registry_meta_listeners: meta data (put_meta / meta / delete_meta) and listeners:
// a listener receives {:register, registry, key, pid, value} and {:unregister, registry, key,
// pid} for explicit register / unregister calls, and nothing when a registered process dies
// (Elixir 1.14).

#include "otter/otp/registry.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(meta initial: {:ok, :yes}
meta missing: :error
put_meta: :ok
meta custom: {:ok, {1, 2}}
delete_meta: :ok
meta custom after delete: :error
listener: {:listener_got, {:register, LReg, "k1", #PID<main>, :v1}}
listener: {:listener_got, {:unregister, LReg, "k1", #PID<main>}}
listener: {:listener_got, {:register, LReg, "k2", #PID<worker>, :v2}}
listener message after worker died: :no_message
end
)";

/// `{:ok, value}` or `:error`.
term meta_term(const std::optional<term>& v) {
  return v ? tuple(atoms::ok, *v) : term(atoms::error);
}

/// Forward.loop/1: every message goes to `to` as {:listener_got, m}.
co<void> forward(pid to) {
  for (;;) {
    term m = co_await receive(on<term>([](term& x) { return x; }));
    send(to, tuple(a("listener_got"), m));
  }
}

co<void> scenario_71(testing::trace& t) {
  const pid main = self();
  pid listener = spawn(forward, main);
  t.name(listener, "listener");
  register_name(a("reg_listener"), listener);

  const atom lreg = a("Elixir.LReg");
  registry::options opts{.keys = registry::kind::unique,
                         .name = lreg,
                         .listeners = {a("reg_listener")},
                         .meta = {{a("initial"), term(a("yes"))}}};
  (void)co_await registry::start_link(opts);
  t.log("meta initial", meta_term(registry::meta(lreg, a("initial"))));
  t.log("meta missing", meta_term(registry::meta(lreg, a("missing"))));
  t.log("put_meta", registry::put_meta(lreg, a("custom"), tuple(1, 2)));
  t.log("meta custom", meta_term(registry::meta(lreg, a("custom"))));
  t.log("delete_meta", registry::delete_meta(lreg, a("custom")));
  t.log("meta custom after delete", meta_term(registry::meta(lreg, a("custom"))));

  OTTER_CHECK(registry::register_key(lreg, "k1", a("v1")), "{:ok, _} = Registry.register(...)");
  t.log("listener", co_await testing::recv());
  OTTER_CHECK(registry::unregister(lreg, "k1") == atoms::ok, ":ok = Registry.unregister(...)");
  t.log("listener", co_await testing::recv());

  pid worker = spawn([main, lreg]() -> co<void> {
    (void)registry::register_key(lreg, "k2", a("v2"));
    send(main, term(a("registered")));
    co_await receive(on<term>([](const term& m) { return m.is(a("die")); }, [](term&) {}));
  });
  t.name(worker, "worker");
  co_await receive(on<term>([](const term& m) { return m.is(a("registered")); }, [](term&) {}));
  t.log("listener",
        co_await receive(on<term>([](const term& m) { return m.is_tagged(a("listener_got"), 2); },
                                  [](term& m) { return m; })));
  send(worker, term(a("die")));
  auto gone = [lreg]() -> co<term> {
    co_return term(registry::lookup(lreg, "k2").empty());
  };
  (void)co_await testing::eventually(gone);
  t.log("listener message after worker died", co_await testing::recv(200));
  t.log("end");
}

TEST(ConformanceTest, RegistryMetaListeners71) {
  expect_trace(expected, scenario_71);
}

}  // namespace
}  // namespace otter::conformance
