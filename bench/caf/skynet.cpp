// skynet, CAF 0.17 twin.
//
// The classic skynet benchmark: a tree of event-based actors with 10 children
// per node and LEAVES leaves (a power of 10, default 1,000,000); each leaf
// sends its number to its parent, each inner node sums its children's
// answers and sends the sum up. The root's answer must be
// LEAVES*(LEAVES-1)/2 (499999500000 for the default). Metric: milliseconds.
//
// Usage: skynet [--policy=stealing|sharing] [LEAVES=1000000]
#include "common.hpp"

namespace {

constexpr std::int64_t fanout = 10;

struct node_state {
  std::int64_t sum = 0;
  std::int64_t pending = fanout;
};

caf::behavior skynet(caf::stateful_actor<node_state>* self, caf::actor parent, std::int64_t num,
                     std::int64_t size) {
  if (size == 1) {
    self->send(parent, num);
    self->quit();
    return {};
  }
  std::int64_t sub = size / fanout;
  auto me = caf::actor_cast<caf::actor>(self);
  for (std::int64_t i = 0; i < fanout; ++i)
    self->spawn(skynet, me, num + i * sub, sub);
  return {
      [self, parent](std::int64_t x) {
        auto& st = self->state;
        st.sum += x;
        if (--st.pending == 0) {
          self->send(parent, st.sum);
          self->quit();
        }
      },
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  std::int64_t leaves = a.size(0, 1000000);
  for (std::int64_t n = leaves; n != 1; n /= fanout)
    if (n % fanout != 0)
      bench::fail("LEAVES must be a power of 10, got " + std::to_string(leaves));
  std::int64_t expected = leaves * (leaves - 1) / 2;

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  caf::actor_system sys{cfg};
  std::int64_t result = -1;
  double ms = 0;
  {
    caf::scoped_actor self{sys};
    auto t0 = bench::clock::now();
    self->spawn(skynet, caf::actor_cast<caf::actor>(self), std::int64_t{0}, leaves);
    self->receive([&](std::int64_t x) { result = x; });
    ms = bench::seconds_since(t0) * 1e3;
  }
  if (result != expected)
    bench::fail("skynet result " + std::to_string(result) + ", expected "
                + std::to_string(expected));
  bench::metric("skynet", ms);
  return 0;
}
