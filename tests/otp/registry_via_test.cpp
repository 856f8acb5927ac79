// Registry via names: {:via, Registry, {reg, key}} for GenServers, agents and supervisors.

#include "otter/otp/agent.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/registry.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/testing/trace.hpp"

#include "otp/registry_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace otter {
namespace {

using test_support::a;
using test_support::down_of;
using test_support::start_registry;

class RegistryViaTest : public test_support::on_both_runtimes {};

/// Counts the inits of all its instances in `inits`; answers any call with its tag.
struct tagged {
  using state = term;
  term init(int* inits, term tag) {
    ++*inits;
    return tag;
  }
  term handle_call(const term& /*req*/, const gen_server::from& /*from*/, term& tag) { return tag; }
  void handle_cast(const term& req, term& tag) { tag = req; }
};

co<start_result> start_tagged(server_ref name, int* inits, const char* tag) {
  gen_server::start_options opts;
  opts.name = std::move(name);
  co_return co_await gen_server::start<tagged>(std::move(opts), inits, term(a(tag)));
}

TEST_P(RegistryViaTest, AServerNamedViaARegistryIsCalledCastAndFoundByName) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.ViaA");
    co_await start_registry(reg, registry::kind::unique, 2);
    int inits = 0;
    const server_ref name = registry::via(reg, tuple(a("svc"), 1));
    EXPECT_EQ(name.to_term(),
              tuple(a("via"), a("Elixir.Registry"), tuple(reg, tuple(a("svc"), 1))));
    start_result s = co_await start_tagged(name, &inits, "one");
    EXPECT_TRUE(s.has_value());
    EXPECT_EQ(gen_server::whereis(name), *s);
    EXPECT_EQ(co_await gen_server::call(name, term(a("tag"))), term(a("one")));
    EXPECT_EQ(gen_server::cast(name, term(a("two"))), atoms::ok);
    EXPECT_EQ(co_await gen_server::call(name, term(a("tag"))), term(a("two")));
    // Registered with the value nil, linked to its partition like any registrant.
    EXPECT_EQ(registry::lookup(reg, tuple(a("svc"), 1)),
              (std::vector<registry::entry>{{*s, term()}}));
    // Registry.send({reg, key}, msg) reaches it too.
    registry::send(reg, tuple(a("svc"), 1), term(a("hello")));
    EXPECT_EQ(co_await gen_server::call(name, term(a("tag"))), term(a("two")));
    // A cast to a key nobody has is dropped, a call exits with :noproc naming the via tuple.
    const server_ref nobody = registry::via(reg, "nobody");
    EXPECT_EQ(gen_server::cast(nobody, term(1)), atoms::ok);
    auto r = co_await gen_server::try_call(nobody, term(a("tag")));
    EXPECT_FALSE(r.has_value());
    if (!r) {
      EXPECT_EQ(r.error().reason,
                tuple(atoms::noproc, tuple(a("Elixir.GenServer"), a("call"),
                                           list(nobody.to_term(), a("tag"), 5000))));
    }
  });
}

TEST_P(RegistryViaTest, AViaNameWithAValueRegistersThatValue) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.ViaB");
    co_await start_registry(reg, registry::kind::unique);
    int inits = 0;
    const server_ref with_value = registry::via(reg, "k", a("meta"));
    start_result s = co_await start_tagged(with_value, &inits, "x");
    EXPECT_EQ(registry::lookup(reg, "k"), (std::vector<registry::entry>{{*s, term(a("meta"))}}));
    // The value is not part of the name: {reg, key} finds the same server.
    EXPECT_EQ(gen_server::whereis(registry::via(reg, "k")), *s);
  });
}

TEST_P(RegistryViaTest, ATakenViaNameIsAlreadyStartedAndInitDoesNotRun) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.ViaC");
    co_await start_registry(reg, registry::kind::unique);
    int inits = 0;
    const server_ref name = registry::via(reg, "only");
    start_result first = co_await start_tagged(name, &inits, "first");
    start_result second = co_await start_tagged(name, &inits, "second");
    EXPECT_EQ(to_term(second), tuple(atoms::error, tuple(a("already_started"), *first)));
    EXPECT_EQ(second.error().code, errc::already_started);
    EXPECT_EQ(inits, 1);
    // A key registered by a plain process is taken just the same.
    (void)registry::register_key(reg, "mine", 0);
    const server_ref mine = registry::via(reg, "mine");
    start_result third = co_await start_tagged(mine, &inits, "third");
    EXPECT_EQ(to_term(third), tuple(atoms::error, tuple(a("already_started"), self())));
  });
}

