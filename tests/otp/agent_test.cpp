// Agent: the functions run in the agent, calls and their failure exits, names, stop, :sys,
// the term form (mfa, {:bad_return_value, _}) and the child spec.

#include "otter/otp/agent.hpp"

#include "otter/core/process_info.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/trace.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace otter {
namespace {

using test_support::a;

/// Collects the logged reports while alive (the agents that crash here would print them).
class log_capture {
public:
  log_capture() {
    previous_ = set_log_sink([this](const log_event& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
    });
  }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;
  ~log_capture() { set_log_sink(std::move(previous_)); }

  /// The kinds of the reports so far, in order.
  std::vector<std::string> kinds() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> k;
    for (const auto& e : events_) {
      k.push_back(e.kind);
    }
    return k;
  }
  /// The field `name` of the first report of `kind`, or nil.
  term field(const std::string& kind, const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& e : events_) {
      for (const auto& [key, value] : e.fields) {
        if (e.kind == kind && key == name) {
          return value;
        }
      }
    }
    return term();
  }

private:
  log_sink previous_;
  std::mutex mu_;
  std::vector<log_event> events_;
};

/// `{reason, {GenServer, :call, [agent, request, timeout]}}` as printed.
std::string call_exit(const std::string& reason, pid agent, const std::string& request,
                      int timeout) {
  return "{" + reason + ", {GenServer, :call, [" + to_string(term(agent)) + ", " + request + ", "
         + std::to_string(timeout) + "]}}";
}

class AgentTest : public test_support::on_both_runtimes {};

TEST_P(AgentTest, TheStartFunctionRunsInTheAgentAndItsResultIsTheState) {
  pid ran_in;
  pid agent;
  int state = 0;
  run([&]() -> co<void> {
    auto init = [&ran_in] {
      ran_in = self();
      return 7;
    };
    start_result r = co_await agent::start_link(init);
    EXPECT_TRUE(r.has_value());
    agent = *r;
    state = co_await agent::get<int>(agent, [](int n) { return n; });
    co_await agent::stop(agent);
  });
  EXPECT_EQ(ran_in, agent);
  EXPECT_EQ(state, 7);
}

TEST_P(AgentTest, GetUpdateAndGetAndUpdateRunInTheAgentInOrder) {
  pid agent;
  pid get_ran_in;
  std::vector<int> seen;
  std::size_t old_size = 0;
  atom updated;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return std::vector<int>{1}; });
    agent = *r;
    updated = co_await agent::update<std::vector<int>>(agent, [](std::vector<int> v) {
      v.push_back(2);
      return v;
    });
    old_size = co_await agent::get_and_update<std::vector<int>>(agent, [](std::vector<int> v) {
      std::size_t n = v.size();
      v.push_back(3);
      return std::pair(n, std::move(v));
    });
    get_ran_in = co_await agent::get<std::vector<int>>(agent, [](const auto&) { return self(); });
    seen = co_await agent::get<std::vector<int>>(agent, [](const auto& v) { return v; });
    co_await agent::stop(agent);
  });
  EXPECT_EQ(updated, atoms::ok);
  EXPECT_EQ(old_size, 2U);
  EXPECT_EQ(get_ran_in, agent);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
}

TEST_P(AgentTest, CastReturnsOkAtOnceAndItsUpdateComesBeforeALaterGet) {
  atom cast_result;
  atom cast_to_dead;
  int seen = 0;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 1; });
    cast_result = agent::cast<int>(*r, [](int n) { return n * 10; });
    seen = co_await agent::get<int>(*r, [](int n) { return n; });
    co_await agent::stop(*r);
    cast_to_dead = agent::cast<int>(*r, [](int n) { return n; });
  });
  EXPECT_EQ(cast_result, atoms::ok);
  EXPECT_EQ(cast_to_dead, atoms::ok);
  EXPECT_EQ(seen, 10);
}

