// A process that calls itself: every call form (GenServer call and stop, :sys, Agent,
// gen_statem, the supervisors) exits at once with :calling_self inside the call's usual exit
// reason, as gen.erl's do_call and Elixir's GenServer.call/stop do, where it would otherwise
// wait on its own mailbox until the timeout, or forever. The same reason as a server: a
// handler that calls its own server stops it, and its caller exits with both sites nested.
// Also how :sys names replace_state in an exit reason (`{:replace_state, #Fun}`, as sys.erl's
// mfa/2 does).
//
// Not one of the suite's numbered scenarios: the trace was recorded from Elixir 1.14.0 on
// OTP 25 with the suite's trace helper (T) and this script:
//
//   defmodule Selfish do
//     use GenServer
//     def init(n), do: {:ok, n}
//     def handle_call(:self_call, _from, n), do: {:reply, GenServer.call(self(), :get), n}
//     def handle_call(:get, _from, n), do: {:reply, n, n}
//   end
//
//   T.log("call self", T.catching(fn -> GenServer.call(self(), :x) end))
//   T.log("call self, timeout 100", T.catching(fn -> GenServer.call(self(), :x, 100) end))
//   Process.register(self(), :me)
//   T.log("call own name", T.catching(fn -> GenServer.call(:me, :x) end))
//   {:ok, _} = Registry.start_link(keys: :unique, name: Reg)
//   {:ok, _} = Registry.register(Reg, :k, nil)
//   T.log("call own via name",
//         T.catching(fn -> GenServer.call({:via, Registry, {Reg, :k}}, :x) end))
//   T.log("stop self", T.catching(fn -> GenServer.stop(self()) end))
//   T.log("stop own name", T.catching(fn -> GenServer.stop(:me, :boom, 100) end))
//   T.log(":sys.get_state self", T.catching(fn -> :sys.get_state(self()) end))
//   T.log(":sys.get_state self, timeout 100", T.catching(fn -> :sys.get_state(self(), 100) end))
//   T.log(":sys.replace_state self",
//         T.catching(fn -> :sys.replace_state(self(), fn s -> s end) end))
//   T.log(":sys.suspend self", T.catching(fn -> :sys.suspend(self()) end))
//   T.log(":sys.resume self", T.catching(fn -> :sys.resume(self()) end))
//   T.log(":sys.get_status self", T.catching(fn -> :sys.get_status(self()) end))
//   T.log("Agent.get self", T.catching(fn -> Agent.get(self(), fn s -> s end) end))
//   T.log("Agent.stop self", T.catching(fn -> Agent.stop(self()) end))
//   T.log(":gen_statem.call self", T.catching(fn -> :gen_statem.call(self(), :x) end))
//   T.log(":gen_statem.call self, timeout 100",
//         T.catching(fn -> :gen_statem.call(self(), :x, 100) end))
//   T.log(":gen_statem.stop self", T.catching(fn -> :gen_statem.stop(self()) end))
//   T.log(":gen_statem.stop self, :boom, 100",
//         T.catching(fn -> :gen_statem.stop(self(), :boom, 100) end))
//   T.log("Supervisor.which_children self",
//         T.catching(fn -> Supervisor.which_children(self()) end))
//   T.log("DynamicSupervisor.count_children self",
//         T.catching(fn -> DynamicSupervisor.count_children(self()) end))
//   T.log("Task.Supervisor.children self", T.catching(fn -> Task.Supervisor.children(self()) end))
//   dead = spawn(fn -> :ok end)
//   T.name(dead, "dead")
//   Process.sleep(10)
//   T.log(":sys.replace_state dead",
//         T.catching(fn -> :sys.replace_state(dead, fn s -> s end) end))
//   T.log(":sys.replace_state dead, timeout 100",
//         T.catching(fn -> :sys.replace_state(dead, fn s -> s end, 100) end))
//   {:ok, s} = GenServer.start(Selfish, 7)
//   T.name(s, "selfish")
//   ref = Process.monitor(s)
//   T.log("server that calls itself", T.catching(fn -> GenServer.call(s, :self_call) end))
//   receive do
//     {:DOWN, ^ref, :process, _, reason} -> T.log("server DOWN", reason)
//   end
//   T.log("end")

