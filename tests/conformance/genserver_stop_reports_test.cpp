// The reports of a GenServer that stops abnormally, by how it stops: GenServer.stop reports
// last_message=[] (gen_server's system_terminate has no message); an exit signal from the
// parent while trapping reports the {:EXIT, parent, reason} message; an exit() inside a
// callback reports {reason, stacktrace} in the gen_server report and stops with the bare
// reason. Each report comes after terminate and before the stop returns, the DOWN, or the
// caller's exit. Trace recorded from Elixir 1.14 / OTP 25 with the suite's trace helper:
//
//   T.start(capture_logs: true)
//   defmodule S do
//     use GenServer
//     def init(name), do: (Process.flag(:trap_exit, true); T.name(self(), name); {:ok, name})
//     def handle_call(:crash, _f, _s), do: exit(:crashed_in_call)
//     def terminate(r, s), do: T.log("terminate #{s}", r)
//   end
//   {:ok, p} = GenServer.start(S, "s1")
//   T.log("stop :boom", GenServer.stop(p, :boom))
//   {:ok, _} = GenServer.start(S, "s2", name: :named)
//   T.log("stop named {:bad, 1}", GenServer.stop(:named, {:bad, 1}))
//   Process.flag(:trap_exit, true)
//   {:ok, p} = GenServer.start_link(S, "s3")
//   ref = Process.monitor(p)
//   Process.exit(p, :boom)
//   receive do {:DOWN, ^ref, _, _, r} -> T.log("s3 DOWN", r) end
//   {:ok, p} = GenServer.start(S, "s4")
//   T.log("call exiting", T.catching(fn -> GenServer.call(p, :crash) end))
//   T.log("end")

#include "otter/otp/gen_server.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(terminate s1: :boom
LOG[error] gen_server terminate name=#PID<s1> last_message=[] reason=:boom
LOG[error] proc_lib crash_report pid=#PID<s1> registered_name=[] error_info={:exit, :boom} ancestors=[#PID<main>]
stop :boom: :ok
terminate s2: {:bad, 1}
LOG[error] gen_server terminate name=:named last_message=[] reason={:bad, 1}
LOG[error] proc_lib crash_report pid=#PID<s2> registered_name=:named error_info={:exit, {:bad, 1}} ancestors=[#PID<main>]
stop named {:bad, 1}: :ok
terminate s3: :boom
LOG[error] gen_server terminate name=#PID<s3> last_message={:EXIT, #PID<main>, :boom} reason=:boom
LOG[error] proc_lib crash_report pid=#PID<s3> registered_name=[] error_info={:exit, :boom} ancestors=[#PID<main>]
s3 DOWN: :boom
terminate s4: :crashed_in_call
LOG[error] gen_server terminate name=#PID<s4> last_message=:crash reason={:crashed_in_call, #Stacktrace}
LOG[error] proc_lib crash_report pid=#PID<s4> registered_name=[] error_info={:exit, :crashed_in_call} ancestors=[#PID<main>]
call exiting: {:exit, {:crashed_in_call, {GenServer, :call, [#PID<s4>, :crash, 5000]}}}
end
)";

struct reporter {
  struct state {
    testing::trace* t;
    std::string name;
  };
  state init(testing::trace* t, std::string name) {
    trap_exit(true);
    t->name(self(), name);
    return state{t, std::move(name)};
  }
  term handle_call(const term&, const gen_server::from&, state&) {
    otter::exit(a("crashed_in_call"));
  }
  void terminate(const term& reason, state& s) { s.t->log("terminate " + s.name, reason); }
};

co<void> scenario(testing::trace& t) {
  testing::log_capture capture(t);
  start_result p = co_await gen_server::start<reporter>(&t, std::string("s1"));
  t.log("stop :boom", term(co_await gen_server::stop(*p, a("boom"))));
  gen_server::start_options named;
  named.name = server_ref(a("named"));
  p = co_await gen_server::start<reporter>(named, &t, std::string("s2"));
  t.log("stop named {:bad, 1}",
        term(co_await gen_server::stop(server_ref(a("named")), tuple(a("bad"), 1))));
  trap_exit(true);
  p = co_await gen_server::start_link<reporter>(&t, std::string("s3"));
  ref mon = monitor(*p);
  otter::exit(*p, a("boom"));
  t.log("s3 DOWN", co_await down_reason(mon));
  p = co_await gen_server::start<reporter>(&t, std::string("s4"));
  pid s4 = *p;
  t.log("call exiting", co_await testing::catching([s4]() -> co<term> {
          co_return co_await gen_server::call(s4, a("crash"));
        }));
  t.log("end");
}

TEST(ConformanceTest, GenServerStopReports) {
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
