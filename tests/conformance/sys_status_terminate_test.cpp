// :sys on a GenServer: get_status's exact shape (header and keys are Erlang strings, printed
// as lists of character codes; the parent of an unsupervised server is itself; "Logged events"
// is []), suspend and resume are idempotent, :sys.terminate answers :ok (before the process
// has exited) and stops a server, suspended or not, running terminate; the failures of :sys
// calls name the timeout when one was given. Trace recorded from Elixir 1.14 / OTP 25 with the
// suite's trace helper (the process dictionary is reduced to $ancestors: Otter's servers have
// no module for $initial_call):
//
//   T.start(capture_logs: true)
//   Process.flag(:trap_exit, true)
//   defmodule Box do
//     use GenServer
//     def init(s), do: {:ok, s}
//     def handle_call(:get, _from, s), do: {:reply, s, s}
//     def terminate(reason, s), do: send(s.owner, {:terminated, reason})
//   end
//   status = fn {:status, pid, mod, [pdict, sys_state, parent, dbg, misc]} ->
//     {:status, pid, mod, [Keyword.take(pdict, [:"$ancestors"]), sys_state, parent, dbg, misc]}
//   end
//   main = self()
//   {:ok, box} = GenServer.start_link(Box, %{owner: main, n: 1}, name: :box)
//   T.name(box, "box")
//   T.log("get_status", status.(:sys.get_status(:box)))
//   T.log("resume (not suspended)", :sys.resume(box))
//   T.log("suspend", :sys.suspend(box))
//   T.log("suspend again", :sys.suspend(box))
//   {:status, _, _, [_, sys_state, _, _, _]} = :sys.get_status(box)
//   T.log("sys state while suspended", sys_state)
//   T.log("resume", :sys.resume(box))
//   ref = T.name(Process.monitor(box), "mon_box")
//   res = :sys.terminate(:box, :bye)
//   receive do {:DOWN, ^ref, _, _, r} -> T.log("box DOWN", r) end
//   T.log("sys.terminate box :bye", res)
//   T.log("terminated msg", T.recv())
//   T.log("exit msg", T.recv())
//   T.log("sys.terminate dead", T.catching(fn -> :sys.terminate(:box, :bye) end))
//   {:ok, anon} = GenServer.start(Box, %{owner: main, n: 2})
//   T.name(anon, "anon")
//   {:status, _, _, [_, _, parent, _, misc]} = :sys.get_status(anon)
//   T.log("unsupervised server's parent", parent)
//   T.log("misc data", Enum.drop(misc, 1))
//   ref = T.name(Process.monitor(anon), "mon_anon")
//   :sys.suspend(anon)
//   res = :sys.terminate(anon, :normal, 1000)
//   receive do {:DOWN, ^ref, _, _, r} -> T.log("anon DOWN", r) end
//   T.log("sys.terminate suspended :normal", res)
//   T.log("terminated msg", T.recv())
//   deaf = spawn(fn -> receive do :never -> :ok end end)
//   T.name(deaf, "deaf")
//   T.log("get_state timeout", T.catching(fn -> :sys.get_state(deaf, 100) end))
//   T.log("suspend timeout", T.catching(fn -> :sys.suspend(deaf, 100) end))
//   T.log("get_status timeout", T.catching(fn -> :sys.get_status(deaf, 100) end))
//   T.log("terminate timeout", T.catching(fn -> :sys.terminate(deaf, :x, 100) end))
//   T.log("deaf mailbox len", Process.info(deaf, :message_queue_len))
//   T.log("mailbox", T.flush())
//   T.log("end")

#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "conformance/scenario.hpp"