#include "otter/otp/agent.hpp"
#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/gen_statem.hpp"
#include "otter/otp/registry.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/otp/sys.hpp"
#include "otter/otp/task_supervisor.hpp"

#include "conformance/scenario.hpp"
#include "conformance/supervisor_scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(call self: {:exit, {:calling_self, {GenServer, :call, [#PID<main>, :x, 5000]}}}
call self, timeout 100: {:exit, {:calling_self, {GenServer, :call, [#PID<main>, :x, 100]}}}
call own name: {:exit, {:calling_self, {GenServer, :call, [:me, :x, 5000]}}}
call own via name: {:exit, {:calling_self, {GenServer, :call, [{:via, Registry, {Reg, :k}}, :x, 5000]}}}
stop self: {:exit, {:calling_self, {GenServer, :stop, [#PID<main>, :normal, :infinity]}}}
stop own name: {:exit, {:calling_self, {GenServer, :stop, [:me, :boom, 100]}}}
:sys.get_state self: {:exit, {:calling_self, {:sys, :get_state, [#PID<main>]}}}
:sys.get_state self, timeout 100: {:exit, {:calling_self, {:sys, :get_state, [#PID<main>, 100]}}}
:sys.replace_state self: {:exit, {:calling_self, {:sys, {:replace_state, #Fun}, [#PID<main>]}}}
:sys.suspend self: {:exit, {:calling_self, {:sys, :suspend, [#PID<main>]}}}
:sys.resume self: {:exit, {:calling_self, {:sys, :resume, [#PID<main>]}}}
:sys.get_status self: {:exit, {:calling_self, {:sys, :get_status, [#PID<main>]}}}
Agent.get self: {:exit, {:calling_self, {GenServer, :call, [#PID<main>, {:get, #Fun}, 5000]}}}
Agent.stop self: {:exit, {:calling_self, {GenServer, :stop, [#PID<main>, :normal, :infinity]}}}
:gen_statem.call self: {:exit, {:calling_self, {:gen_statem, :call, [#PID<main>, :x, :infinity]}}}
:gen_statem.call self, timeout 100: {:exit, {:calling_self, {:gen_statem, :call, [#PID<main>, :x, 100]}}}
:gen_statem.stop self: {:exit, {:calling_self, {:sys, :terminate, [#PID<main>, :normal, :infinity]}}}
:gen_statem.stop self, :boom, 100: {:exit, {:calling_self, {:sys, :terminate, [#PID<main>, :boom, 100]}}}
Supervisor.which_children self: {:exit, {:calling_self, {GenServer, :call, [#PID<main>, :which_children, :infinity]}}}
DynamicSupervisor.count_children self: {:exit, {:calling_self, {GenServer, :call, [#PID<main>, :count_children, :infinity]}}}
Task.Supervisor.children self: {:exit, {:calling_self, {GenServer, :call, [#PID<main>, :which_children, :infinity]}}}
:sys.replace_state dead: {:exit, {:noproc, {:sys, {:replace_state, #Fun}, [#PID<dead>]}}}
:sys.replace_state dead, timeout 100: {:exit, {:noproc, {:sys, {:replace_state, #Fun}, [#PID<dead>, 100]}}}
server that calls itself: {:exit, {{:calling_self, {GenServer, :call, [#PID<selfish>, :get, 5000]}}, {GenServer, :call, [#PID<selfish>, :self_call, 5000]}}}
server DOWN: {:calling_self, {GenServer, :call, [#PID<selfish>, :get, 5000]}}
end
)";

/// The script's `Selfish` module: :self_call makes the server call itself.
struct selfish {
  using state = std::int64_t;
  state init(std::int64_t n) { return n; }
  co<term> handle_call(const term& req, const gen_server::from& /*from*/, state& n) {
    if (req == term(a("self_call"))) {
      co_return co_await gen_server::call(self(), term(a("get")));
    }
    co_return term(n);
  }
};

/// Runs `f` (a call that should exit) and logs what catching/1 gives.
template <class F>
co<void> log_catching(testing::trace& t, const char* label, F f) {
  t.log(label, co_await testing::catching([f]() -> co<term> {
          (void)co_await f();
          co_return term(atoms::ok);
        }));
}

co<void> scenario_calling_self(testing::trace& t) {
  quiet_logs quiet;  // the script's T.start() drops the reports of the server that stops
  const pid me = self();
  const term x(a("x"));
  co_await log_catching(t, "call self", [&] { return gen_server::call(me, x); });
  co_await log_catching(t, "call self, timeout 100", [&] { return gen_server::call(me, x, 100); });
  const atom me_name = a("me");
  register_name(me_name, me);
  co_await log_catching(t, "call own name", [&] { return gen_server::call(me_name, x); });
  const atom reg = a("Elixir.Reg");
  (void)co_await registry::start_link({.keys = registry::kind::unique, .name = reg});
  (void)registry::register_key(reg, a("k"), term());
  const server_ref via = registry::via(reg, a("k"));
  co_await log_catching(t, "call own via name", [&] { return gen_server::call(via, x); });
  co_await log_catching(t, "stop self", [&] { return gen_server::stop(me); });
  co_await log_catching(t, "stop own name",
                        [&] { return gen_server::stop(me_name, term(a("boom")), 100); });

  co_await log_catching(t, ":sys.get_state self", [&] { return sys::get_state(me); });
  co_await log_catching(t, ":sys.get_state self, timeout 100",
                        [&] { return sys::get_state(me, 100); });
  auto identity = [](term s) {
    return s;
  };
  co_await log_catching(t, ":sys.replace_state self",
                        [&] { return sys::replace_state(me, identity); });
  co_await log_catching(t, ":sys.suspend self", [&] { return sys::suspend(me); });
  co_await log_catching(t, ":sys.resume self", [&] { return sys::resume(me); });
  co_await log_catching(t, ":sys.get_status self", [&] { return sys::get_status(me); });

  co_await log_catching(t, "Agent.get self", [&] { return agent::get(me, identity); });
  co_await log_catching(t, "Agent.stop self", [&] { return agent::stop(me); });

  co_await log_catching(t, ":gen_statem.call self", [&] { return gen_statem::call(me, x); });
  co_await log_catching(t, ":gen_statem.call self, timeout 100",
                        [&] { return gen_statem::call(me, x, 100); });
  co_await log_catching(t, ":gen_statem.stop self", [&] { return gen_statem::stop(me); });
  co_await log_catching(t, ":gen_statem.stop self, :boom, 100",
                        [&] { return gen_statem::stop(me, term(a("boom")), 100); });

  co_await log_catching(t, "Supervisor.which_children self",
                        [&] { return supervisor::which_children(me); });
  co_await log_catching(t, "DynamicSupervisor.count_children self",
                        [&] { return dynamic_supervisor::count_children(me); });
  co_await log_catching(t, "Task.Supervisor.children self",
                        [&] { return task_supervisor::children(me); });

  pid dead = t.name(spawn([]() -> co<void> { co_return; }), "dead");
  (void)co_await testing::wait_down(dead);
  co_await log_catching(t, ":sys.replace_state dead",
                        [&] { return sys::replace_state(dead, identity); });
  co_await log_catching(t, ":sys.replace_state dead, timeout 100",
                        [&] { return sys::replace_state(dead, identity, 100); });

  start_result s = co_await gen_server::start<selfish>(std::int64_t{7});
  pid server = t.name(*s, "selfish");
  ref mon = monitor(server);
  co_await log_catching(t, "server that calls itself",
                        [&] { return gen_server::call(server, term(a("self_call"))); });
  t.log("server DOWN", co_await down_reason(mon));
  t.log("end");
}

TEST(ConformanceTest, CallingSelf) {
  expect_trace(expected, scenario_calling_self);
}

}  // namespace
}  // namespace otter::conformance
