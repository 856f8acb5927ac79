// idle_timers, CAF 0.17 twin.
//
// N event-based actors (default 1,000,000), each of which arms a 5-minute timer
// when it starts (delayed_send of `tick` to itself) and then sits idle: the
// shape of a notification worker. They are started one after the other through
// a "supervisor" actor, with the protocol of a DynamicSupervisor's start_child:
// a driver actor requests a start and waits for the answer before it asks for
// the next one; the supervisor spawns the worker, monitors it and answers only
// once the worker has confirmed its start, which the worker does after it has
// armed its timer. CAF has no synchronous start, so the confirmation is a
// request the supervisor sends the new worker (`request(...).then(...)`, CAF's
// non-blocking request/response, as in call_throughput), and a response promise
// carries the answer to the driver. Per start: four messages (OTP's three, the
// call, the child's acknowledgement and the reply, plus the supervisor's
// request to the worker), a spawn and a monitor.
//
// An OTP supervisor links to its children. Here the supervisor monitors them,
// as the async twin does, and stops them explicitly: CAF keeps an actor's links
// in a list that every exit of a linked actor searches, and with links the
// stop of a million children had not ended after ten minutes.
//
// The stop is batched, 1,000 exits per message, and the scheduler preempts an
// actor after each message (scheduler.max-throughput = 1), as in the async
// twin: an actor that sends a million exits in one go fills its thread's deque
// with the dying workers, which work stealing then walks quadratically. In the
// start phase no actor ever has more than one message waiting, and alternating
// runs of 200,000 starts with and without the setting were within the noise.
//
// Metrics: idle_timers = N / start phase duration (workers per second), from
// the driver's first request to the last answer; idle_timers_bytes = (RSS with
// all N idle - RSS before) / N, read from /proc/self/status (handles, monitors and
// the clock's timer entries included). Verification: every start answered with
// a worker, the supervisor holds N live children and the actor registry counts
// N new running actors (the driver has quit).
//
// bench/caf/idle_timers_async.cpp is the same workers started without waiting.
//
// Usage: idle_timers [--policy=stealing|sharing] [N=1000000]
#include "common.hpp"

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

namespace {

constexpr auto tick_after = std::chrono::minutes(5);
constexpr std::size_t stop_batch = 1000;

caf::behavior worker(caf::event_based_actor* self) {
  self->delayed_send(self, tick_after, tick_atom::value);
  return {
      // The supervisor's confirmation request: answered once the timer is armed.
      [](started_atom) { return started_atom::value; },
      // Never reached within the benchmark; a real worker would notify here.
      [self](tick_atom) { self->delayed_send(self, tick_after, tick_atom::value); },
  };
}

struct sup_state {
  std::vector<caf::actor> children;
  std::int64_t down = 0;
};

caf::behavior supervisor(caf::stateful_actor<sup_state>* self) {
  self->set_down_handler([self](caf::down_msg&) { ++self->state.down; });
  return {
      [self](start_atom) {
        auto rp = self->make_response_promise<caf::actor>();
        auto child = self->spawn(worker);
        self->monitor(child);
        self->request(child, caf::infinite, started_atom::value)
            .then([self, rp, child](started_atom) mutable {
              self->state.children.push_back(child);
              rp.deliver(child);
            });
        return rp;
      },
      [self](count_atom) {
        return static_cast<std::int64_t>(self->state.children.size()) - self->state.down;
      },
      [self](stop_atom, std::size_t from) {
        auto& cs = self->state.children;
        auto to = std::min(cs.size(), from + stop_batch);
        for (auto i = from; i < to; ++i)
          self->send_exit(cs[i], caf::exit_reason::user_shutdown);
        if (to < cs.size())
          self->send(self, stop_atom::value, to);
        else
          self->quit();
      },
  };
}

struct driver_state {
  std::int64_t left = 0;
};

// One start in flight at a time, like a loop of DynamicSupervisor.start_child.
void start_next(caf::stateful_actor<driver_state>* self, const caf::actor& sup,
                const caf::actor& main) {
  if (self->state.left == 0) {
    self->send(main, done_atom::value);
    self->quit();
    return;
  }
  self->request(sup, caf::infinite, start_atom::value)
      .then(
          [=](const caf::actor& child) {
            if (!child) {
              bench::fail("a start was answered without a worker");
            }
            --self->state.left;
            start_next(self, sup, main);
          },
          [](caf::error& e) { bench::fail("start request failed: " + caf::to_string(e)); });
}

caf::behavior driver(caf::stateful_actor<driver_state>* self, caf::actor sup, std::int64_t n,
                     caf::actor main) {
  self->state.left = n;
  return {
      [=](start_atom) { start_next(self, sup, main); },
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  const std::int64_t n = a.size(0, 1000000);

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  cfg.set("scheduler.max-throughput", 1);
  caf::actor_system sys{cfg};
  {
    caf::scoped_actor self{sys};
    auto main_actor = caf::actor_cast<caf::actor>(self);
    auto sup = sys.spawn(supervisor);
    auto drv = sys.spawn(driver, sup, n, main_actor);
    self->monitor(drv);
    auto running0 = sys.registry().running();
    auto rss0 = bench::rss_bytes();

    auto t0 = bench::clock::now();
    self->send(drv, start_atom::value);
    self->receive([](done_atom) {});
    double secs = bench::seconds_since(t0);
    auto rss1 = bench::rss_bytes();
    self->receive([](caf::down_msg&) {});  // the driver has quit: the count below is exact

    std::int64_t live = -1;
    self->request(sup, caf::infinite, count_atom::value)
        .receive([&](std::int64_t k) { live = k; },
                 [](caf::error&) { bench::fail("count request failed"); });
    if (live != n)
      bench::fail("supervisor has " + std::to_string(live) + " live children, expected "
                  + std::to_string(n));
    // running0 counted the driver, which has quit since; the workers are new.
    auto running = sys.registry().running() + 1 - running0;
    if (running != static_cast<std::size_t>(n))
      bench::fail(std::to_string(running) + " new actors running, expected N");

    bench::metric("idle_timers", static_cast<double>(n) / secs);
    bench::metric("idle_timers_bytes", static_cast<double>(rss1 - rss0) / static_cast<double>(n));
    self->send(sup, stop_atom::value, std::size_t{0});
  }
  return 0;
}
