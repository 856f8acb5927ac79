// Example 07: testing timer-driven processes in virtual time.
//
// otter::testing::deterministic_runtime is a runtime with no threads of its own and a manual
// clock. The caller drives it: run_until_idle() runs every runnable process, advance(d) moves
// the clock and fires each timer on the way (running the processes it wakes at each deadline),
// and run(f) jumps the clock to the next timer whenever nothing can run. A process that waits
// five minutes is therefore tested in microseconds, and the order of events is the same on
// every run. (Pass a seed to shuffle the order of runnable processes, reproducibly.)
//
// The process under test reports every 5 minutes, like the notifier's task workers. Link
// otter::testing to use this runtime (examples/CMakeLists.txt: DEPS otter::testing).
//
// Expected output:
//   [+0:00] reporter started; next report in 5 minutes
//   after advance(4min 59s): 0 reports
//   [+5:00] report #1
//   after advance(1s): 1 report
//   [+10:00] report #2
//   ...
//   [+65:00] report #13
//   after advance(1h): 13 reports
//   [+70:00] report #14
//   a 7-minute receive timeout expired at +72:00, at once in real time
//   72 minutes of virtual time in well under a second of real time: true

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>

using namespace std::chrono_literals;

struct tick {};
struct how_many {
  otter::pid from;
};

// Virtual time since `start`, as minutes:seconds.
void stamp(std::int64_t start) {
  std::int64_t s = (otter::now_ms() - start) / 1000;
  std::printf("[+%lld:%02lld] ", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
}

// [docs:deterministic-reporter]
// The code under test: a process that reports every five minutes and answers how_many.
otter::co<void> reporter(std::int64_t start) {
  int reports = 0;
  (void)otter::send_after(otter::self(), tick{}, 5min);
  stamp(start);
  std::printf("reporter started; next report in 5 minutes\n");
  for (;;) {
    co_await otter::receive(
        otter::on<tick>([&](tick&) {
          stamp(start);
          std::printf("report #%d\n", ++reports);
          (void)otter::send_after(otter::self(), tick{}, 5min);  // re-arm
        }),
        otter::on<how_many>([&](how_many& q) { otter::send(q.from, reports); }));
  }
}
// [docs:deterministic-reporter-end]

int main() {
  const auto wall_start = std::chrono::steady_clock::now();
  int failures = 0;

  // [docs:deterministic-advance]
  otter::testing::deterministic_runtime rt;  // FIFO order; deterministic_runtime(seed) shuffles
  const std::int64_t start = rt.now_ms();
  otter::pid r = rt.spawn(reporter, start);
  rt.run_until_idle();  // nothing runs until the test drives the runtime

  // Asks the reporter for its count (run() drives the runtime until the asker returns).
  auto reports = [&] {
    return rt.run([r]() -> otter::co<int> {
      otter::send(r, how_many{otter::self()});
      co_return co_await otter::receive<int>();
    });
  };
  auto expect = [&](const char* step, int want) {
    int got = reports();
    std::printf("after %s: %d report%s\n", step, got, got == 1 ? "" : "s");
    failures += got == want ? 0 : 1;
  };

  rt.advance(4min + 59s);
  expect("advance(4min 59s)", 0);
  rt.advance(1s);
  expect("advance(1s)", 1);
  rt.advance(1h);  // twelve more, each timer re-armed inside the window fires too
  expect("advance(1h)", 13);
  // [docs:deterministic-advance-end]

  // [docs:deterministic-timeout]
  // Receive timeouts use the same clock: run() jumps to each timer deadline when nothing can
  // run, so this 7-minute wait ends at once (the reporter's +70:00 report fires on the way).
  // run()'s own timeout (default 60 s) is virtual time too, so give it room.
  std::int64_t waited = rt.run(
      []() -> otter::co<std::int64_t> {
        const std::int64_t t0 = otter::now_ms();
        co_await otter::sleep(7min);
        co_return otter::now_ms() - t0;
      },
      10min);
  std::printf("a 7-minute receive timeout expired at +%lld:00, at once in real time\n",
              static_cast<long long>((rt.now_ms() - start) / 60000));
  failures += waited == 7 * 60 * 1000 ? 0 : 1;
  // [docs:deterministic-timeout-end]

  const auto wall = std::chrono::steady_clock::now() - wall_start;
  std::printf("%lld minutes of virtual time in well under a second of real time: %s\n",
              static_cast<long long>((rt.now_ms() - start) / 60000), wall < 1s ? "true" : "false");
  return failures == 0 ? 0 : 1;
}
