// spawn_1m: N processes each waiting for one message, then all released.
// Metrics: spawns per second over the spawn phase (until every process has started and waits
// in receive), and bytes of RSS per idle process.
// Usage: otter_spawn_1m [N=1000000]

#include "common.hpp"

#include <atomic>

namespace {
std::int64_t g_n = 0;
std::atomic<std::int64_t> g_started{0};
std::atomic<std::int64_t> g_remaining{0};

otter::co<void> waiter(otter::pid driver) {
  if (g_started.fetch_add(1, std::memory_order_relaxed) + 1 == g_n) {
    otter::send(driver, otter::atom("started"));
  }
  (void)co_await otter::receive<int>();
  if (g_remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    otter::send(driver, otter::atom("done"));
  }
}
}  // namespace

int main(int argc, char** argv) {
  g_n = bench::arg(argc, argv, 1, 1000000);
  g_remaining = g_n;
  otter::runtime rt(bench::options());
  std::vector<otter::pid> pids;
  pids.reserve(static_cast<std::size_t>(g_n));  // part of the baseline, as in the twins
  double secs = 0;
  std::int64_t rss0 = 0;
  std::int64_t rss1 = 0;
  rt.run([&]() -> otter::co<void> {
    otter::pid me = otter::self();
    rss0 = bench::rss_bytes();
    auto t0 = bench::clock::now();
    for (std::int64_t i = 0; i < g_n; ++i) {
      pids.push_back(otter::spawn(waiter, me));
    }
    (void)co_await otter::receive<otter::atom>();  // started
    secs = bench::seconds_since(t0);
    rss1 = bench::rss_bytes();
    if (g_started.load() != g_n) {
      bench::fail("not all processes started");
    }
    for (otter::pid p : pids) {
      otter::send(p, 1);
    }
    (void)co_await otter::receive<otter::atom>();  // done
  });
  rt.shutdown();
  if (g_remaining.load() != 0 || rt.process_count() != 0) {
    bench::fail("not all processes finished");
  }
  bench::metric("spawn_1m", static_cast<double>(g_n) / secs);
  bench::metric("spawn_1m_bytes", static_cast<double>(rss1 - rss0) / static_cast<double>(g_n));
  return 0;
}
