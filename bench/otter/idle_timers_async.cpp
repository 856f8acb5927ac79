// idle_timers_async: N idle processes (default 1,000,000), each of which arms a 5-minute
// timer when it starts (otter::send_after of `tick` to itself) and then waits in receive, the
// shape of a notification worker, started without waiting for them: one "supervisor"
// process spawns and monitors them, 1,000 per message, and keeps their pids. This is the
// CAF twin's shape (CAF starts an actor without waiting for it); `idle_timers` is the same
// workers as GenServers under a DynamicSupervisor, each start_child waiting for the child's
// init. The start phase runs from asking the supervisor to start N workers until the last
// worker has armed its timer (the last one to start tells the driver through a shared
// counter, as in spawn_1m).
// Metrics: idle_timers_async = N / start phase (workers per second), idle_timers_async_bytes
// = (RSS with all N idle - RSS before) / N, so the pids, monitors and timers are included.
// Verified: N workers started, the supervisor holds N live children, the runtime counts N + 2
// processes (the workers, the supervisor, the driver), and stopping them yields N DOWNs.
// Usage: otter_idle_timers_async [N=1000000]

#include "common.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace {

using namespace otter::literals;

constexpr auto tick_after = std::chrono::minutes(5);
constexpr std::int64_t batch = 1000;

std::int64_t g_n = 0;
std::atomic<std::int64_t> g_started{0};

struct start_batch {
  std::int64_t left;
};
struct count_children {
  otter::pid from;
};
struct stop_children {
  otter::pid from;
};

otter::co<void> worker(otter::pid driver) {
  (void)otter::send_after(otter::self(), "tick"_atom, tick_after);
  if (g_started.fetch_add(1, std::memory_order_relaxed) + 1 == g_n) {
    otter::send(driver, "started"_atom);
  }
  for (;;) {
    // The tick never comes within the benchmark; a real worker would notify here.
    (void)co_await otter::receive<otter::atom>();
    (void)otter::send_after(otter::self(), "tick"_atom, tick_after);
  }
}

otter::co<void> supervisor(otter::pid driver, std::int64_t n) {
  std::vector<otter::pid> children;
  children.reserve(static_cast<std::size_t>(n));
  std::int64_t down = 0;
  std::optional<otter::pid> stopping;  // who asked for the stop, once asked
  const otter::pid me = otter::self();
  while (!stopping || down < static_cast<std::int64_t>(children.size())) {
    co_await otter::receive(otter::on<start_batch>([&](start_batch& b) {
                              const std::int64_t k = std::min(b.left, batch);
                              for (std::int64_t i = 0; i < k; ++i) {
                                children.push_back(otter::spawn_monitor(worker, driver).first);
                              }
                              if (b.left > k) {
                                otter::send(me, start_batch{b.left - k});
                              }
                            }),
                            otter::on<count_children>([&](count_children& c) {
                              otter::send(c.from,
                                          static_cast<std::int64_t>(children.size()) - down);
                            }),
                            otter::on<otter::down_msg>([&](otter::down_msg&) { ++down; }),
                            otter::on<stop_children>([&](stop_children& s) {
                              stopping = s.from;
                              for (otter::pid c : children) {
                                otter::exit(c, "shutdown"_atom);
                              }
                            }));
  }
  otter::send(*stopping, "stopped"_atom);
}

}  // namespace

int main(int argc, char** argv) {
  g_n = bench::arg(argc, argv, 1, 1000000);
  otter::runtime rt(bench::options());
  double secs = 0;
  std::int64_t rss0 = 0;
  std::int64_t rss1 = 0;
  rt.run(
      [&]() -> otter::co<void> {
        const otter::pid me = otter::self();
        const otter::pid sup = otter::spawn(supervisor, me, g_n);
        rss0 = bench::rss_bytes();
        auto t0 = bench::clock::now();
        otter::send(sup, start_batch{g_n});
        (void)co_await otter::receive<otter::atom>();  // started
        secs = bench::seconds_since(t0);
        rss1 = bench::rss_bytes();

        if (g_started.load() != g_n) {
          bench::fail(std::to_string(g_started.load()) + " of " + std::to_string(g_n)
                      + " workers started");
        }
        otter::send(sup, count_children{me});
        const std::int64_t live = co_await otter::receive<std::int64_t>();
        if (live != g_n) {
          bench::fail("supervisor has " + std::to_string(live) + " live children, expected "
                      + std::to_string(g_n));
        }
        if (rt.process_count() != static_cast<std::size_t>(g_n) + 2) {
          bench::fail(std::to_string(rt.process_count()) + " processes, expected N + 2");
        }
        otter::send(sup, stop_children{me});
        (void)co_await otter::receive<otter::atom>();  // stopped: N DOWNs seen
      },
      std::chrono::minutes(10));
  bench::metric("idle_timers_async", static_cast<double>(g_n) / secs);
  bench::metric("idle_timers_async_bytes",
                static_cast<double>(rss1 - rss0) / static_cast<double>(g_n));
  return 0;
}
