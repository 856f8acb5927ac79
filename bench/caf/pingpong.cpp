// pingpong, CAF 0.17 twin.
//
// Two event-based actors, ping and pong, exchange ROUNDS round trips
// (default 1,000,000): ping sends (ping, i) to pong, pong answers (pong, i)
// to the sender, ping checks the number and goes on. The driver starts ping;
// ping reports the number of completed round trips when done. Metric:
// nanoseconds per round trip.
//
// Usage: pingpong [--policy=stealing|sharing] [ROUNDS=1000000]
#include "common.hpp"

using go_atom = caf::atom_constant<caf::atom("go")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using bad_atom = caf::atom_constant<caf::atom("bad")>;

namespace {

caf::behavior pong(caf::event_based_actor* self) {
  return {
      [self](ping_atom, std::int64_t i) {
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), pong_atom::value, i);
      },
  };
}

struct ping_state {
  std::int64_t done = 0;
};

caf::behavior ping(caf::stateful_actor<ping_state>* self, caf::actor pong_actor,
                   std::int64_t rounds, caf::actor main) {
  return {
      [=](go_atom) { self->send(pong_actor, ping_atom::value, std::int64_t{0}); },
      [=](pong_atom, std::int64_t i) {
        auto& done = self->state.done;
        if (i != done) {
          self->send(main, bad_atom::value, done, i);
          self->quit();
          return;
        }
        if (++done == rounds) {
          self->send(main, done_atom::value, done);
          self->quit();
          return;
        }
        self->send(pong_actor, ping_atom::value, done);
      },
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  std::int64_t rounds = a.size(0, 1000000);

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  caf::actor_system sys{cfg};
  std::int64_t done = -1;
  double ns = 0;
  {
    caf::scoped_actor self{sys};
    auto po = sys.spawn(pong);
    auto pi = sys.spawn(ping, po, rounds, caf::actor_cast<caf::actor>(self));
    auto t0 = bench::clock::now();
    self->send(pi, go_atom::value);
    self->receive([&](done_atom, std::int64_t n) { done = n; },
                  [&](bad_atom, std::int64_t want, std::int64_t got) {
                    bench::fail("round trip " + std::to_string(want) + " answered with "
                                + std::to_string(got));
                  });
    ns = bench::seconds_since(t0) * 1e9 / static_cast<double>(rounds);
    self->send_exit(po, caf::exit_reason::user_shutdown);
  }
  if (done != rounds)
    bench::fail(std::to_string(done) + " round trips, expected " + std::to_string(rounds));
  bench::metric("pingpong", ns);
  return 0;
}
