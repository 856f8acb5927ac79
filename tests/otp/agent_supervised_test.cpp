// Agents under a Supervisor: the child spec restarts a crashed agent with a fresh state from
// its start function, and the supervisor's shutdown stops its agents.

#include "otter/otp/agent.hpp"
#include "otter/otp/supervisor.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using test_support::a;

/// Silences the reports of the crashes these tests cause on purpose.
class quiet_logs {
public:
  quiet_logs() : previous_(set_log_sink({})) {}
  quiet_logs(const quiet_logs&) = delete;
  quiet_logs& operator=(const quiet_logs&) = delete;
  ~quiet_logs() { set_log_sink(std::move(previous_)); }

private:
  log_sink previous_;
};

/// Waits until `name` is registered to a process other than `old`, and returns it.
co<pid> restarted(atom name, pid old) {
  for (;;) {
    pid p = whereis(name);
    if (!p.is_null() && p != old) {
      co_return p;
    }
    co_await sleep(1);
  }
}

class AgentSupervisedTest : public test_support::on_both_runtimes {};

TEST_P(AgentSupervisedTest, ACrashedAgentIsRestartedWithAFreshStateFromItsStartFunction) {
  quiet_logs quiet;
  std::vector<std::string> before;
  std::vector<std::string> after;
  bool new_pid = false;
  run([&]() -> co<void> {
    const atom names = a("agent_supervised_names");
    child_spec spec =
        agent::child_spec([] { return std::vector<std::string>{"first"}; }, {.name = names});
    spec.id = a("names");
    std::vector<child_spec> children{std::move(spec)};
    start_result sup = co_await supervisor::start_link(std::move(children));
    using state = std::vector<std::string>;
    co_await agent::update<state>(names, [](state s) {
      s.emplace_back("second");
      return s;
    });
    before = co_await agent::get<state>(names, [](const state& s) { return s; });
    pid old = whereis(names);
    // A raising cast crashes the agent; nobody waits for it, the supervisor sees the exit.
    agent::cast<state>(names, [](state) -> state { throw std::runtime_error("crash"); });
    pid fresh = co_await restarted(names, old);
    new_pid = fresh != old;
    after = co_await agent::get<state>(names, [](const state& s) { return s; });
    co_await supervisor::stop(*sup);
  });
  EXPECT_EQ(before, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(new_pid);
  EXPECT_EQ(after, (std::vector<std::string>{"first"}));
}

TEST_P(AgentSupervisedTest, StoppingTheSupervisorStopsItsAgentsWithShutdown) {
  term reason;
  run([&]() -> co<void> {
    child_spec spec = agent::child_spec([] { return 0; });
    std::vector<child_spec> children{std::move(spec)};
    start_result sup = co_await supervisor::start_link(std::move(children));
    auto kids = co_await supervisor::which_children(*sup);
    EXPECT_EQ(kids.size(), 1U);
    EXPECT_EQ(kids[0].id, term(a("Elixir.Agent")));
    EXPECT_EQ(kids[0].modules, list(a("Elixir.Agent")));
    ref mon = monitor(kids[0].child.as_pid());
    co_await supervisor::stop(*sup);
    reason = (co_await test_support::down_of(mon)).reason;
  });
  EXPECT_EQ(reason, term(a("shutdown")));
}

OTTER_ON_BOTH_RUNTIMES(AgentSupervisedTest);

}  // namespace
}  // namespace otter
