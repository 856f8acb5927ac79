// Scenario 70_registry_partitions: a registry with partitions: 4 runs 4 partition processes (its
// supervisor's children) and behaves as one registry: lookup, count, uniqueness across
// partitions, dispatch and select.

#include "otter/otp/registry.hpp"
#include "otter/otp/supervisor.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(unique partitions (supervisor children): 4
duplicate partitions (supervisor children): 4
unique count: 8
unique lookups: [[{#PID<p1>, 10}], [{#PID<p2>, 20}], [{#PID<p3>, 30}], [{#PID<p4>, 40}], [{#PID<p5>, 50}], [{#PID<p6>, 60}], [{#PID<p7>, 70}], [{#PID<p8>, 80}]]
unique: already registered across partitions: {:error, {:already_registered, #PID<p3>}}
duplicate lookup :all (sorted): [{#PID<p1>, 1}, {#PID<p2>, 2}, {#PID<p3>, 3}, {#PID<p4>, 4}, {#PID<p5>, 5}, {#PID<p6>, 6}, {#PID<p7>, 7}, {#PID<p8>, 8}]
duplicate count: 8
pongs (sorted): [{:pong, 1, 1}, {:pong, 2, 2}, {:pong, 3, 3}, {:pong, 4, 4}, {:pong, 5, 5}, {:pong, 6, 6}, {:pong, 7, 7}, {:pong, 8, 8}]
select keys with value > 50: [{:key, 6}, {:key, 7}, {:key, 8}]
all entries eventually gone: true
end
)";

co<void> participant(pid main, atom up, atom dp, std::int64_t i) {
  registry::register_result r1 = registry::register_key(up, tuple(a("key"), i), i * 10);
  registry::register_result r2 = registry::register_key(dp, a("all"), i);
  OTTER_CHECK(r1 && r2, "{:ok, _} = Registry.register(...)");
  send(main, tuple(a("ready"), i));
  term ping = co_await receive(
      on<term>([](const term& m) { return m.is_tagged(a("ping"), 2); }, [](term& m) { return m; }));
  send(main, tuple(a("pong"), i, ping[1]));
  co_await receive(on<term>([](const term& m) { return m.is(a("stop")); }, [](term&) {}));
}

co<void> scenario_70(testing::trace& t) {
  const pid main = self();
  const atom up = a("Elixir.UP");
  const atom dp = a("Elixir.DP");
  registry::options uo{.keys = registry::kind::unique, .name = up, .partitions = 4};
  registry::options dpo{.keys = registry::kind::duplicate, .name = dp, .partitions = 4};
  (void)co_await registry::start_link(uo);
  (void)co_await registry::start_link(dpo);
  std::vector<supervisor::child_info> uc = co_await supervisor::which_children(up);
  std::vector<supervisor::child_info> dc = co_await supervisor::which_children(dp);
  t.log("unique partitions (supervisor children)", static_cast<std::int64_t>(uc.size()));
  t.log("duplicate partitions (supervisor children)", static_cast<std::int64_t>(dc.size()));

  std::vector<pid> procs;
  for (std::int64_t i = 1; i <= 8; ++i) {
    pid p = spawn(participant, main, up, dp, i);
    t.name(p, "p" + std::to_string(i));
    co_await receive(
        on<term>([i](const term& m) { return m == tuple(a("ready"), i); }, [](term&) {}));
    procs.push_back(p);
  }

  t.log("unique count", registry::count(up));
  std::vector<term> lookups;
  for (std::int64_t i = 1; i <= 8; ++i) {
    lookups.push_back(registry::to_term(registry::lookup(up, tuple(a("key"), i))));
  }
  t.log("unique lookups", term::list(std::move(lookups)));
  t.log("unique: already registered across partitions",
        registry::to_term(registry::register_key(up, tuple(a("key"), 3), a("dup"))));
  std::vector<registry::entry> all = registry::lookup(dp, a("all"));
  std::sort(all.begin(), all.end(),
            [](const registry::entry& x, const registry::entry& y) { return x.value < y.value; });
  t.log("duplicate lookup :all (sorted)", registry::to_term(all));
  t.log("duplicate count", registry::count(dp));
  auto ping = [](const std::vector<registry::entry>& entries) {
    for (const auto& e : entries) {
      send(e.owner, tuple(a("ping"), e.value));
    }
  };
  (void)registry::dispatch(dp, a("all"), ping);
  std::vector<term> pongs;
  for (int i = 0; i < 8; ++i) {
    pongs.push_back(co_await testing::recv());
  }
  std::sort(pongs.begin(), pongs.end());
  t.log("pongs (sorted)", term::list(std::move(pongs)));
  // [{{:"$1", :_, :"$2"}, [{:>, :"$2", 50}], [:"$1"]}]
  term spec =
      list(tuple(tuple(a("$1"), a("_"), a("$2")), list(tuple(a(">"), a("$2"), 50)), list(a("$1"))));
  std::vector<term> selected = registry::select(up, spec);
  std::sort(selected.begin(), selected.end());
  t.log("select keys with value > 50", term::list(std::move(selected)));
  for (pid p : procs) {
    send(p, term(a("stop")));
  }
  auto gone = [up, dp]() -> co<term> {
    co_return term(registry::count(up) == 0 && registry::count(dp) == 0);
  };
  t.log("all entries eventually gone", co_await testing::eventually(gone));
  t.log("end");
}

TEST(ConformanceTest, RegistryPartitions70) {
  expect_trace(expected, scenario_70);
}

}  // namespace
}  // namespace otter::conformance
