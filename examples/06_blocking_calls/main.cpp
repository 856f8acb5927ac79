// Example 06: blocking calls: otter::blocking runs slow code on the pool, not on a scheduler.
//
// Processes share a few scheduler threads. A process that calls a blocking function (a file
// read, a database driver, sleep_for) holds its scheduler thread for the whole call, and every
// other process waiting for that thread stalls. co_await otter::blocking(f) runs f on the
// runtime's blocking pool instead: the process is suspended, its scheduler runs the others,
// and the process resumes with f's result (or f's exception) when the call returns.
//
// To make the difference visible this runtime has ONE scheduler thread, and a heartbeat
// process beats every 50 ms. We call a 300 ms function twice: directly (the heartbeat stops),
// then through otter::blocking (the heartbeat keeps beating).
//
// Expected output:
//   direct call: slow_lookup(7) = 42; the heartbeat beat while it ran: no
//   otter::blocking: slow_lookup(7) = 42; the heartbeat beat while it ran: yes
//   otter::blocking rethrew in the process: lookup failed: no key 13

#include "otter/otter.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

// A stand-in for a library call that blocks its thread (a query, a file read).
int slow_lookup(int key) {
  std::this_thread::sleep_for(300ms);
  if (key == 13) {
    throw std::runtime_error("lookup failed: no key 13");
  }
  return key * 6;
}

struct beat {};
// "How many beats ran strictly between from_ms and to_ms?" (answered with an int)
struct count_beats {
  otter::pid from;
  std::int64_t from_ms;
  std::int64_t to_ms;
};

// Beats every 50 ms and remembers when each beat actually ran.
otter::co<void> heartbeat() {
  std::vector<std::int64_t> beats;
  (void)otter::send_after(otter::self(), beat{}, 50ms);
  auto on_beat = [&](beat&) {
    beats.push_back(otter::now_ms());
    (void)otter::send_after(otter::self(), beat{}, 50ms);
  };
  auto on_count = [&](count_beats& q) {
    int n = 0;
    for (std::int64_t t : beats) {
      n += (t > q.from_ms && t < q.to_ms) ? 1 : 0;  // strictly inside the window
    }
    otter::send(q.from, n);
  };
  for (;;) {
    co_await otter::receive(otter::on<beat>(on_beat), otter::on<count_beats>(on_count));
  }
}

otter::co<int> beats_between(otter::pid hb, std::int64_t from_ms, std::int64_t to_ms) {
  otter::send(hb, count_beats{otter::self(), from_ms, to_ms});
  co_return co_await otter::receive<int>();
}

otter::co<int> demo() {
  otter::pid hb = otter::spawn(heartbeat);
  co_await otter::sleep(120ms);  // let it beat a couple of times first

  // The wrong way: the call holds the only scheduler thread; the heartbeat cannot run.
  std::int64_t t0 = otter::now_ms();
  int direct = slow_lookup(7);
  std::int64_t t1 = otter::now_ms();
  int stalled = co_await beats_between(hb, t0, t1);
  std::printf("direct call: slow_lookup(7) = %d; the heartbeat beat while it ran: %s\n", direct,
              stalled > 0 ? "yes" : "no");

  // [docs:blocking-call]
  // The right way: the call runs on the blocking pool; this process waits, the others run.
  std::int64_t t2 = otter::now_ms();
  int pooled = co_await otter::blocking([] { return slow_lookup(7); });
  std::int64_t t3 = otter::now_ms();
  // [docs:blocking-call-end]
  int kept = co_await beats_between(hb, t2, t3);
  std::printf("otter::blocking: slow_lookup(7) = %d; the heartbeat beat while it ran: %s\n", pooled,
              kept >= 3 ? "yes" : "no");

  // [docs:blocking-exception]
  // An exception thrown on the pool is rethrown in the process, as if the call were local.
  try {
    (void)co_await otter::blocking([] { return slow_lookup(13); });
  } catch (const std::runtime_error& e) {
    std::printf("otter::blocking rethrew in the process: %s\n", e.what());
  }
  // [docs:blocking-exception-end]

  otter::exit(hb, otter::atoms::kill);  // the heartbeat would otherwise beat until shutdown
  co_return (stalled == 0 && kept >= 3) ? 0 : 1;
}

int main() {
  otter::runtime rt(otter::runtime_options{.schedulers = 1, .blocking_threads = 2});
  return rt.run(demo);
}