// The get function sleeps (it is a coroutine) longer than the caller waits: the caller exits
// with the request in the reason, and the reply sent later never reaches its mailbox.
TEST_P(AgentTest, AGetThatTimesOutExitsWithTheRequestAndTheLateReplyIsDropped) {
  pid agent;
  term caught;
  std::size_t queued = 99;
  int after = 0;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 5; });
    agent = *r;
    auto slow_get = [agent]() -> co<term> {
      auto slow = [](int n) -> co<int> {
        co_await sleep(200);
        co_return n;
      };
      co_return term(co_await agent::get<int>(agent, slow, 50));
    };
    caught = co_await testing::catching(slow_get);
    co_await sleep(250);
    queued = self_info().message_queue_len;
    after = co_await agent::get<int>(agent, [](int n) { return n; });
    co_await agent::stop(agent);
  });
  EXPECT_EQ(to_string(caught), "{:exit, " + call_exit(":timeout", agent, "{:get, #Fun}", 50) + "}");
  EXPECT_EQ(queued, 0U);
  EXPECT_EQ(after, 5);
}

TEST_P(AgentTest, ARaisingUpdateCrashesTheAgentAndTheCallerExitsWithItsReason) {
  log_capture logs;
  pid agent;
  term caught;
  bool alive_after = true;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 0; });
    agent = *r;
    auto bad_update = [agent]() -> co<term> {
      auto raise = [](int) -> int {
        throw std::runtime_error("bad update");
      };
      co_return term(co_await agent::update<int>(agent, raise));
    };
    caught = co_await testing::catching(bad_update);
    alive_after = alive(agent);
  });
  EXPECT_EQ(to_string(caught),
            "{:exit, "
                + call_exit("{%RuntimeError{message: \"bad update\"}, #Stacktrace}", agent,
                            "{:update, #Fun}", 5000)
                + "}");
  EXPECT_FALSE(alive_after);
  EXPECT_EQ(logs.kinds(),
            (std::vector<std::string>{"gen_server terminate", "proc_lib crash_report"}));
  EXPECT_EQ(to_string(logs.field("gen_server terminate", "last_message")), "{:update, #Fun}");
}

TEST_P(AgentTest, ACallToADeadAgentFailsWithNoproc) {
  pid agent;
  failure f;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 0; });
    agent = *r;
    co_await agent::stop(agent);
    auto got = co_await agent::try_get<int>(agent, [](int n) { return n; });
    f = got.error();
  });
  EXPECT_EQ(f.code, errc::noproc);
  EXPECT_EQ(to_string(f.reason), call_exit(":noproc", agent, "{:get, #Fun}", 5000));
}

TEST_P(AgentTest, ARaisingStartFunctionGivesTheExceptionAndAStacktrace) {
  log_capture logs;
  term result;
  run([&]() -> co<void> {
    auto raise = []() -> int {
      throw std::runtime_error("init failed");
    };
    start_result r = co_await agent::start(raise);
    result = to_term(r);
  });
  EXPECT_EQ(to_string(result), "{:error, {%RuntimeError{message: \"init failed\"}, #Stacktrace}}");
}

TEST_P(AgentTest, ATakenNameGivesAlreadyStartedAndTheStartFunctionDoesNotRun) {
  pid first;
  term second;
  bool second_ran = false;
  int by_name = 0;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 3; }, {.name = a("agent_test_named")});
    first = *r;
    auto init = [&second_ran] {
      second_ran = true;
      return 4;
    };
    second = to_term(co_await agent::start(init, {.name = a("agent_test_named")}));
    by_name = co_await agent::get<int>(a("agent_test_named"), [](int n) { return n; });
    co_await agent::stop(a("agent_test_named"));
  });
  EXPECT_EQ(second, tuple(atoms::error, tuple(a("already_started"), first)));
  EXPECT_FALSE(second_ran);
  EXPECT_EQ(by_name, 3);
}

