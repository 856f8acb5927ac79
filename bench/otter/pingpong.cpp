// pingpong: round trips between two processes. Metric: nanoseconds per round trip.
// Usage: otter_pingpong [ROUND_TRIPS=1000000]

#include "common.hpp"

namespace {
struct ping {
  otter::pid from;
  std::int64_t n;
};

otter::co<void> ponger() {
  for (;;) {
    ping p = co_await otter::receive<ping>();
    if (p.n < 0) {
      co_return;
    }
    otter::send(p.from, p.n);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const std::int64_t trips = bench::arg(argc, argv, 1, 1000000);
  otter::runtime rt(bench::options());
  double secs = 0;
  std::int64_t last = rt.run([&]() -> otter::co<std::int64_t> {
    const otter::pid me = otter::self();
    const otter::pid pong = otter::spawn(ponger);
    std::int64_t got = 0;
    auto t0 = bench::clock::now();
    for (std::int64_t i = 0; i < trips; ++i) {
      otter::send(pong, ping{me, i});
      got = co_await otter::receive<std::int64_t>();
    }
    secs = bench::seconds_since(t0);
    otter::send(pong, ping{me, -1});
    co_return got;
  });
  if (last != trips - 1) {
    bench::fail("wrong last reply");
  }
  bench::metric("pingpong", secs * 1e9 / static_cast<double>(trips));
  return 0;
}
