// How a GenServer stops and when terminate runs: {:stop, r, reply, s} from a call runs
// terminate before the caller gets the reply; {:stop, r, s} from a call exits the caller with
// {r, {GenServer, :call, ...}}; an exception in terminate becomes the exit reason; a trapped
// EXIT from a process other than the parent is an info message; an exit signal from the
// parent runs terminate when trapping (even with reason :normal, which then stops the server),
// and kills without terminate when not; :kill never runs it; GenServer.stop runs terminate
// whether the server traps or not, and exits the caller with :noproc for a dead server. Trace
// recorded from Elixir 1.14 / OTP 25 with the suite's trace helper:
//
//   defmodule S do
//     use GenServer
//     def init({trap, name}), do: (if trap, do: Process.flag(:trap_exit, true);
//                                  T.name(self(), name); {:ok, name})
//     def handle_call({:stop, r}, _f, s), do: {:stop, r, :bye, s}
//     def handle_call({:stop_noreply, r}, _f, s), do: {:stop, r, s}
//     def handle_call({:link, p}, _f, s), do: {:reply, Process.link(p), s}
//     def handle_info({:EXIT, from, r}, s),
//       do: (T.log("#{s} handle_info EXIT", {from, r}); {:noreply, s})
//     def handle_info(:raise_in_terminate, s), do: {:stop, :term_raise, s}
//     def terminate(:term_raise, _s), do: raise("terminate boom")
//     def terminate(r, s), do: T.log("terminate #{s}", r)
//   end
//   start = fn trap, name -> {:ok, p} = GenServer.start(S, {trap, name}); p end
//   down = fn label, p, action ->
//     ref = Process.monitor(p)
//     action.()
//     receive do {:DOWN, ^ref, _, _, r} -> T.log(label, r) end
//   end
//   p = start.(false, "s1")
//   down.("s1 DOWN", p, fn ->
//     T.log("call stop with reply", GenServer.call(p, {:stop, :normal}))
//   end)
//   p = start.(false, "s2")
//   T.log("call stop without reply",
//         T.catching(fn -> GenServer.call(p, {:stop_noreply, :shutdown}) end))
//   p = start.(false, "s3")
//   down.("terminate raises DOWN", p, fn -> send(p, :raise_in_terminate) end)
//   p = start.(true, "s4")
//   other = spawn(fn -> receive do :go -> exit(:other_reason) end end)
//   T.name(other, "other")
//   T.log("s4 links other", GenServer.call(p, {:link, other}))
//   send(other, :go)
//   Process.sleep(50)
//   T.log("s4 alive after EXIT from a non-parent", Process.alive?(p))
//   Process.flag(:trap_exit, true)
//   {:ok, p} = GenServer.start_link(S, {true, "s5"})
//   down.("s5 DOWN (trapping, parent exits :shutdown)", p, fn -> Process.exit(p, :shutdown) end)
//   {:ok, p} = GenServer.start_link(S, {false, "s6"})
//   down.("s6 DOWN (not trapping)", p, fn -> Process.exit(p, :shutdown) end)
//   {:ok, p} = GenServer.start_link(S, {true, "s7"})
//   down.("s7 DOWN (kill)", p, fn -> Process.exit(p, :kill) end)
//   {:ok, p} = GenServer.start_link(S, {true, "s8"})
//   down.("s8 DOWN (trapping, parent exits :normal)", p, fn -> Process.exit(p, :normal) end)
//   T.log("stop s8 (dead)", T.catching(fn -> GenServer.stop(p) end))
//   {:ok, p} = GenServer.start_link(S, {false, "s9"})
//   T.log("stop s9 :normal (not trapping)", GenServer.stop(p))
//   p = start.(false, "s10")
//   T.log("stop s10 {:shutdown, :x}", GenServer.stop(p, {:shutdown, :x}))
//   T.log("mailbox", T.flush())
//   T.log("end")

#include "otter/otp/gen_server.hpp"

#include "conformance/supervisor_scenario.hpp"

