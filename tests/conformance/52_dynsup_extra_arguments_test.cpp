// Scenario 52_dynsup_extra_arguments: the supervisor's extra_arguments come before the
// arguments of every child's start ({M, F, extra ++ args}), on start and on restart.

#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"

#include "conformance/scenario.hpp"

#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start_link args: [:extra1, :extra2, :own]
child state: [:extra1, :extra2, :own]
start_link args: [:extra1, :extra2, :own]
restarted child state: [:extra1, :extra2, :own]
end
)";

/// Echo: keeps its start arguments as its state; a call :args returns them.
struct echo {
  using state = term;
  state init(term args) { return args; }
  term handle_call(const term&, const gen_server::from&, state& args) { return args; }
};

co<void> scenario_52(testing::trace& t) {
  dynamic_supervisor::options opts;
  opts.extra_arguments = {term(a("extra1")), term(a("extra2"))};
  start_result sup = co_await dynamic_supervisor::start_link(opts);
  t.name(*sup, "dynsup");

  // %{id: Echo, start: {Echo, :start_link, [:own]}}; Echo.start_link(a, b, c) logs its
  // arguments, which are the extra arguments followed by the spec's own.
  child_spec spec;
  spec.id = term(a("Elixir.Echo"));
  spec.mfa = tuple(a("Elixir.Echo"), a("start_link"), list(a("own")));
  spec.start = [&t](const std::vector<term>& extra) {
    std::vector<term> args = extra;
    args.emplace_back(a("own"));
    t.log("start_link args", term::list(args));
    return gen_server::start_link<echo>(term::list(std::move(args)));
  };
  start_result child = co_await dynamic_supervisor::start_child(*sup, std::move(spec));
  t.name(*child, "echo1");
  t.log("child state", co_await gen_server::call(*child, term(a("args"))));

  ref mon = monitor(*child);
  exit(*child, term(a("crash")));
  (void)co_await receive(
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; }, [](down_msg&) {}));
  const pid old = *child;
  auto restarted = [sup, old]() -> co<term> {
    std::vector<dynamic_supervisor::child_info> cs =
        co_await dynamic_supervisor::which_children(*sup);
    if (cs.size() == 1 && !cs[0].restarting() && cs[0].child != old) {
      co_return term(cs[0].child);
    }
    co_return term(false);
  };
  term pid2 = co_await testing::eventually(restarted);
  t.name(pid2.as_pid(), "echo2");
  t.log("restarted child state", co_await gen_server::call(pid2.as_pid(), term(a("args"))));
  t.log("end");
  co_await dynamic_supervisor::stop(*sup);  // its children log through `t`
}

TEST(ConformanceTest, DynsupExtraArguments52) {
  log_sink previous = set_log_sink(log_sink{});  // the restart's supervisor report
  expect_trace(expected, scenario_52);
  set_log_sink(previous);
}

}  // namespace
}  // namespace otter::conformance
