// ets_write: update_counter on random keys of a shared set. The same table as ets_read (a
// public set with read_concurrency and write_concurrency) is filled with N objects {k, 0};
// then 2 worker processes (one per scheduler) each do OPS/2 update_counter(t, key, 1) on
// random keys (MINSTD, as the twin). ets_write = updates per second from releasing the
// (already spawned) workers to the last one's report. OPS = 10 * N. Verified: the counters
// add up to OPS and every update returned a positive count.
// Usage: otter_ets_write [N=1000000]

#include "otter/ets.hpp"

#include "common.hpp"

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
    if (otter::ets::update_counter(t, key, 1) <= 0) {
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
        otter::ets::table t =
            otter::ets::new_table(otter::atom("bench"), {.access = otter::ets::protection::public_,
                                                         .read_concurrency = true,
                                                         .write_concurrency = true});
        for (std::int64_t k = 0; k < n; ++k) {
          otter::ets::insert(t, otter::tuple(k, 0));
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
        std::int64_t sum = 0;
        for (std::int64_t k = 0; k < n; ++k) {
          sum += otter::ets::lookup_element(t, k, 2).as_int();
        }
        if (bad != 0 || sum != ops / 2 * 2) {
          bench::fail("counters add up to " + std::to_string(sum) + ", expected "
                      + std::to_string(ops / 2 * 2));
        }
        bench::metric("ets_write", static_cast<double>(ops / 2 * 2) / secs);
      },
      std::chrono::minutes(10));
  return 0;
}