#include <stdexcept>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(terminate s1: :normal
call stop with reply: :bye
s1 DOWN: :normal
terminate s2: :shutdown
call stop without reply: {:exit, {:shutdown, {GenServer, :call, [#PID<s2>, {:stop_noreply, :shutdown}, 5000]}}}
terminate raises DOWN: {%RuntimeError{message: "terminate boom"}, #Stacktrace}
s4 links other: true
s4 handle_info EXIT: {#PID<other>, :other_reason}
s4 alive after EXIT from a non-parent: true
terminate s5: :shutdown
s5 DOWN (trapping, parent exits :shutdown): :shutdown
s6 DOWN (not trapping): :shutdown
s7 DOWN (kill): :killed
terminate s8: :normal
s8 DOWN (trapping, parent exits :normal): :normal
stop s8 (dead): {:exit, {:noproc, {GenServer, :stop, [#PID<s8>, :normal, :infinity]}}}
terminate s9: :normal
stop s9 :normal (not trapping): :ok
terminate s10: {:shutdown, :x}
stop s10 {:shutdown, :x}: :ok
mailbox: [{:EXIT, #PID<s5>, :shutdown}, {:EXIT, #PID<s6>, :shutdown}, {:EXIT, #PID<s7>, :killed}, {:EXIT, #PID<s8>, :normal}, {:EXIT, #PID<s9>, :normal}]
end
)";

struct stopper {
  struct state {
    testing::trace* t;
    std::string name;
  };
  state init(testing::trace* t, bool trap, std::string name) {
    if (trap) {
      trap_exit(true);
    }
    t->name(self(), name);
    return state{t, std::move(name)};
  }
  gen_server::call_result<term> handle_call(const term& req, const gen_server::from&, state&) {
    if (req.is_tagged(a("stop"), 2)) {
      return gen_server::call_result<term>::stop(req[1], term(a("bye")));
    }
    if (req.is_tagged(a("stop_noreply"), 2)) {
      return gen_server::call_result<term>::stop(req[1]);
    }
    return term(link(req[1].as_pid()));  // {:link, p}
  }
  gen_server::cast_result handle_info(const term& msg, state& s) {
    if (msg.is_tagged(atoms::EXIT, 3)) {
      s.t->log(s.name + " handle_info EXIT", tuple(msg[1], msg[2]));
      return {};
    }
    return gen_server::cast_result::stop(a("term_raise"));  // :raise_in_terminate
  }
  void terminate(const term& reason, state& s) {
    if (reason.is(a("term_raise"))) {
      throw std::runtime_error("terminate boom");
    }
    s.t->log("terminate " + s.name, reason);
  }
};

/// Monitors `p`, runs `action`, and logs the reason of p's DOWN under `label`.
co<void> down(testing::trace& t, const std::string& label, pid p,
              std::function<co<void>()> action) {
  ref mon = monitor(p);
  co_await action();
  t.log(label, co_await down_reason(mon));
}

co<void> scenario(testing::trace& t) {
  auto start = [&t](bool trap, const char* name) -> co<pid> {
    co_return *co_await gen_server::start<stopper>(&t, trap, std::string(name));
  };
  auto start_link = [&t](bool trap, const char* name) -> co<pid> {
    co_return *co_await gen_server::start_link<stopper>(&t, trap, std::string(name));
  };
  pid p = co_await start(false, "s1");
  co_await down(t, "s1 DOWN", p, [&]() -> co<void> {
    t.log("call stop with reply", co_await gen_server::call(p, tuple(a("stop"), atoms::normal)));
  });
  p = co_await start(false, "s2");
  t.log("call stop without reply", co_await testing::catching([p]() -> co<term> {
          co_return co_await gen_server::call(p, tuple(a("stop_noreply"), atoms::shutdown));
        }));
  p = co_await start(false, "s3");
  co_await down(t, "terminate raises DOWN", p, [p]() -> co<void> {
    send(p, term(a("raise_in_terminate")));
    co_return;
  });
  p = co_await start(true, "s4");
  pid other = spawn([]() -> co<void> {
    co_await receive(on<term>([](const term& m) { return m.is(a("go")); }, [](term) {}));
    otter::exit(a("other_reason"));
  });
  t.name(other, "other");
  t.log("s4 links other", co_await gen_server::call(p, tuple(a("link"), other)));
  send(other, term(a("go")));
  co_await sleep(50);
  t.log("s4 alive after EXIT from a non-parent", term(alive(p)));
  trap_exit(true);
  auto signal = [](pid target, term reason) {
    return [target, reason]() -> co<void> {
      otter::exit(target, reason);
      co_return;
    };
  };
  p = co_await start_link(true, "s5");
  co_await down(t, "s5 DOWN (trapping, parent exits :shutdown)", p, signal(p, atoms::shutdown));
  p = co_await start_link(false, "s6");
  co_await down(t, "s6 DOWN (not trapping)", p, signal(p, atoms::shutdown));
  p = co_await start_link(true, "s7");
  co_await down(t, "s7 DOWN (kill)", p, signal(p, atoms::kill));
  p = co_await start_link(true, "s8");
  co_await down(t, "s8 DOWN (trapping, parent exits :normal)", p, signal(p, atoms::normal));
  t.log("stop s8 (dead)", co_await testing::catching(
                              [p]() -> co<term> { co_return term(co_await gen_server::stop(p)); }));
  p = co_await start_link(false, "s9");
  t.log("stop s9 :normal (not trapping)", term(co_await gen_server::stop(p)));
  p = co_await start(false, "s10");
  t.log("stop s10 {:shutdown, :x}",
        term(co_await gen_server::stop(p, tuple(atoms::shutdown, a("x")))));
  t.log("mailbox", co_await testing::flush());
  t.log("end");
}

TEST(ConformanceTest, GenServerTerminate) {
  quiet_logs quiet;
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
