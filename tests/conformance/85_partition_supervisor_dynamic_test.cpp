// Scenario 85_partition_supervisor_dynamic: a PartitionSupervisor of DynamicSupervisors;
// start_child through {:via, PartitionSupervisor, {name, key}} starts the child under the
// DynamicSupervisor of that key's partition (integer keys: rem(abs(key), partitions)).

#include "otter/otp/agent.hpp"
#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/partition_supervisor.hpp"

#include "conformance/scenario.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(partition child: {0, #PID<dynsup0>, :supervisor}
partition child: {1, #PID<dynsup1>, :supervisor}
partition 0 holds keys: [2, 4]
partition 1 holds keys: [1, 3]
count_children: %{:active => 2, :specs => 2, :supervisors => 2, :workers => 0}
end
)";

term identity(const term& s) {
  return s;
}

/// PartitionSupervisor.which_children(name) |> Enum.sort()
co<std::vector<supervisor::child_info>> sorted_children(server_ref name) {
  std::vector<supervisor::child_info> kids = co_await partition_supervisor::which_children(name);
  std::sort(kids.begin(), kids.end(),
            [](const supervisor::child_info& x, const supervisor::child_info& y) {
              return x.to_term() < y.to_term();
            });
  co_return kids;
}

co<void> scenario_85(testing::trace& t) {
  const server_ref name(a("Elixir.DynParts"));
  partition_supervisor::options opts;
  opts.name = name;
  opts.partitions = 2;
  start_result started = co_await partition_supervisor::start_link(
      dynamic_supervisor::supervisor_spec(), std::move(opts));
  OTTER_CHECK(started.has_value(), "{:ok, _} = PartitionSupervisor.start_link(...)");

  for (const supervisor::child_info& c : co_await sorted_children(name)) {
    t.name(c.child.as_pid(), "dynsup" + std::to_string(c.id.as_int()));
    t.log("partition child", tuple(c.id, c.child, to_term(c.type)));
  }

  for (std::int64_t key = 1; key <= 4; ++key) {
    child_spec spec = agent::child_spec([key] { return term(key); });
    start_result r =
        co_await dynamic_supervisor::start_child(partition_supervisor::via(name, term(key)), spec);
    OTTER_CHECK(r.has_value(), "{:ok, pid} = DynamicSupervisor.start_child(...)");
    t.name(*r, "agent_key" + std::to_string(key));
  }

  for (const supervisor::child_info& c : co_await sorted_children(name)) {
    std::vector<dynamic_supervisor::child_info> kids =
        co_await dynamic_supervisor::which_children(c.child.as_pid());
    std::vector<term> agents;
    for (const dynamic_supervisor::child_info& k : kids) {
      agents.push_back(co_await agent::get(k.child, identity));
    }
    std::sort(agents.begin(), agents.end());
    t.log("partition " + std::to_string(c.id.as_int()) + " holds keys",
          term::list(std::move(agents)));
  }

  t.log("count_children", (co_await partition_supervisor::count_children(name)).to_term());
  t.log("end");
}

TEST(ConformanceTest, PartitionSupervisorDynamic85) {
  expect_trace(expected, scenario_85);
}

}  // namespace
}  // namespace otter::conformance
