// spawn_1m, CAF 0.17 twin.
//
// The driver spawns N event-based actors, each of which waits for one `go`
// message. (Spawning from inside an event-based actor is pathological under
// CAF 0.17's work-stealing policy: the idle worker steals the newly spawned
// actors one at a time from the tail of the busy worker's deque, and each
// steal walks the whole deque, so the phase becomes quadratic. Spawning from
// the driver distributes the new actors round-robin over the workers.)
// The spawn phase ends when all N have run their initialisation and are idle
// waiting in their behaviour (the last one to start tells the driver). RSS is measured then. Then
// every actor is sent `go`; each decrements a shared counter and quits, the last one tells the
// driver.
//
// Usage: spawn_1m [--policy=stealing|sharing] [N=1000000]
#include "common.hpp"

#include <atomic>

using go_atom = caf::atom_constant<caf::atom("go")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

namespace {

std::int64_t g_n = 0;
std::atomic<std::int64_t> g_started{0};
std::atomic<std::int64_t> g_remaining{0};
caf::actor g_driver;  // reset before the actor system goes away

caf::behavior waiter(caf::event_based_actor* self) {
  if (g_started.fetch_add(1, std::memory_order_relaxed) + 1 == g_n)
    caf::anon_send(g_driver, started_atom::value);
  return {
      [self](go_atom) {
        if (g_remaining.fetch_sub(1, std::memory_order_acq_rel) == 1)
          caf::anon_send(g_driver, done_atom::value);
        self->quit();
      },
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  g_n = a.size(0, 1000000);
  g_remaining = g_n;

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  caf::actor_system sys{cfg};
  {
    caf::scoped_actor self{sys};
    g_driver = caf::actor_cast<caf::actor>(self);

    std::vector<caf::actor> children;
    // No reallocation during the spawn phase; the 8 bytes per handle are part
    // of the RSS delta, like the pid list in the Elixir twin.
    children.reserve(static_cast<std::size_t>(g_n));

    auto rss0 = bench::rss_bytes();
    auto t0 = bench::clock::now();
    for (std::int64_t i = 0; i < g_n; ++i)
      children.emplace_back(sys.spawn(waiter));
    self->receive([](started_atom) {});
    double secs = bench::seconds_since(t0);
    auto rss1 = bench::rss_bytes();
    if (g_started.load() != g_n)
      bench::fail("only " + std::to_string(g_started.load()) + " of " + std::to_string(g_n)
                  + " actors started");

    for (auto& child : children)
      self->send(child, go_atom::value);
    children.clear();
    self->receive([](done_atom) {});
    if (g_remaining.load() != 0)
      bench::fail("not all actors finished: " + std::to_string(g_remaining.load()) + " left");

    bench::metric("spawn_1m", static_cast<double>(g_n) / secs);
    bench::metric("spawn_1m_bytes", static_cast<double>(rss1 - rss0) / static_cast<double>(g_n));
    g_driver = nullptr;
  }
  return 0;
}