TEST_P(AgentTest, StopEndsTheAgentWithTheReasonAndStoppingADeadAgentExitsNoproc) {
  log_capture logs;  // an abnormal stop reason is reported
  pid agent;
  term down;
  term second_stop;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 1; });
    agent = *r;
    ref mon = monitor(agent);
    EXPECT_EQ(co_await agent::stop(agent, term(a("custom_reason"))), atoms::ok);
    down = (co_await test_support::down_of(mon)).reason;
    auto stop_again = [agent]() -> co<term> {
      co_return term(co_await agent::stop(agent));
    };
    second_stop = co_await testing::catching(stop_again);
  });
  EXPECT_EQ(down, term(a("custom_reason")));
  EXPECT_EQ(to_string(second_stop), "{:exit, {:noproc, {GenServer, :stop, ["
                                        + to_string(term(agent)) + ", :normal, :infinity]}}}");
}

TEST_P(AgentTest, StartLinkLinksTheAgentToTheCaller) {
  log_capture logs;  // an abnormal stop reason is reported
  pid agent;
  term exit_reason;
  run([&]() -> co<void> {
    trap_exit(true);
    start_result r = co_await agent::start_link([] { return 1; });
    agent = *r;
    co_await agent::stop(agent, term(a("bye")));
    exit_reason =
        co_await receive(on<exit_msg>([agent](const exit_msg& m) { return m.from == agent; },
                                      [](exit_msg& m) { return m.reason; }));
  });
  EXPECT_EQ(exit_reason, term(a("bye")));
}

TEST_P(AgentTest, SysGetStateAndReplaceStateWorkOnAgents) {
  term before;
  term replaced;
  term after;
  int typed = 0;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return list(1, 2); });
    before = co_await sys::get_state(*r);
    auto prepend = [](const term& s) {
      std::vector<term> v{term(0)};
      v.insert(v.end(), s.elements().begin(), s.elements().end());
      return term::list(std::move(v));
    };
    replaced = co_await sys::replace_state(*r, prepend);
    after = co_await agent::get(*r, [](const term& s) { return s; });
    co_await agent::stop(*r);

    start_result t = co_await agent::start([] { return 41; });
    co_await sys::replace_state<int>(*t, [](int n) { return n + 1; });
    typed = co_await agent::get<int>(*t, [](int n) { return n; });
    co_await agent::stop(*t);
  });
  EXPECT_EQ(before, list(1, 2));
  EXPECT_EQ(replaced, list(0, 1, 2));
  EXPECT_EQ(after, list(0, 1, 2));
  EXPECT_EQ(typed, 42);
}

/// Map.get(state, key) for the mfa tests.
term map_get(const term& state, std::span<const term> args) {
  const term* v = state.find(args[0]);
  return v != nullptr ? *v : term();
}

TEST_P(AgentTest, AnMfaFunctionRunsOnTheStateAndPrintsAsModuleFunctionArgs) {
  pid agent;
  term got;
  term timed_out;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return term::map({{a("x"), 2}}); });
    agent = *r;
    agent::mfa get_x{a("Elixir.Map"), a("get"), {term(a("x"))}, map_get};
    got = co_await agent::get(agent, get_x);
    // A zero timeout fails at once: the exit reason shows the request.
    auto late = [agent, get_x]() -> co<term> {
      co_return co_await agent::get(agent, get_x, 0);
    };
    timed_out = co_await testing::catching(late);
    co_await agent::stop(agent);
  });
  EXPECT_EQ(got, term(2));
  EXPECT_EQ(to_string(timed_out),
            "{:exit, " + call_exit(":timeout", agent, "{:get, {Map, :get, [:x]}}", 0) + "}");
}

TEST_P(AgentTest, ATermGetAndUpdateThatReturnsNoPairStopsTheAgentWithBadReturnValue) {
  log_capture logs;
  pid agent;
  term pair_reply;
  term caught;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return term(1); });
    agent = *r;
    pair_reply = co_await agent::get_and_update(
        agent, [](const term& s) { return tuple(s, term(s.as_int() + 1)); });
    auto not_a_pair = [agent]() -> co<term> {
      co_return co_await agent::get_and_update(agent, [](const term& s) { return s; });
    };
    caught = co_await testing::catching(not_a_pair);
  });
  EXPECT_EQ(pair_reply, term(1));
  EXPECT_EQ(to_string(caught),
            "{:exit, " + call_exit("{:bad_return_value, 2}", agent, "{:get_and_update, #Fun}", 5000)
                + "}");
}