TEST_P(RegistryViaTest, AStoppedServerFreesItsNameWithoutAnUnregisterEvent) {
  run([]() -> co<void> {
    register_name(a("via_listener"), self());
    const atom reg = a("Elixir.ViaD");
    std::vector<atom> listeners{a("via_listener")};
    co_await start_registry(reg, registry::kind::unique, 1, listeners);
    int inits = 0;
    const server_ref name = registry::via(reg, "svc");
    start_result s = co_await start_tagged(name, &inits, "one");
    term got = co_await testing::recv(0);
    EXPECT_EQ(got, tuple(a("register"), reg, "svc", *s, term()));
    EXPECT_EQ(co_await gen_server::stop(name), atoms::ok);
    // stop returned after the DOWN: the exit removed the entry before that.
    EXPECT_TRUE(gen_server::whereis(name).is_null());
    EXPECT_TRUE(registry::lookup(reg, "svc").empty());
    got = co_await testing::recv(0);
    EXPECT_EQ(got, term(a("no_message")));  // gen_server.erl does not unregister at terminate
    start_result again = co_await start_tagged(name, &inits, "two");
    EXPECT_TRUE(again.has_value());
  });
}

TEST_P(RegistryViaTest, ViaNamesNeedARunningUniqueRegistry) {
  run([]() -> co<void> {
    const atom dup = a("Elixir.ViaE");
    co_await start_registry(dup, registry::kind::duplicate);
    int inits = 0;
    auto message = [](const server_ref& name) {
      try {
        (void)gen_server::whereis(name);
      } catch (const std::invalid_argument& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    EXPECT_EQ(message(registry::via(dup, "k")), ":via is not supported for duplicate registries");
    EXPECT_EQ(message(registry::via(a("Elixir.NoSuchReg"), "k")), "unknown registry: NoSuchReg");
    // gen.erl looks the name up in the caller first: start raises there, nothing starts.
    bool raised = false;
    try {
      const server_ref on_duplicate = registry::via(dup, "k");
      (void)co_await start_tagged(on_duplicate, &inits, "x");
    } catch (const std::invalid_argument&) {
      raised = true;
    }
    EXPECT_TRUE(raised);
    EXPECT_EQ(inits, 0);
    raised = false;
    try {
      const server_ref unknown = registry::via(a("Elixir.NoSuchReg"), "k");
      (void)co_await gen_server::call(unknown, term(1));
    } catch (const std::invalid_argument&) {
      raised = true;
    }
    EXPECT_TRUE(raised);
  });
}

TEST_P(RegistryViaTest, AgentsAndSupervisorsTakeViaNamesAndRestartsReRegister) {
  run([]() -> co<void> {
    const atom reg = a("Elixir.ViaF");
    co_await start_registry(reg, registry::kind::unique);
    agent::start_options ao;
    ao.name = registry::via(reg, "counter");
    start_result ag = co_await agent::start_link([] { return 5; }, ao);
    EXPECT_EQ(co_await agent::get<int>(*ao.name, [](int n) { return n; }), 5);
    EXPECT_EQ(gen_server::whereis(*ao.name), *ag);

    // A supervisor named via the registry, with a child named via the registry.
    static int inits = 0;
    child_spec worker;
    worker.id = a("worker");
    worker.start = start_with([reg]() -> co<start_result> {
      gen_server::start_options so;
      so.name = registry::via(reg, "worker");
      co_return co_await gen_server::start_link<tagged>(std::move(so), &inits, term(a("w")));
    });
    std::vector<child_spec> children{worker};
    supervisor::options so;
    so.name = registry::via(reg, "sup");
    start_result sup = co_await supervisor::start_link(children, so);
    EXPECT_TRUE(sup.has_value());
    std::vector<supervisor::child_info> kids = co_await supervisor::which_children(*so.name);
    EXPECT_EQ(kids.size(), 1U);
    const server_ref wname = registry::via(reg, "worker");
    pid w1 = gen_server::whereis(wname);
    EXPECT_FALSE(w1.is_null());
    ref mon = monitor(w1);
    otter::exit(w1, atoms::kill);
    (void)co_await down_of(mon);
    // The restarted child registered the name again.
    (void)co_await supervisor::which_children(*so.name);
    pid w2 = gen_server::whereis(wname);
    EXPECT_FALSE(w2.is_null());
    EXPECT_NE(w2, w1);
    EXPECT_EQ(co_await gen_server::call(wname, term(a("tag"))), term(a("w")));
    EXPECT_EQ(inits, 2);
    inits = 0;
  });
}

OTTER_ON_BOTH_RUNTIMES(RegistryViaTest);

}  // namespace
}  // namespace otter
