// ring, CAF 0.17 twin.
//
// PROCS event-based actors (default 10,000) in a ring; a token (a countdown
// integer) goes around AROUND times (default 1,000), i.e. HOPS = AROUND *
// PROCS actor-to-actor sends (10M by default). Each actor forwards the token
// decremented by one; the actor that receives 0 reports its ring index.
// Verification: the token made exactly HOPS hops (the countdown reached 0 at
// index HOPS % PROCS, and the per-actor receive counts, collected after the
// clock stops, add up to HOPS + 1 with the driver's initial send).
// Metric: hops per second (token passing only).
//
// Usage: ring [--policy=stealing|sharing] [AROUND=1000 [PROCS=10000]]
#include "common.hpp"

using done_atom = caf::atom_constant<caf::atom("done")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using seen_atom = caf::atom_constant<caf::atom("seen")>;

namespace {

struct node_state {
  caf::actor next;
  std::int64_t seen = 0;  // tokens received
};

caf::behavior ring_node(caf::stateful_actor<node_state>* self, std::int64_t idx, caf::actor main) {
  return {
      [self](caf::actor& next) { self->state.next = std::move(next); },
      [self, idx, main](std::int64_t k) {
        ++self->state.seen;
        if (k == 0)
          self->send(main, done_atom::value, idx);
        else
          self->send(self->state.next, k - 1);
      },
      [self, main](stop_atom) {
        self->send(main, seen_atom::value, self->state.seen);
        self->state.next = nullptr;
        self->quit();
      },
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  std::int64_t around = a.size(0, 1000);
  std::int64_t procs = a.size(1, 10000);
  std::int64_t hops = around * procs;

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  caf::actor_system sys{cfg};
  std::int64_t done_idx = -1;
  std::int64_t received = 0;
  double secs = 0;
  {
    caf::scoped_actor self{sys};
    auto me = caf::actor_cast<caf::actor>(self);
    std::vector<caf::actor> nodes;
    nodes.reserve(static_cast<std::size_t>(procs));
    for (std::int64_t i = 0; i < procs; ++i)
      nodes.emplace_back(sys.spawn(ring_node, i, me));
    for (std::int64_t i = 0; i < procs; ++i)
      self->send(nodes[i], nodes[(i + 1) % procs]);

    auto t0 = bench::clock::now();
    self->send(nodes[0], hops);
    self->receive([&](done_atom, std::int64_t idx) { done_idx = idx; });
    secs = bench::seconds_since(t0);

    for (auto& n : nodes)
      self->send(n, stop_atom::value);
    for (std::int64_t i = 0; i < procs; ++i)
      self->receive([&](seen_atom, std::int64_t n) { received += n; });
  }
  if (done_idx != hops % procs)
    bench::fail("token stopped at index " + std::to_string(done_idx) + ", expected "
                + std::to_string(hops % procs));
  if (received != hops + 1)
    bench::fail("token made " + std::to_string(received - 1) + " hops, expected "
                + std::to_string(hops));
  bench::metric("ring", static_cast<double>(hops) / secs);
  return 0;
}
