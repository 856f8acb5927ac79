// Scenario 35_proc_lib_crash_reports: OTP processes that exit abnormally log a crash report
// (none for :normal, :shutdown and {:shutdown, _}); GenServers log their terminate report
// first, Tasks their task report; plain processes log nothing when they exit and an
// asynchronous error_in_process report when they raise; supervisors report child_terminated.
// Reports are logged by the dying process before it exits (so before its DOWN).

#include "otter/otp/agent.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/proc_lib.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(LOG[error] gen_server terminate name=:crashy last_message=:crash reason={%RuntimeError{message: "boom"}, #Stacktrace}
LOG[error] proc_lib crash_report pid=#PID<genserver_raise> registered_name=:crashy error_info={:error, %RuntimeError{message: "boom"}} ancestors=[#PID<main>]
genserver_raise DOWN: {%RuntimeError{message: "boom"}, #Stacktrace}
genserver_stop_normal DOWN: :normal
genserver_stop_shutdown DOWN: :shutdown
genserver_stop_shutdown_tuple DOWN: {:shutdown, :done}
LOG[error] gen_server terminate name=#PID<genserver_stop_abnormal> last_message={:"$gen_cast", {:stop, :abnormal}} reason=:abnormal
LOG[error] proc_lib crash_report pid=#PID<genserver_stop_abnormal> registered_name=[] error_info={:exit, :abnormal} ancestors=[#PID<main>]
genserver_stop_abnormal DOWN: :abnormal
proc_lib_exit_normal DOWN: :normal
proc_lib_exit_shutdown DOWN: :shutdown
proc_lib_exit_shutdown_tuple DOWN: {:shutdown, :done}
LOG[error] proc_lib crash_report pid=#PID<proc_lib_exit_boom> registered_name=[] error_info={:exit, :boom} ancestors=[#PID<main>]
proc_lib_exit_boom DOWN: :boom
LOG[error] task terminating pid=#PID<task_exit> starter=#PID<main> reason={:task_boom, #Stacktrace}
LOG[error] proc_lib crash_report pid=#PID<task_exit> registered_name=[] error_info={:exit, :task_boom} ancestors=[#PID<main>]
task_exit DOWN: :task_boom
plain_spawn_exit DOWN: :boom
plain_spawn_raise DOWN: {%RuntimeError{message: "raw"}, #Stacktrace}
LOG[error] emulator error_in_process pid=#PID<plain_spawn_raise> reason=%RuntimeError{message: "raw"}
after waiting for the runtime error report: :ok
LOG[error] supervisor_report context=:child_terminated supervisor={#PID<sup>, Supervisor.Default} child_id=:worker reason=:boom
agent_w DOWN: :boom
restarted: #PID<agent_w_restarted>
end
)";

struct crashy {
  using state = term;
  state init() { return a("st"); }
  term handle_call(const term&, const gen_server::from&, state&) {
    throw std::runtime_error("boom");
  }
  gen_server::cast_result handle_cast(const term& req, state&) {
    return gen_server::cast_result::stop(req[1]);  // {:stop, reason}
  }
};

/// Names p and its monitor r after `label`, then logs `<label> DOWN: <reason>`.
co<void> watch(testing::trace& t, const std::string& label, pid p, ref r) {
  t.name(p, label);
  t.name(r, "mon_" + label);
  down_msg d = co_await receive(on<down_msg>([r](const down_msg& x) { return x.monitor == r; },
                                             [](down_msg& x) { return std::move(x); }));
  t.log(label + " DOWN", d.reason);
}

/// A body that waits for any message, then exits with `reason`.
auto exit_on_go(term reason) {
  return [reason]() -> co<void> {
    co_await receive(on<term>([](const term&) {}));
    otter::exit(reason);
  };
}

std::vector<std::pair<term, std::string>> stop_reasons(const char* last, term last_reason) {
  return {{a("normal"), "normal"},
          {a("shutdown"), "shutdown"},
          {tuple(a("shutdown"), a("done")), "shutdown_tuple"},
          {std::move(last_reason), last}};
}

co<void> scenario_35(testing::trace& t) {
  testing::log_capture capture(t);
  {
    gen_server::start_options opts;
    opts.name = server_ref(a("crashy"));
    start_result s = co_await gen_server::start<crashy>(opts);
    pid p = t.name(*s, "genserver_raise");
    ref r = monitor(p);
    auto crash = [p]() -> co<term> {
      co_return co_await gen_server::call(p, a("crash"));
    };
    (void)co_await testing::catching(crash);
    co_await watch(t, "genserver_raise", p, r);
  }
  for (auto& [reason, label] : stop_reasons("abnormal", a("abnormal"))) {
    start_result s = co_await gen_server::start<crashy>();
    pid p = t.name(*s, "genserver_stop_" + label);
    ref r = monitor(p);
    gen_server::cast(p, tuple(a("stop"), reason));
    co_await watch(t, "genserver_stop_" + label, p, r);
  }
  for (auto& [reason, label] : stop_reasons("boom", a("boom"))) {
    pid p = proc_lib::spawn(exit_on_go(reason));
    ref r = monitor(p);
    t.name(p, "proc_lib_exit_" + label);
    send(p, term(a("go")));
    co_await watch(t, "proc_lib_exit_" + label, p, r);
  }
  {
    pid p = task_start(exit_on_go(a("task_boom")));
    ref r = monitor(p);
    t.name(p, "task_exit");
    send(p, term(a("go")));
    co_await watch(t, "task_exit", p, r);
  }
  {
    pid p = spawn(exit_on_go(a("boom")));
    ref r = monitor(p);
    t.name(p, "plain_spawn_exit");
    send(p, term(a("go")));
    co_await watch(t, "plain_spawn_exit", p, r);
  }
  {
    pid p = spawn([]() -> co<void> {
      co_await receive(on<term>([](const term&) {}));
      throw std::runtime_error("raw");
    });
    ref r = monitor(p);
    t.name(p, "plain_spawn_raise");
    send(p, term(a("go")));
    co_await watch(t, "plain_spawn_raise", p, r);
  }
  co_await sleep(1000);
  t.log("after waiting for the runtime error report", a("ok"));

  gen_server::start_options agent_opts;
  agent_opts.name = server_ref(a("agent_w"));
  child_spec spec = agent::child_spec([] { return term(1); }, agent_opts);
  spec.id = a("worker");
  std::vector<child_spec> children{spec};
  start_result sup = co_await supervisor::start_link(children);
  t.name(*sup, "sup");
  pid old = t.name(whereis(a("agent_w")), "agent_w");
  ref r = t.name(monitor(old), "mon_agent_w");
  otter::exit(old, a("boom"));
  term down = co_await down_reason(r);
  auto restarted = [old]() -> co<term> {
    pid p = whereis(a("agent_w"));
    co_return p.is_null() || p == old ? term(false) : term(p);
  };
  term fresh = co_await testing::eventually(restarted);
  t.log("agent_w DOWN", down);
  t.name(fresh.as_pid(), "agent_w_restarted");
  t.log("restarted", fresh);
  t.log("end");
}

TEST(ConformanceTest, ProcLibCrashReports35) {
  expect_trace(expected, scenario_35);
}

}  // namespace
}  // namespace otter::conformance