TEST_P(AgentTest, FunctionsMayBeCoroutinesThatCallOtherAgents) {
  int total = 0;
  run([&]() -> co<void> {
    start_result source = co_await agent::start([] { return 30; });
    pid from = *source;
    auto init = [from]() -> co<int> {
      co_return co_await agent::get<int>(from, [](int n) { return n; });
    };
    start_result sum = co_await agent::start(init);
    auto add_source = [from](int n) -> co<int> {
      co_return n + co_await agent::get<int>(from, [](int m) { return m; });
    };
    agent::cast<int>(*sum, add_source);
    co_await agent::update<int>(*sum, add_source);
    total = co_await agent::get<int>(*sum, [](int n) { return n; });
    co_await agent::stop(*sum);
    co_await agent::stop(from);
  });
  EXPECT_EQ(total, 90);
}

TEST_P(AgentTest, MoveOnlyStatesAndFunctionsWork) {
  int seen = 0;
  run([&]() -> co<void> {
    auto init = [p = std::make_unique<int>(1)]() mutable {
      return std::move(p);
    };
    start_result r = co_await agent::start(std::move(init));
    using state = std::unique_ptr<int>;
    auto bump = [by = std::make_unique<int>(2)](state s) {
      *s += *by;
      return s;
    };
    co_await agent::update<state>(*r, std::move(bump));
    seen = co_await agent::get<state>(*r, [](const state& s) { return *s; });
    co_await agent::stop(*r);
  });
  EXPECT_EQ(seen, 3);
}

TEST_P(AgentTest, ARequestForAnotherStateTypeStopsTheAgentWithBadCall) {
  log_capture logs;
  pid agent;
  term caught;
  run([&]() -> co<void> {
    start_result r = co_await agent::start([] { return 1; });
    agent = *r;
    auto wrong = [agent]() -> co<term> {
      co_return co_await agent::get<double>(agent, [](double d) { return d; });
    };
    caught = co_await testing::catching(wrong);
  });
  ASSERT_TRUE(caught.is_tagged(a("exit"), 2));
  EXPECT_EQ(to_string(caught[1][0][0]), "{:bad_call, {:get, #Fun}}");
}

TEST_P(AgentTest, TheChildSpecStartsALinkedAgentWithAFreshStateEachTime) {
  otter::child_spec spec = agent::child_spec([] { return 0; }, {.name = a("agent_test_child")});
  term first_state;
  term second_state;
  run([&]() -> co<void> {
    trap_exit(true);
    start_result r1 = co_await spec.start({});
    co_await agent::update<int>(a("agent_test_child"), [](int n) { return n + 10; });
    first_state = term(co_await agent::get<int>(a("agent_test_child"), [](int n) { return n; }));
    co_await agent::stop(*r1);
    start_result r2 = co_await spec.start({});
    second_state = term(co_await agent::get<int>(a("agent_test_child"), [](int n) { return n; }));
    EXPECT_EQ(self_info().links, std::vector<pid>{*r2});
    co_await agent::stop(*r2);
  });
  EXPECT_EQ(spec.id, term(a("Elixir.Agent")));
  EXPECT_EQ(spec.restart, restart::permanent);
  EXPECT_EQ(spec.shutdown_ms(), 5000);
  EXPECT_EQ(spec.type, child_type::worker);
  EXPECT_EQ(to_string(spec.mfa), "{Agent, :start_link, [#Fun, [{:name, :agent_test_child}]]}");
  EXPECT_EQ(to_string(spec.modules_term()), "[Agent]");
  EXPECT_TRUE(check_child_spec(spec).has_value());
  EXPECT_EQ(to_string(agent::child_spec([] { return 0; }).mfa), "{Agent, :start_link, [#Fun]}");
  EXPECT_EQ(first_state, term(10));
  EXPECT_EQ(second_state, term(0));
}

OTTER_ON_BOTH_RUNTIMES(AgentTest);

}  // namespace
}  // namespace otter
