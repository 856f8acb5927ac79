// Scenario 19_timers_start_timer_periodic: start_timer delivers {:timeout, ref, msg}; send_after
// with an absolute deadline; a process re-arming send_after to itself stops ticking once its
// pending timer is cancelled (a tick already in flight is ignored).
//
// The Elixir ticker is a GenServer; here it is a plain process with the same protocol: `:tick`
// messages, and a call-like request {:stop_ticking, from, tag} answered with {tag, :stopped}.

#include "conformance/scenario.hpp"

#include <optional>

namespace otter::conformance {
namespace {

constexpr const char* expected = R"(start_timer message: {:timeout, #Ref<start_timer_ref>, :payload}
cancel fired start_timer: false
abs send_after: :absolute
tick: {:tick, 1}
tick: {:tick, 2}
tick: {:tick, 3}
stop ticking: :stopped
no more ticks: :no_message
end
)";

/// Erlang's cancel_timer result: the milliseconds left, or false.
term cancel_result(std::optional<std::int64_t> left) {
  return left ? term(*left) : term(false);
}

/// The ticker: init arms send_after(self, :tick, 30); on :tick while ticking it sends
/// {:tick, n + 1} to main and re-arms; :stop_ticking cancels the pending timer and forgets it;
/// ticks arriving while it has no timer are ignored.
co<void> ticker(pid main) {
  const atom tick = a("tick");
  const atom stop_ticking = a("stop_ticking");
  std::int64_t n = 0;
  std::optional<ref> timer = send_after(self(), term(tick), 30);
  for (;;) {
    term m = co_await receive(on<term>([](term x) { return x; }));
    if (m.is(tick)) {
      if (!timer) {
        continue;  // a tick already in flight when ticking was stopped
      }
      ++n;
      send(main, tuple(tick, n));
      timer = send_after(self(), term(tick), 30);
    } else if (m.is_tagged(stop_ticking, 3)) {
      // Returns the ms left, or false if the tick already fired (race with the timer).
      (void)cancel_timer(*timer);
      timer.reset();
      send(m[1].as_pid(), tuple(m[2], a("stopped")));
    }
  }
}

/// A call to the ticker: {:stop_ticking, self(), tag} answered with {tag, reply}; exits like
/// GenServer.call if the ticker dies first.
co<term> call_stop_ticking(pid server) {
  ref mon = monitor(server);
  send(server, tuple(a("stop_ticking"), self(), mon));
  term reply = co_await receive(
      on<term>([mon](const term& m) { return m.is_tuple() && m.size() == 2 && m[0] == term(mon); },
               [](term m) { return m[1]; }),
      on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                   [](down_msg& d) -> term { otter::exit(d.reason); }));
  demonitor(mon, {.flush = true});
  co_return reply;
}

co<void> scenario_19(testing::trace& t) {
  ref tref = t.name(start_timer(30, self(), term(a("payload"))), "start_timer_ref");
  t.log("start_timer message", co_await testing::recv());
  t.log("cancel fired start_timer", cancel_result(cancel_timer(tref)));

  std::int64_t at = now_ms() + 50;
  t.name(send_at(self(), term(a("absolute")), at), "abs_timer");
  t.log("abs send_after", co_await testing::recv());

  pid tk = spawn_link(ticker, self());
  t.name(tk, "ticker");
  t.log("tick", co_await testing::recv());
  t.log("tick", co_await testing::recv());
  t.log("tick", co_await testing::recv());
  t.log("stop ticking", co_await call_stop_ticking(tk));
  // (a tick sent before the stop request was handled may still be in our mailbox: drop it)
  co_await sleep(50);
  (void)co_await testing::flush();
  t.log("no more ticks", co_await testing::recv(200));
  t.log("end");
}

TEST(ConformanceTest, TimersStartTimerPeriodic19) {
  expect_trace(expected, scenario_19);
}

}  // namespace
}  // namespace otter::conformance
