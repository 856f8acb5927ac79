// Scenario 29_genserver_names: GenServer names: an atom, {:global, term} and {:via, Registry,
// {reg, key}}. A second start with a taken name returns {:error, {:already_started, pid}}
// without running init; whereis resolves names (nil when unknown); a name is released when its
// process exits; an invalid name raises ArgumentError.

#include "otter/otp/gen_server.hpp"
#include "otter/otp/registry.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(init: :first
second start with same name: {:error, {:already_started, #PID<first>}}
call by name: :first
whereis :my_server: #PID<first>
whereis {:my_server, node()}: #PID<first>
whereis unknown: nil
whereis after stop: nil
init: :third
name reusable after stop: :third
init: :global_one
global duplicate: {:error, {:already_started, #PID<global_one>}}
call {:global, {:svc, 1}}: :global_one
whereis global: #PID<global_one>
init: :via_one
via duplicate: {:error, {:already_started, #PID<via_one>}}
call via: :via_one
Registry.lookup: [{#PID<via_one>, nil}]
call via unknown key: {:exit, {:noproc, {GenServer, :call, [{:via, Registry, {Reg, "nope"}}, :tag, 5000]}}}
bad name: {:error, ArgumentError}
end
)";

/// The scenario's `Named` module: logs its init argument and answers :tag with it.
struct named {
  using state = term;
  term init(testing::trace* t, term tag) {
    t->log("init", tag);
    return tag;
  }
  term handle_call(const term& /*tag*/, const gen_server::from& /*from*/, term& tag) { return tag; }
};

/// GenServer.whereis's result: the pid, or nil.
term whereis_term(const server_ref& name) {
  pid p = gen_server::whereis(name);
  return p.is_null() ? term() : term(p);
}

co<start_result> start_named(testing::trace& t, server_ref name, const char* tag) {
  gen_server::start_options opts;
  opts.name = std::move(name);
  co_return co_await gen_server::start<named>(std::move(opts), &t, term(a(tag)));
}

co<void> scenario_29(testing::trace& t) {
  const server_ref my_server(a("my_server"));
  start_result p1 = co_await start_named(t, my_server, "first");
  t.name(*p1, "first");
  t.log("second start with same name", to_term(co_await start_named(t, my_server, "second")));
  t.log("call by name", co_await gen_server::call(my_server, term(a("tag"))));
  t.log("whereis :my_server", whereis_term(my_server));
  // {:my_server, node()}: Otter runs one node, where {name, node()} is the local name.
  t.log("whereis {:my_server, node()}", whereis_term(my_server));
  t.log("whereis unknown", whereis_term(server_ref(a("not_there"))));
  (void)co_await gen_server::stop(my_server);
  t.log("whereis after stop", whereis_term(my_server));
  start_result p3 = co_await start_named(t, my_server, "third");
  t.name(*p3, "third");
  t.log("name reusable after stop", co_await gen_server::call(my_server, term(a("tag"))));

  const server_ref global = server_ref::global(tuple(a("svc"), 1));
  start_result g = co_await start_named(t, global, "global_one");
  t.name(*g, "global_one");
  t.log("global duplicate", to_term(co_await start_named(t, global, "global_two")));
  t.log("call {:global, {:svc, 1}}", co_await gen_server::call(global, term(a("tag"))));
  t.log("whereis global", whereis_term(global));

  const atom reg = a("Elixir.Reg");
  registry::options ro{.keys = registry::kind::unique, .name = reg};
  (void)co_await registry::start_link(ro);
  const server_ref via = registry::via(reg, "svc");
  start_result v = co_await start_named(t, via, "via_one");
  t.name(*v, "via_one");
  t.log("via duplicate", to_term(co_await start_named(t, via, "via_two")));
  t.log("call via", co_await gen_server::call(via, term(a("tag"))));
  t.log("Registry.lookup", registry::to_term(registry::lookup(reg, "svc")));
  auto call_unknown = [reg]() -> co<term> {
    const server_ref nope = registry::via(reg, "nope");
    co_return co_await gen_server::call(nope, term(a("tag")));
  };
  t.log("call via unknown key", co_await testing::catching(call_unknown));

  // An invalid name raises ArgumentError. A server_ref cannot hold a string, so the invalid
  // name here is a pid (GenServer.start(..., name: self()) raises the same error).
  auto bad_name = [&t]() -> co<term> {
    const server_ref a_pid(self());
    co_return to_term(co_await start_named(t, a_pid, "x"));
  };
  t.log("bad name", co_await testing::catching(bad_name));
  t.log("end");
}

TEST(ConformanceTest, GenServerNames29) {
  expect_trace(expected, scenario_29);
}

}  // namespace
}  // namespace otter::conformance
