// Erlang's throw class (otter::throw_value): a catch takes the value ({:throw, v}); a GenServer
// takes a throw from a callback as its result, a bad one here ({:bad_return_value, v}: from
// init, start_link's error; from a call or cast, the stop reason, reported without a stack
// trace), and ignores one from terminate; :sys.replace_state reports {:throw, v}; uncaught in
// a Task or a proc_lib process, the exit reason is {{:nocatch, v}, #Stacktrace} and the crash
// report's class is :throw. Trace recorded from Elixir 1.14 / OTP 25 with the suite's trace
// helper:
//
//   T.start()
//   Process.flag(:trap_exit, true)
//   defmodule Thrower do
//     use GenServer
//     def init(:throw), do: throw(:from_init)
//     def init(s), do: {:ok, s}
//     def handle_call(:throw, _from, _s), do: throw(:from_call)
//     def handle_call(:get, _from, s), do: {:reply, s, s}
//     def handle_cast(:throw, _s), do: throw(:from_cast)
//     def terminate(_r, _s), do: throw(:from_terminate)
//   end
//   T.log("catching a throw", T.catching(fn -> throw(:caught) end))
//   T.log("start_link, init throws", GenServer.start_link(Thrower, :throw))
//   T.log("caller gets", T.recv())
//   T.capture_logs(true)
//   {:ok, s} = GenServer.start(Thrower, :st)
//   T.name(s, "s")
//   T.log("replace_state throwing",
//     T.catching(fn -> :sys.replace_state(s, fn _ -> throw(:no) end) end))
//   T.log("call, handle_call throws", T.catching(fn -> GenServer.call(s, :throw) end))
//   {:ok, s2} = GenServer.start(Thrower, :st2)
//   T.name(s2, "s2")
//   ref = Process.monitor(s2)
//   GenServer.cast(s2, :throw)
//   receive do {:DOWN, ^ref, _, _, r} -> T.log("s2 DOWN", r) end
//   task = Task.async(fn -> throw(:from_task) end)
//   T.name(task.pid, "task")
//   T.name(task.ref, "task_ref")
//   T.log("await a throwing task", T.catching(fn -> Task.await(task) end))
//   T.log("caller gets", T.recv())
//   {pid, ref} = :proc_lib.spawn_opt(fn -> throw(:from_proc_lib) end, [:monitor])
//   T.name(pid, "pl")
//   receive do {:DOWN, ^ref, _, _, r} -> T.log("proc_lib DOWN", r) end
//   T.log("end")

#include "otter/otp/gen_server.hpp"
#include "otter/otp/proc_lib.hpp"
#include "otter/otp/sys.hpp"
#include "otter/otp/task.hpp"

#include "conformance/scenario.hpp"

#include <memory>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(catching a throw: {:throw, :caught}
start_link, init throws: {:error, {:bad_return_value, :from_init}}
caller gets: {:EXIT, #PID<pid1>, {:bad_return_value, :from_init}}
replace_state throwing: {:error, {:callback_failed, {:gen_server, :system_replace_state}, {:throw, :no}}}
LOG[error] gen_server terminate name=#PID<s> last_message=:throw reason={:bad_return_value, :from_call}
LOG[error] proc_lib crash_report pid=#PID<s> registered_name=[] error_info={:exit, {:bad_return_value, :from_call}} ancestors=[#PID<main>]
call, handle_call throws: {:exit, {{:bad_return_value, :from_call}, {GenServer, :call, [#PID<s>, :throw, 5000]}}}
LOG[error] gen_server terminate name=#PID<s2> last_message={:"$gen_cast", :throw} reason={:bad_return_value, :from_cast}
LOG[error] proc_lib crash_report pid=#PID<s2> registered_name=[] error_info={:exit, {:bad_return_value, :from_cast}} ancestors=[#PID<main>]
s2 DOWN: {:bad_return_value, :from_cast}
LOG[error] task terminating pid=#PID<task> starter=#PID<main> reason={{:nocatch, :from_task}, #Stacktrace}
LOG[error] proc_lib crash_report pid=#PID<task> registered_name=[] error_info={:throw, :from_task} ancestors=[#PID<main>]
await a throwing task: {:exit, {{{:nocatch, :from_task}, #Stacktrace}, {Task, :await, [%Task{mfa: {:erlang, :apply, 2}, owner: #PID<main>, pid: #PID<task>, ref: #Ref<task_ref>}, 5000]}}}
caller gets: {:EXIT, #PID<task>, {{:nocatch, :from_task}, #Stacktrace}}
LOG[error] proc_lib crash_report pid=#PID<pl> registered_name=[] error_info={:throw, :from_proc_lib} ancestors=[#PID<main>]
proc_lib DOWN: {{:nocatch, :from_proc_lib}, #Stacktrace}
end
)";

struct thrower {
  using state = term;
  state init(term s) {
    if (s.is(a("throw"))) {
      throw_value(a("from_init"));
    }
    return s;
  }
  term handle_call(const term& req, const gen_server::from&, state& s) {
    if (req.is(a("throw"))) {
      throw_value(a("from_call"));
    }
    return s;
  }
  void handle_cast(const term&, state&) { throw_value(a("from_cast")); }
  void terminate(const term&, state&) { throw_value(a("from_terminate")); }
};

co<void> scenario(testing::trace& t) {
  trap_exit(true);
  t.log("catching a throw", co_await testing::catching([]() -> co<term> {
          throw_value(a("caught"));
          co_return term();
        }));
  t.log("start_link, init throws",
        to_term(co_await gen_server::start_link<thrower>(term(a("throw")))));
  t.log("caller gets", co_await testing::recv());
  testing::log_capture capture(t);
  start_result started = co_await gen_server::start<thrower>(term(a("st")));
  const pid s = t.name(*started, "s");
  t.log("replace_state throwing", co_await testing::catching([s]() -> co<term> {
          co_return co_await sys::replace_state(s,
                                                [](const term&) -> term { throw_value(a("no")); });
        }));
  t.log("call, handle_call throws", co_await testing::catching([s]() -> co<term> {
          co_return co_await gen_server::call(s, a("throw"));
        }));
  started = co_await gen_server::start<thrower>(term(a("st2")));
  const pid s2 = t.name(*started, "s2");
  ref mon = monitor(s2);
  gen_server::cast(s2, a("throw"));
  t.log("s2 DOWN", co_await down_reason(mon));
  task<term> tk = async([]() -> term { throw_value(a("from_task")); });
  t.name(tk.pid, "task");
  t.name(tk.ref, "task_ref");
  t.log("await a throwing task",
        co_await testing::catching([&tk]() -> co<term> { co_return co_await await(tk); }));
  t.log("caller gets", co_await testing::recv());
  // (Elixir monitors at the spawn; here the process waits for :go until it is monitored.)
  const pid pl = proc_lib::spawn([]() -> co<void> {
    co_await receive(on<term>([](const term& m) { return m.is(a("go")); }, [](term) {}));
    throw_value(a("from_proc_lib"));
  });
  t.name(pl, "pl");
  mon = monitor(pl);
  send(pl, term(a("go")));
  t.log("proc_lib DOWN", co_await down_reason(mon));
  t.log("end");
}

TEST(ConformanceTest, ThrowClass) {
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
