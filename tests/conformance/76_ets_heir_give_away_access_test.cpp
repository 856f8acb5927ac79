// Scenario 76_ets_heir_give_away_access: with {:heir, pid, data}, the heir becomes the owner
// when the owner dies and receives {:"ETS-TRANSFER", tab, old_owner, data} (the name, for a
// named table); give_away/3 transfers explicitly with the same message; with a dead heir the
// table dies with its owner. Access: :protected (the default) lets others read but not write,
// :private neither, :public both.

#include "otter/ets.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(ETS-TRANSFER: {:"ETS-TRANSFER", :inherited, #PID<owner>, :my_heir_data}
new owner is main: true
data survived: [{:x, 1}]
give_away: true
receiver got: {:"ETS-TRANSFER", :inherited, #PID<main>, :gift}
give_away a table we no longer own: {:error, :badarg}
table with dead heir after owner died: :undefined
prot: read from other process: {:ok, [{:k, :prot}]}
prot: write from other process: {:error, :badarg}
priv: read from other process: {:error, :badarg}
priv: write from other process: {:error, :badarg}
pub: read from other process: {:ok, [{:k, :pub}]}
pub: write from other process: {:ok, true}
end
)";

/// receive do :die -> :ok end
co<void> wait_for_die() {
  const atom die = a("die");
  co_await receive(on<term>([die](const term& m) { return m.is(die); }, [](term) {}));
}

co<void> scenario_76(testing::trace& t) {
  const pid main = self();
  const atom created = a("created");
  const atom die = a("die");

  pid owner = spawn([main, created]() -> co<void> {
    ets::new_table(a("inherited"),
                   {.named_table = true, .heir = ets::heir_spec{main, a("my_heir_data")}});
    ets::insert(a("inherited"), tuple(a("x"), 1));
    send(main, term(created));
    co_await wait_for_die();
  });
  t.name(owner, "owner");
  OTTER_CHECK(co_await testing::recv() == term(created), ":created = T.recv()");
  send(owner, term(die));
  term transfer = co_await testing::recv();
  OTTER_CHECK(transfer.is_tagged(a("ETS-TRANSFER"), 4), "{:\"ETS-TRANSFER\", _, _, _}");
  t.log("ETS-TRANSFER", transfer);
  t.log("new owner is main", term(ets::info(a("inherited"), a("owner")) == term(self())));
  t.log("data survived", term::list(ets::lookup(a("inherited"), a("x"))));

  pid receiver = spawn([main]() -> co<void> {
    std::optional<message> m = co_await receive_any(std::chrono::hours(1));
    send(main, tuple(a("receiver_got"), m->to_term()));
    const atom stop = a("stop");
    co_await receive(on<term>([stop](const term& x) { return x.is(stop); }, [](term) {}));
  });
  t.name(receiver, "receiver");
  t.log("give_away", term(ets::give_away(a("inherited"), receiver, a("gift"))));
  term got = co_await testing::recv();
  OTTER_CHECK(got.is_tagged(a("receiver_got"), 2), "{:receiver_got, _}");
  t.log("receiver got", got[1]);
  auto give_back = []() -> co<term> {
    co_return ets::give_away(a("inherited"), self(), a("x"));
  };
  t.log("give_away a table we no longer own", co_await testing::catching(give_back));

  // heir already dead -> the table is deleted with its owner
  pid dead = spawn([]() -> co<void> { co_return; });
  (void)co_await testing::wait_down(dead);
  pid owner2 = spawn([main, created, dead]() -> co<void> {
    ets::new_table(a("orphan"), {.named_table = true, .heir = ets::heir_spec{dead, a("d")}});
    send(main, term(created));
    co_await wait_for_die();
  });
  t.name(owner2, "owner2");
  OTTER_CHECK(co_await testing::recv() == term(created), ":created = T.recv()");
  ref r = monitor(owner2);
  send(owner2, term(die));
  co_await receive(
      on<down_msg>([r](const down_msg& d) { return d.monitor == r; }, [](down_msg) {}));
  std::optional<ets::table_info> orphan = ets::info(a("orphan"));
  t.log("table with dead heir after owner died",
        orphan ? orphan->to_term() : term(atoms::undefined));

  // access modes
  pid owner3 = spawn([main, created]() -> co<void> {
    ets::new_table(a("prot"), {.access = ets::protection::protected_, .named_table = true});
    ets::new_table(a("priv"), {.access = ets::protection::private_, .named_table = true});
    ets::new_table(a("pub"), {.access = ets::protection::public_, .named_table = true});
    for (const char* name : {"prot", "priv", "pub"}) {
      ets::insert(a(name), tuple(a("k"), a(name)));
    }
    send(main, term(created));
    co_await wait_for_die();
  });
  t.name(owner3, "owner3");
  OTTER_CHECK(co_await testing::recv() == term(created), ":created = T.recv()");
  for (const char* name : {"prot", "priv", "pub"}) {
    const atom tab = a(name);
    auto read = [tab]() -> co<term> {
      co_return term::list(ets::lookup(tab, a("k")));
    };
    t.log(std::string(name) + ": read from other process", co_await testing::catching(read));
    auto write = [tab]() -> co<term> {
      co_return ets::insert(tab, tuple(a("k2"), 1));
    };
    t.log(std::string(name) + ": write from other process", co_await testing::catching(write));
  }
  t.log("end");
}

TEST(ConformanceTest, EtsHeirGiveAwayAccess76) {
  expect_trace(expected, scenario_76);
}

}  // namespace
}  // namespace otter::conformance
