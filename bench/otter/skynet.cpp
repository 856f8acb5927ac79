// skynet: 1M leaves, 10 children per node, each leaf returns its number, sums go up.
// Metric: milliseconds. Usage: otter_skynet [LEAVES=1000000] (a power of 10)

#include "common.hpp"

namespace {
otter::co<void> skynet(otter::pid parent, std::int64_t num, std::int64_t size) {
  if (size == 1) {
    otter::send(parent, num);
    co_return;
  }
  const std::int64_t sub = size / 10;
  const otter::pid me = otter::self();
  for (std::int64_t i = 0; i < 10; ++i) {
    otter::spawn(skynet, me, num + i * sub, sub);
  }
  std::int64_t sum = 0;
  for (int i = 0; i < 10; ++i) {
    sum += co_await otter::receive<std::int64_t>();
  }
  otter::send(parent, sum);
}
}  // namespace

int main(int argc, char** argv) {
  const std::int64_t leaves = bench::arg(argc, argv, 1, 1000000);
  otter::runtime rt(bench::options());
  auto t0 = bench::clock::now();
  std::int64_t sum = rt.run([leaves]() -> otter::co<std::int64_t> {
    otter::spawn(skynet, otter::self(), std::int64_t{0}, leaves);
    co_return co_await otter::receive<std::int64_t>();
  });
  double ms = bench::seconds_since(t0) * 1000.0;
  if (sum != leaves * (leaves - 1) / 2) {
    bench::fail("wrong sum " + std::to_string(sum));
  }
  bench::metric("skynet", ms);
  return 0;
}
