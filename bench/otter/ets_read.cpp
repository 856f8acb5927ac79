// ets_read: random lookups in a shared set. A public set (read_concurrency and
// write_concurrency, as the BEAM twin) is filled with N objects {k, k}, k in 0..N-1;
// ets_entry_bytes = (RSS after filling - RSS before creating the table) / N. Then 2 worker
// processes (one per scheduler) each do OPS/2 lookups of random keys, each with its own MINSTD
// generator (the same sequence as the twin's), and check every result. ets_read = lookups per
// second from releasing the (already spawned) workers to the last one's report. OPS = 10 * N.
// Usage: otter_ets_read [N=1000000]

#include "otter/ets.hpp"

#include "common.hpp"

#include <cstdio>

namespace {

struct go {};
struct done {
  std::int64_t bad = 0;
};

otter::co<void> worker(otter::ets::table t, std::int64_t n, std::int64_t ops, std::int64_t seed,
                       otter::pid report_to) {
  (void)co_await otter::receive<go>();
  std::int64_t x = seed;
  done d;
  for (std::int64_t i = 0; i < ops; ++i) {
    x = x * 48271 % 2147483647;  // MINSTD, as the twin
    const std::int64_t key = x % n;
    std::vector<otter::term> found = otter::ets::lookup(t, key);
    if (found.size() != 1 || found[0][1] != otter::term(key)) {
      ++d.bad;
    }
  }
  otter::send(report_to, d);
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = bench::arg(argc, argv, 1, 1000000);
  const std::int64_t ops = 10 * n;
  otter::runtime rt(bench::options());
  rt.run(
      [&]() -> otter::co<void> {
        const std::int64_t rss0 = bench::rss_bytes();
        otter::ets::table t =
            otter::ets::new_table(otter::atom("bench"), {.access = otter::ets::protection::public_,
                                                         .read_concurrency = true,
                                                         .write_concurrency = true});
        for (std::int64_t k = 0; k < n; ++k) {
          otter::ets::insert(t, otter::tuple(k, k));
        }
        const std::int64_t rss1 = bench::rss_bytes();
        if (otter::ets::info(t)->size != static_cast<std::size_t>(n)) {
          bench::fail("the table has " + std::to_string(otter::ets::info(t)->size) + " objects");
        }
        const otter::pid me = otter::self();
        std::vector<otter::pid> workers;
        for (std::int64_t i = 1; i <= 2; ++i) {
          workers.push_back(otter::spawn(worker, t, n, ops / 2, i * 7919 + 1, me));
        }
        auto t0 = bench::clock::now();
        for (otter::pid w : workers) {
          otter::send(w, go{});
        }
        std::int64_t bad = 0;
        for (std::size_t i = 0; i < workers.size(); ++i) {
          bad += (co_await otter::receive<done>()).bad;
        }
        const double secs = bench::seconds_since(t0);
        if (bad != 0) {
          bench::fail(std::to_string(bad) + " lookups returned a wrong result");
        }
        std::fprintf(stderr, "info: info(t).memory %.1f bytes/object\n",
                     static_cast<double>(otter::ets::info(t)->memory) / static_cast<double>(n));
        bench::metric("ets_read", static_cast<double>(ops / 2 * 2) / secs);
        bench::metric("ets_entry_bytes", static_cast<double>(rss1 - rss0) / static_cast<double>(n));
      },
      std::chrono::minutes(10));
  return 0;
}
