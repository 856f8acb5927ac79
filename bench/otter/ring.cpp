// ring: N processes in a ring, a token sent around M times (N*M hops).
// Metric: hops per second. Usage: otter_ring [ROUNDS=1000 [PROCESSES=10000]]

#include "common.hpp"

namespace {
struct done {
  std::int64_t index;
};

// Each node first learns its successor, then forwards the token, counting it down. The node
// that receives 0 reports; -1 stops the ring.
otter::co<void> node(otter::pid driver, std::int64_t index) {
  const otter::pid next = co_await otter::receive<otter::pid>();
  for (;;) {
    std::int64_t t = co_await otter::receive<std::int64_t>();
    if (t < 0) {
      otter::send(next, t);
      co_return;
    }
    if (t == 0) {
      otter::send(driver, done{index});
      continue;
    }
    otter::send(next, t - 1);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const std::int64_t rounds = bench::arg(argc, argv, 1, 1000);
  const std::int64_t n = bench::arg(argc, argv, 2, 10000);
  const std::int64_t hops = rounds * n;
  otter::runtime rt(bench::options());
  double secs = 0;
  std::int64_t reporter = rt.run([&]() -> otter::co<std::int64_t> {
    const otter::pid me = otter::self();
    std::vector<otter::pid> ring;
    for (std::int64_t i = 0; i < n; ++i) {
      ring.push_back(otter::spawn(node, me, i));
    }
    for (std::int64_t i = 0; i < n; ++i) {
      otter::send(ring[static_cast<std::size_t>(i)], ring[static_cast<std::size_t>((i + 1) % n)]);
    }
    auto t0 = bench::clock::now();
    otter::send(ring[0], hops);
    done d = co_await otter::receive<done>();
    secs = bench::seconds_since(t0);
    otter::send(ring[0], std::int64_t{-1});
    co_return d.index;
  });
  // The token starts at ring[0] with value hops; after k hops it is at ring[k % n].
  if (reporter != hops % n) {
    bench::fail("token ended at the wrong process");
  }
  bench::metric("ring", static_cast<double>(hops) / secs);
  return 0;
}
