// Example 04: timers: send_after, start_timer, read_timer/cancel_timer, a periodic tick.
//
// A timer delivers a message later. send_after(dest, msg, delay) sends msg itself;
// start_timer(delay, dest, msg) sends timer_msg<T>{ref, msg} (Erlang's {:timeout, ref, msg}),
// so the receiver knows which timer it was. Both return a ref for read_timer/cancel_timer.
// Timers never fire early; resolution is 1 ms.
//
// The one subtle rule: cancel_timer returns the time that was left, or nullopt when the timer
// had already fired. In that case the message is (or will shortly be) in the mailbox: cancelling
// does not take it back.
//
// Expected output:
//   1. send_after: :hello arrived, not before 50 ms
//   2. start_timer: {:timeout, ref, :payload}, ref is the timer's: true
//   3. read_timer: about 1000 ms left; cancel_timer: about 1000 ms left; again: false
//   4. cancel after it fired: false; :late is in the mailbox anyway: :late
//   5. tick 1 (due at +100 ms)
//      ...
//      tick 5 (due at +500 ms)
//      ticker stopped: :normal

#include "otter/otter.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

using namespace std::chrono_literals;

// Erlang's cancel_timer/read_timer answer: milliseconds left, or false. Rounded to 100 ms for
// printing (the exact value depends on how fast this machine runs the example).
std::string left_str(std::optional<std::int64_t> left) {
  return left ? "about " + std::to_string((*left + 50) / 100 * 100) + " ms left" : "false";
}

struct tick {
  int n;
};
struct stop {};

// [docs:timers-periodic]
// A periodic tick that re-arms itself. Each deadline is absolute (start + n * period), so a
// late tick does not push the following ones back: the ticks do not drift.
otter::co<void> ticker(otter::pid listener, std::int64_t period_ms) {
  const std::int64_t start = otter::now_ms();
  int n = 1;
  otter::ref timer = otter::send_at(otter::self(), tick{n}, start + n * period_ms);
  for (;;) {
    bool ticked = co_await otter::receive(otter::on<tick>([](tick&) { return true; }),
                                          otter::on<stop>([](stop&) { return false; }));
    if (!ticked) {
      // The pending tick is cancelled; had it fired already, it would sit in our mailbox and
      // simply die with us.
      (void)otter::cancel_timer(timer);
      co_return;
    }
    otter::send(listener, tick{n});
    ++n;
    timer = otter::send_at(otter::self(), tick{n}, start + n * period_ms);
  }
}
// [docs:timers-periodic-end]

otter::co<void> demo() {
  const otter::pid me = otter::self();

  // 1. send_after: the message itself arrives after the delay.
  std::int64_t t0 = otter::now_ms();
  (void)otter::send_after(me, otter::term(otter::atom("hello")), 50ms);
  otter::term hello = co_await otter::receive<otter::term>();
  std::printf("1. send_after: %s arrived, %s\n", hello.to_string().c_str(),
              otter::now_ms() - t0 >= 50 ? "not before 50 ms" : "EARLY (a bug)");

  // 2. start_timer: the message is wrapped with the timer's ref.
  otter::ref t = otter::start_timer(20ms, me, otter::term(otter::atom("payload")));
  auto fired = co_await otter::receive<otter::timer_msg<otter::term>>();
  std::printf("2. start_timer: {:timeout, ref, %s}, ref is the timer's: %s\n",
              fired.msg.to_string().c_str(), fired.timer == t ? "true" : "false");

  // [docs:timers-cancel]
  // 3. read_timer and cancel_timer on a timer that has not fired.
  otter::ref never = otter::send_after(me, otter::term(otter::atom("never")), 1s);
  std::string read = left_str(otter::read_timer(never));
  std::string cancelled = left_str(otter::cancel_timer(never));
  std::string again = left_str(otter::cancel_timer(never));
  std::printf("3. read_timer: %s; cancel_timer: %s; again: %s\n", read.c_str(), cancelled.c_str(),
              again.c_str());

  // 4. Cancel after it fired: cancel_timer says false, and the message is already ours.
  otter::ref late = otter::send_after(me, otter::term(otter::atom("late")), 10ms);
  co_await otter::sleep(30ms);  // a receive that takes nothing: :late waits in the mailbox
  std::string result = left_str(otter::cancel_timer(late));
  std::optional<otter::term> stale = co_await otter::receive_for<otter::term>(0);
  std::printf("4. cancel after it fired: %s; :late is in the mailbox anyway: %s\n", result.c_str(),
              stale ? stale->to_string().c_str() : "(nothing)");
  // [docs:timers-cancel-end]

  // 5. A periodic ticker, stopped after five ticks.
  auto [tk, watch] = otter::spawn_monitor(ticker, me, std::int64_t{100});
  for (int i = 1; i <= 5; ++i) {
    tick got = co_await otter::receive<tick>();
    std::printf("%s tick %d (due at +%d00 ms)\n", i == 1 ? "5." : "  ", got.n, got.n);
  }
  otter::send(tk, stop{});
  otter::down_msg down = co_await otter::receive<otter::down_msg>();
  std::printf("   ticker stopped: %s%s\n", down.reason.to_string().c_str(),
              down.monitor == watch ? "" : " (from an unexpected monitor)");
}

int main() {
  otter::runtime rt;
  rt.run(demo);
  return 0;
}
