// idle_timers_async, CAF 0.17 twin.
//
// N event-based actors (default 1,000,000), each of which arms a 5-minute timer
// when it starts (delayed_send of `tick` to itself) and then sits idle: the
// shape of a notification worker, started without waiting for them. One
// "supervisor" actor spawns the workers, monitors each and keeps their
// handles; bench/caf/idle_timers.cpp starts the same workers one at a time,
// each start answered once the worker has started, as a DynamicSupervisor's
// start_child. The start phase runs from asking the supervisor to
// start N workers until the last worker has armed its timer (the last one to
// start tells the driver through a shared counter, as in spawn_1m). Metrics:
// idle_timers_async = N / start phase duration (workers per second), and
// idle_timers_async_bytes = (RSS with all N idle - RSS before) / N, read from
// /proc/self/status (handles, monitors and the clock's timer entries included).
// Verification: N workers started, the supervisor holds N live children and
// the actor registry counts N + 1 more running actors than before.
//
// The supervisor starts the workers 1,000 per message and the scheduler is
// configured to preempt an actor after each message (scheduler.max-throughput
// = 1, which only the supervisor notices: the workers handle no message). In
// one long handler, every worker it spawns is pushed on its worker thread's
// deque, which grows to N while the other thread steals from its tail, each
// steal walking the whole deque under its locks: 100,000 workers then take
// over 30 s under work stealing. Yielding after each batch lets the thread run
// the fresh workers first, keeping the deque short (the BEAM preempts its
// supervisor by reductions the same way). Stopping is batched for the same
// reason.
//
// Usage: idle_timers_async [--policy=stealing|sharing] [N=1000000]
#include "common.hpp"

#include <atomic>

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

namespace {

constexpr auto tick_after = std::chrono::minutes(5);
constexpr std::int64_t batch = 1000;

std::int64_t g_n = 0;
std::atomic<std::int64_t> g_started{0};
caf::actor g_driver;  // reset before the actor system goes away

caf::behavior worker(caf::event_based_actor* self) {
  self->delayed_send(self, tick_after, tick_atom::value);
  if (g_started.fetch_add(1, std::memory_order_relaxed) + 1 == g_n)
    caf::anon_send(g_driver, started_atom::value);
  return {
      // Never reached within the benchmark; a real worker would notify here.
      [self](tick_atom) { self->delayed_send(self, tick_after, tick_atom::value); },
  };
}

struct sup_state {
  std::vector<caf::actor> children;
  std::int64_t down = 0;
};

caf::behavior supervisor(caf::stateful_actor<sup_state>* self, std::int64_t n) {
  self->state.children.reserve(static_cast<std::size_t>(n));
  self->set_down_handler([self](caf::down_msg&) { ++self->state.down; });
  return {
      [self](start_atom, std::int64_t left) {
        std::int64_t k = std::min(left, batch);
        for (std::int64_t i = 0; i < k; ++i) {
          auto child = self->spawn(worker);
          self->monitor(child);
          self->state.children.emplace_back(std::move(child));
        }
        if (left > k)
          self->send(self, start_atom::value, left - k);
      },
      [self](count_atom) {
        return static_cast<std::int64_t>(self->state.children.size()) - self->state.down;
      },
      [self](stop_atom, std::size_t from) {
        auto& cs = self->state.children;
        auto to = std::min(cs.size(), from + static_cast<std::size_t>(batch));
        for (auto i = from; i < to; ++i)
          self->send_exit(cs[i], caf::exit_reason::user_shutdown);
        if (to < cs.size())
          self->send(self, stop_atom::value, to);
        else
          self->quit();
      },
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  g_n = a.size(0, 1000000);

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  cfg.set("scheduler.max-throughput", 1);
  caf::actor_system sys{cfg};
  {
    caf::scoped_actor self{sys};
    g_driver = caf::actor_cast<caf::actor>(self);
    auto running0 = sys.registry().running();
    auto rss0 = bench::rss_bytes();
    auto sup = sys.spawn(supervisor, g_n);

    auto t0 = bench::clock::now();
    self->send(sup, start_atom::value, g_n);
    self->receive([](started_atom) {});
    double secs = bench::seconds_since(t0);
    auto rss1 = bench::rss_bytes();

    if (g_started.load() != g_n)
      bench::fail(std::to_string(g_started.load()) + " of " + std::to_string(g_n)
                  + " workers started");
    std::int64_t live = -1;
    self->request(sup, caf::infinite, count_atom::value)
        .receive([&](std::int64_t k) { live = k; },
                 [](caf::error&) { bench::fail("count request failed"); });
    if (live != g_n)
      bench::fail("supervisor has " + std::to_string(live) + " live children, expected "
                  + std::to_string(g_n));
    auto running = sys.registry().running() - running0;
    if (running != static_cast<std::size_t>(g_n) + 1)
      bench::fail(std::to_string(running) + " actors running, expected N + 1");

    bench::metric("idle_timers_async", static_cast<double>(g_n) / secs);
    bench::metric("idle_timers_async_bytes",
                  static_cast<double>(rss1 - rss0) / static_cast<double>(g_n));
    self->send(sup, stop_atom::value, std::size_t{0});
    g_driver = nullptr;
  }
  return 0;
}
