// GenServer init results: {:ok, s, timeout} delivers :timeout; {:ok, s, {:continue, x}} runs
// the continue; :ignore makes start_link return :ignore and the process exit :normal;
// {:stop, r} gives {:error, r} and the process exits r; a raise or an exit in init gives
// {:error, reason}; a start that takes longer than its timeout gives {:error, :timeout} and
// the process is killed unlinked (no EXIT reaches the trapping caller); a taken name gives
// {:error, {:already_started, owner}}. Trace recorded from Elixir 1.14 / OTP 25 with the
// suite's trace helper:
//
//   defmodule I do
//     use GenServer
//     def init(:ok_timeout), do: {:ok, :s, 50}
//     def init(:continue), do: {:ok, :s, {:continue, :go}}
//     def init(:ignore), do: :ignore
//     def init(:stop), do: {:stop, :bad_init}
//     def init(:stop_normal), do: {:stop, :normal}
//     def init(:stop_shutdown), do: {:stop, {:shutdown, :no}}
//     def init(:raise), do: raise("init boom")
//     def init(:exit), do: exit(:exited)
//     def init(:slow), do: (Process.sleep(500); {:ok, :s})
//     def handle_continue(:go, s), do: (T.log("continue", s); {:noreply, s})
//     def handle_info(:timeout, s), do: (T.log("timeout info", s); {:noreply, s})
//     def handle_call(:get, _f, s), do: {:reply, s, s}
//   end
//   Process.flag(:trap_exit, true)
//   {:ok, p} = GenServer.start_link(I, :ok_timeout)
//   T.name(p, "ok_timeout")
//   Process.sleep(100)
//   T.log("ok_timeout call", GenServer.call(p, :get))
//   {:ok, p} = GenServer.start_link(I, :continue)
//   T.name(p, "continue")
//   T.log("continue call", GenServer.call(p, :get))
//   for arg <- [:ignore, :stop, :stop_normal, :stop_shutdown, :raise, :exit] do
//     T.log("start_link #{arg}", GenServer.start_link(I, arg))
//     T.log("#{arg} exit", T.recv())
//   end
//   T.log("start stop (no link)", GenServer.start(I, :stop))
//   T.log("start_link slow, timeout 100", GenServer.start_link(I, :slow, timeout: 100))
//   T.log("start slow, timeout 100", GenServer.start(I, :slow, timeout: 100))
//   {:ok, n} = GenServer.start(I, :continue, name: :taken)
//   T.name(n, "taken")
//   T.log("start name taken", GenServer.start(I, :ok_timeout, name: :taken))
//   T.log("start_link name taken", GenServer.start_link(I, :ok_timeout, name: :taken))
//   T.log("mailbox", T.flush())
//   T.log("end")

#include "otter/otp/gen_server.hpp"

#include "conformance/supervisor_scenario.hpp"

#include <stdexcept>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(timeout info: :s
ok_timeout call: :s
continue: :s
continue call: :s
start_link ignore: :ignore
ignore exit: {:EXIT, #PID<pid1>, :normal}
start_link stop: {:error, :bad_init}
stop exit: {:EXIT, #PID<pid2>, :bad_init}
start_link stop_normal: {:error, :normal}
stop_normal exit: {:EXIT, #PID<pid3>, :normal}
start_link stop_shutdown: {:error, {:shutdown, :no}}
stop_shutdown exit: {:EXIT, #PID<pid4>, {:shutdown, :no}}
start_link raise: {:error, {%RuntimeError{message: "init boom"}, #Stacktrace}}
raise exit: {:EXIT, #PID<pid5>, {%RuntimeError{message: "init boom"}, #Stacktrace}}
start_link exit: {:error, :exited}
exit exit: {:EXIT, #PID<pid6>, :exited}
start stop (no link): {:error, :bad_init}
start_link slow, timeout 100: {:error, :timeout}
start slow, timeout 100: {:error, :timeout}
continue: :s
start name taken: {:error, {:already_started, #PID<taken>}}
start_link name taken: {:error, {:already_started, #PID<taken>}}
mailbox: []
end
)";

struct initializer {
  using state = term;
  testing::trace* t = nullptr;

  co<gen_server::init_result<state>> init(testing::trace* tr, atom mode) {
    t = tr;
    using r = gen_server::init_result<state>;
    const term s(a("s"));
    if (mode == a("ok_timeout")) {
      co_return r::ok(s).timeout(50);
    }
    if (mode == a("continue")) {
      co_return r::ok(s).then(a("go"));
    }
    if (mode == a("ignore")) {
      co_return r::ignore();
    }
    if (mode == a("stop")) {
      co_return r::stop(a("bad_init"));
    }
    if (mode == a("stop_normal")) {
      co_return r::stop(atoms::normal);
    }
    if (mode == a("stop_shutdown")) {
      co_return r::stop(tuple(atoms::shutdown, a("no")));
    }
    if (mode == a("raise")) {
      throw std::runtime_error("init boom");
    }
    if (mode == a("exit")) {
      otter::exit(a("exited"));
    }
    co_await sleep(500);  // :slow
    co_return r::ok(s);
  }
  void handle_continue(const term&, state& s) { t->log("continue", s); }
  void handle_info(const term& msg, state& s) {
    if (msg.is(atoms::timeout)) {
      t->log("timeout info", s);
    }
  }
  term handle_call(const term&, const gen_server::from&, state& s) { return s; }
};

co<void> scenario(testing::trace& t) {
  using gen_server::start_options;
  trap_exit(true);
  start_result p = co_await gen_server::start_link<initializer>(&t, a("ok_timeout"));
  t.name(*p, "ok_timeout");
  co_await sleep(100);
  t.log("ok_timeout call", co_await gen_server::call(*p, a("get")));
  p = co_await gen_server::start_link<initializer>(&t, a("continue"));
  t.name(*p, "continue");
  t.log("continue call", co_await gen_server::call(*p, a("get")));
  for (const char* mode : {"ignore", "stop", "stop_normal", "stop_shutdown", "raise", "exit"}) {
    start_result r = co_await gen_server::start_link<initializer>(&t, a(mode));
    t.log(std::string("start_link ") + mode, to_term(r));
    t.log(std::string(mode) + " exit", co_await testing::recv());
  }
  t.log("start stop (no link)", to_term(co_await gen_server::start<initializer>(&t, a("stop"))));
  t.log("start_link slow, timeout 100",
        to_term(co_await gen_server::start_link<initializer>(
            start_options{.name = {}, .timeout = 100}, &t, a("slow"))));
  t.log("start slow, timeout 100", to_term(co_await gen_server::start<initializer>(
                                       start_options{.name = {}, .timeout = 100}, &t, a("slow"))));
  start_options named{.name = server_ref(a("taken"))};
  start_result n = co_await gen_server::start<initializer>(named, &t, a("continue"));
  t.name(*n, "taken");
  t.log("start name taken",
        to_term(co_await gen_server::start<initializer>(named, &t, a("ok_timeout"))));
  t.log("start_link name taken",
        to_term(co_await gen_server::start_link<initializer>(named, &t, a("ok_timeout"))));
  t.log("mailbox", co_await testing::flush());
  t.log("end");
}

TEST(ConformanceTest, GenServerInitResults) {
  quiet_logs quiet;
  expect_trace(expected, scenario);
}

}  // namespace
}  // namespace otter::conformance
