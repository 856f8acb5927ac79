// Scenario 83_agent_stop_and_supervision: Agent.stop(agent, reason) stops the agent
// synchronously with that reason, and stopping a dead agent exits noproc; an agent under a
// supervisor is restarted with a FRESH state from its start function (the state is not kept).

#include "otter/core/logger.hpp"
#include "otter/otp/agent.hpp"
#include "otter/otp/supervisor.hpp"

#include "conformance/scenario.hpp"

#include <functional>
#include <utility>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(Agent.stop with reason: :ok
DOWN: {:DOWN, #Ref<mon_agent>, :process, #PID<agent>, :custom_reason}
Agent.stop on dead agent: {:exit, {:noproc, {GenServer, :stop, [#PID<agent>, :normal, :infinity]}}}
state before crash: 10
restarted agent: #PID<counter2>
state after restart: 0
end
)";

/// The identity function (`& &1`).
term identity(const term& s) {
  return s;
}

co<void> scenario_83(testing::trace& t) {
  start_result started = co_await agent::start([] { return term(1); });
  pid ag = t.name(*started, "agent");
  t.name(monitor(ag), "mon_agent");
  t.log("Agent.stop with reason", co_await agent::stop(ag, term(a("custom_reason"))));
  t.log("DOWN", co_await testing::recv());
  auto stop_again = [ag]() -> co<term> {
    co_return co_await agent::stop(ag);
  };
  t.log("Agent.stop on dead agent", co_await testing::catching(stop_again));

  // %{id: :counter, start: {Agent, :start_link, [fn -> 0 end, [name: :sup_counter]]}}
  const atom counter = a("sup_counter");
  child_spec spec = agent::child_spec([] { return term(0); }, {.name = counter});
  spec.id = a("counter");
  std::vector<child_spec> children{std::move(spec)};
  start_result sup = co_await supervisor::start_link(
      std::move(children), {.strategy = supervisor::strategy::one_for_one});
  t.name(*sup, "sup");
  co_await agent::update(counter, [](const term& n) { return term(n.as_int() + 10); });
  t.log("state before crash", co_await agent::get(counter, identity));
  pid old = t.name(whereis(counter), "counter1");
  exit(old, term(atoms::kill));
  std::function<co<term>()> restarted = [old, counter]() -> co<term> {
    pid p = whereis(counter);
    co_return !p.is_null() && p != old ? term(p) : term(false);
  };
  term fresh = co_await testing::eventually(restarted);
  t.name(fresh.as_pid(), "counter2");
  t.log("restarted agent", fresh);
  t.log("state after restart", co_await agent::get(counter, identity));
  t.log("end");
}

TEST(ConformanceTest, AgentStopAndSupervision83) {
  // The scenario does not capture logs: the reports of the stop and the kill are not traced.
  log_sink previous = set_log_sink({});
  expect_trace(expected, scenario_83);
  set_log_sink(std::move(previous));
}

}  // namespace
}  // namespace otter::conformance
