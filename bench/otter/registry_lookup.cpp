// registry_lookup: lookups on a unique Registry of N names (default 1,000,000) with 4
// partitions, on 2 schedulers. 1000 owner processes register N/1000 integer keys each (value =
// the key); then 8 reader processes each look up M random keys (default 1,000,000) by the
// registry's name, as Registry.lookup(Bench, key) does. Metrics: registry_lookup = 8 * M /
// lookup phase (lookups per second), registry_bytes = (RSS after the registrations - RSS with
// the owners started, before) / N (bytes per entry, allocator overhead included). Verified:
// count(registry) == N, and every lookup finds its key with the value registered.
// Also printed, not compared: registry_lookup_handle, the same with a handle from find()
// (no name resolution per lookup).
// Usage: otter_registry_lookup [N=1000000 [M=1000000]]

#include "otter/otp/registry.hpp"

#include "common.hpp"

#include <atomic>

namespace {

constexpr std::int64_t owners = 1000;
constexpr std::int64_t readers = 8;

struct go {};
struct registered {};
struct done {
  std::int64_t found;
};

otter::atom bench_registry() {
  static const otter::atom name("Elixir.Bench");
  return name;
}

otter::co<void> owner(otter::pid parent, std::int64_t first, std::int64_t count) {
  co_await otter::receive<go>();
  for (std::int64_t k = first; k < first + count; ++k) {
    if (!otter::registry::register_key(bench_registry(), k, k)) {
      bench::fail("register_key " + std::to_string(k) + " failed");
    }
  }
  otter::send(parent, registered{});
  co_await otter::receive<go>();  // keeps its keys until the end
}

template <class Reg>
otter::co<void> reader(otter::pid parent, Reg reg, std::int64_t n, std::int64_t lookups,
                       std::uint64_t seed) {
  // Park-Miller, as the BEAM twin (whose integers stay small with it).
  std::int64_t x = static_cast<std::int64_t>(seed);
  std::int64_t found = 0;
  for (std::int64_t i = 0; i < lookups; ++i) {
    x = x * 48271 % 2147483647;
    const std::int64_t key = x % n;
    std::vector<otter::registry::entry> es = otter::registry::lookup(reg, key);
    if (es.size() == 1 && es[0].value == otter::term(key)) {
      ++found;
    }
  }
  otter::send(parent, done{found});
  co_return;
}

template <class Reg>
otter::co<double> lookup_phase(Reg reg, std::int64_t n, std::int64_t m) {
  auto t0 = bench::clock::now();
  otter::co<void> (*body)(otter::pid, Reg, std::int64_t, std::int64_t, std::uint64_t) = reader<Reg>;
  for (std::int64_t r = 0; r < readers; ++r) {
    otter::spawn(body, otter::self(), reg, n, m, static_cast<std::uint64_t>(r + 1));
  }
  std::int64_t found = 0;
  for (std::int64_t r = 0; r < readers; ++r) {
    done d = co_await otter::receive<done>();
    found += d.found;
  }
  double secs = bench::seconds_since(t0);
  if (found != readers * m) {
    bench::fail("lookups found " + std::to_string(found) + " of " + std::to_string(readers * m));
  }
  co_return secs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = bench::arg(argc, argv, 1, 1000000);
  const std::int64_t m = bench::arg(argc, argv, 2, 1000000);
  if (n < owners) {
    bench::fail("N must be at least " + std::to_string(owners));
  }
  otter::runtime rt(bench::options());
  double by_name = 0;
  double by_handle = 0;
  std::int64_t rss0 = 0;
  std::int64_t rss1 = 0;
  rt.run(
      [&]() -> otter::co<void> {
        otter::registry::options opts{
            .keys = otter::registry::kind::unique, .name = bench_registry(), .partitions = 4};
        (void)co_await otter::registry::start_link(opts);
        std::vector<otter::pid> os;
        const std::int64_t per = n / owners;
        for (std::int64_t o = 0; o < owners; ++o) {
          const std::int64_t count = o == owners - 1 ? n - per * o : per;
          os.push_back(otter::spawn(owner, otter::self(), per * o, count));
        }
        rss0 = bench::rss_bytes();
        for (otter::pid p : os) {
          otter::send(p, go{});
        }
        for (std::int64_t o = 0; o < owners; ++o) {
          co_await otter::receive<registered>();
        }
        rss1 = bench::rss_bytes();
        const std::int64_t count = otter::registry::count(bench_registry());
        if (count != n) {
          bench::fail("count " + std::to_string(count) + ", expected " + std::to_string(n));
        }
        by_name = co_await lookup_phase(bench_registry(), n, m);
        by_handle = co_await lookup_phase(otter::registry::find(bench_registry()), n, m);
        for (otter::pid p : os) {
          otter::send(p, go{});
        }
      },
      std::chrono::minutes(10));
  const double total = static_cast<double>(readers * m);
  bench::metric("registry_lookup", total / by_name);
  bench::metric("registry_bytes", static_cast<double>(rss1 - rss0) / static_cast<double>(n));
  bench::metric("registry_lookup_handle", total / by_handle);
  return 0;
}