namespace otter::conformance {
namespace {

constexpr const char* expected =
    R"(get_status: {:status, #PID<box>, {:module, :gen_server}, [[{:"$ancestors", [#PID<main>]}], :running, #PID<main>, [], [{:header, [83, 116, 97, 116, 117, 115, 32, 102, 111, 114, 32, 103, 101, 110, 101, 114, 105, 99, 32, 115, 101, 114, 118, 101, 114, 32, 98, 111, 120]}, {:data, [{[83, 116, 97, 116, 117, 115], :running}, {[80, 97, 114, 101, 110, 116], #PID<main>}, {[76, 111, 103, 103, 101, 100, 32, 101, 118, 101, 110, 116, 115], []}]}, {:data, [{[83, 116, 97, 116, 101], %{:n => 1, :owner => #PID<main>}}]}]]}
resume (not suspended): :ok
suspend: :ok
suspend again: :ok
sys state while suspended: :suspended
resume: :ok
LOG[error] gen_server terminate name=:box last_message=[] reason=:bye
LOG[error] proc_lib crash_report pid=#PID<box> registered_name=:box error_info={:exit, :bye} ancestors=[#PID<main>]
box DOWN: :bye
sys.terminate box :bye: :ok
terminated msg: {:terminated, :bye}
exit msg: {:EXIT, #PID<box>, :bye}
sys.terminate dead: {:exit, {:noproc, {:sys, :terminate, [:box, :bye]}}}
unsupervised server's parent: #PID<anon>
misc data: [{:data, [{[83, 116, 97, 116, 117, 115], :running}, {[80, 97, 114, 101, 110, 116], #PID<anon>}, {[76, 111, 103, 103, 101, 100, 32, 101, 118, 101, 110, 116, 115], []}]}, {:data, [{[83, 116, 97, 116, 101], %{:n => 2, :owner => #PID<main>}}]}]
anon DOWN: :normal
sys.terminate suspended :normal: :ok
terminated msg: {:terminated, :normal}
get_state timeout: {:exit, {:timeout, {:sys, :get_state, [#PID<deaf>, 100]}}}
suspend timeout: {:exit, {:timeout, {:sys, :suspend, [#PID<deaf>, 100]}}}
get_status timeout: {:exit, {:timeout, {:sys, :get_status, [#PID<deaf>, 100]}}}
terminate timeout: {:exit, {:timeout, {:sys, :terminate, [#PID<deaf>, :x, 100]}}}
deaf mailbox len: {:message_queue_len, 4}
mailbox: []
end
)";

/// Box: its state is the map %{owner: pid, n: n}; terminate tells the owner.
struct box {
  using state = term;
  state init(term s) { return s; }
  term handle_call(const term&, const gen_server::from&, state& s) { return s; }
  void terminate(const term& reason, state& s) {
    send(s.find(term(a("owner")))->as_pid(), tuple(a("terminated"), reason));
  }
};

/// get_status with the process dictionary reduced to $ancestors.
term reduced(const term& status) {
  const term& info = status[3];
  std::vector<term> pdict;
  for (const term& kv : info[0].elements()) {
    if (kv[0].is(atoms::ancestors)) {
      pdict.push_back(kv);
    }
  }
  std::vector<term> rest(info.elements().begin(), info.elements().end());
  rest[0] = term::list(std::move(pdict));
  return tuple(status[0], status[1], status[2], term::list(std::move(rest)));
}

/// Receives the DOWN of `mon` and returns its reason.
co<void> scenario(testing::trace& t) {
  testing::log_capture capture(t);
  trap_exit(true);
  const pid main = self();
  auto box_state = [main](std::int64_t n) {
    return term::map({{term(a("owner")), term(main)}, {term(a("n")), term(n)}});
  };
  gen_server::start_options named;
  named.name = server_ref(a("box"));
  start_result started = co_await gen_server::start_link<box>(named, box_state(1));
  const pid b = t.name(*started, "box");
  t.log("get_status", reduced(co_await sys::get_status(a("box"))));
  t.log("resume (not suspended)", co_await sys::resume(b));
  t.log("suspend", co_await sys::suspend(b));
  t.log("suspend again", co_await sys::suspend(b));
  t.log("sys state while suspended", (co_await sys::get_status(b))[3][1]);
  t.log("resume", co_await sys::resume(b));
  ref mon = monitor(b);
  t.name(mon, "mon_box");
  term res = co_await sys::terminate(a("box"), a("bye"));
  t.log("box DOWN", co_await down_reason(mon));
  t.log("sys.terminate box :bye", res);
  t.log("terminated msg", co_await testing::recv());
  t.log("exit msg", co_await testing::recv());
  t.log("sys.terminate dead", co_await testing::catching([]() -> co<term> {
          co_return co_await sys::terminate(a("box"), a("bye"));
        }));

  started = co_await gen_server::start<box>(box_state(2));
  const pid anon = t.name(*started, "anon");
  term status = co_await sys::get_status(anon);
  t.log("unsupervised server's parent", status[3][2]);
  const term& misc = status[3][4];
  t.log("misc data", term::list({misc[1], misc[2]}));
  mon = monitor(anon);
  t.name(mon, "mon_anon");
  (void)co_await sys::suspend(anon);
  res = co_await sys::terminate(anon, atoms::normal, 1000);
  t.log("anon DOWN", co_await down_reason(mon));
  t.log("sys.terminate suspended :normal", res);
  t.log("terminated msg", co_await testing::recv());

  const pid deaf = spawn([]() -> co<void> {
    co_await receive(on<term>([](const term& m) { return m.is(a("never")); }, [](term) {}));
  });
  t.name(deaf, "deaf");
  t.log("get_state timeout", co_await testing::catching([deaf]() -> co<term> {
          co_return co_await sys::get_state(deaf, 100);
        }));
  t.log("suspend timeout", co_await testing::catching([deaf]() -> co<term> {
          co_return co_await sys::suspend(deaf, 100);
        }));
  t.log("get_status timeout", co_await testing::catching([deaf]() -> co<term> {
          co_return co_await sys::get_status(deaf, 100);
        }));
  t.log("terminate timeout", co_await testing::catching([deaf]() -> co<term> {
          co_return co_await sys::terminate(deaf, a("x"), 100);
        }));
  std::optional<process_info_t> info = co_await process_info(deaf);
  t.log("deaf mailbox len",
        tuple(a("message_queue_len"), static_cast<std::int64_t>(info->message_queue_len)));
  t.log("mailbox", co_await testing::flush());
  t.log("end");
}

TEST(ConformanceTest, SysStatusAndTerminate) {
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
