// notifier_boot: N open tasks in the store (default 1,000,000, in SQLite): the time from the
// node's start until a worker runs for every task, and the peak RSS of the node.
//
//   otter_notifier_boot [N] [SCHEDULERS]    (SCHEDULERS: 0, the default, is one per core)
//   METRIC name=notifier_boot value=<seconds>
//   METRIC name=notifier_boot_rss value=<MiB>
//
// The tasks are seeded by a child process (its memory is not the node's), due 5 to 10 minutes
// later, so that no reminder fires during the boot. The node runs without its HTTP API.

#include "notifier/service/node.hpp"

#include "bench_support.hpp"
#include <spdlog/spdlog.h>

#include <thread>

int main(int argc, char** argv) {
  const std::int64_t n = bench::arg(argc, argv, 1, 1'000'000);
  bench::scratch_dir dir;
  const std::string db = bench::bench_db(dir);
  const notifier::timestamp later = notifier::wall_clock_now() + std::chrono::minutes(5);
  bench::in_child([&] {
    bench::seed_tasks(db, n,
                      [later](std::int64_t i) { return later + std::chrono::seconds(i % 300); });
  });
  spdlog::set_level(spdlog::level::warn);

  const auto t0 = bench::clock::now();
  notifier::node_options options;
  options.db = db;
  options.http = false;
  options.schedulers = static_cast<unsigned>(bench::arg(argc, argv, 2, 0));
  notifier::node node(std::move(options));
  // Polling the boot counter from main is the benchmark's clock, not part of the service.
  while (!node.boot().workers_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double seconds = bench::seconds_since(t0);
  const auto started = static_cast<std::int64_t>(node.boot().workers_started.load());
  if (started != n) {
    bench::fail("started " + std::to_string(started) + " workers for " + std::to_string(n)
                + " tasks");
  }
  bench::metric("notifier_boot", seconds);
  bench::metric("notifier_boot_rss", static_cast<double>(bench::peak_rss_bytes()) / (1 << 20));
  node.stop();
  return 0;
}
