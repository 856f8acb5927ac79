// dynsup_churn: N minimal GenServers are started one after the other on a DynamicSupervisor
// with start_child, then terminated one by one, in the same order, with terminate_child
// (which waits for each child's exit): 2N supervisor operations. Metric: dynsup_churn =
// N / (start phase + terminate phase), children churned per second. Verified: every call
// succeeded, count_children is 0 afterwards and no child is alive.
// Usage: otter_dynsup_churn [N=100000]

#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"

#include "common.hpp"

namespace {

struct minimal_worker {
  using state = std::int64_t;
  state init(std::int64_t arg) { return arg; }
};

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = bench::arg(argc, argv, 1, 100000);
  otter::runtime rt(bench::options());
  double secs = 0;
  rt.run(
      [&]() -> otter::co<void> {
        otter::start_result sup = co_await otter::dynamic_supervisor::start_link();
        std::vector<otter::pid> pids;
        pids.reserve(static_cast<std::size_t>(n));

        auto t0 = bench::clock::now();
        for (std::int64_t i = 0; i < n; ++i) {
          otter::child_spec spec;
          spec.start = otter::start_with(
              [] { return otter::gen_server::start_link<minimal_worker>(std::int64_t{0}); });
          otter::start_result r =
              co_await otter::dynamic_supervisor::start_child(*sup, std::move(spec));
          if (!r) {
            bench::fail("start_child: " + otter::to_string(otter::to_term(r)));
          }
          pids.push_back(*r);
        }
        auto t1 = bench::clock::now();
        otter::dynamic_supervisor::child_counts started =
            co_await otter::dynamic_supervisor::count_children(*sup);
        auto t2 = bench::clock::now();
        for (otter::pid p : pids) {
          otter::expected<void> r = co_await otter::dynamic_supervisor::terminate_child(*sup, p);
          if (!r) {
            bench::fail("terminate_child: " + otter::to_string(r.error().reason));
          }
        }
        auto t3 = bench::clock::now();

        if (started.active != n) {
          bench::fail(std::to_string(started.active) + " children active after the starts");
        }
        otter::dynamic_supervisor::child_counts after =
            co_await otter::dynamic_supervisor::count_children(*sup);
        if (after != otter::dynamic_supervisor::child_counts{}) {
          bench::fail("count_children after the terminations: "
                      + otter::to_string(after.to_term()));
        }
        for (otter::pid p : pids) {
          if (otter::alive(p)) {
            bench::fail("a terminated child is still alive");
          }
        }
        secs = std::chrono::duration<double>((t1 - t0) + (t3 - t2)).count();
        co_await otter::dynamic_supervisor::stop(*sup);
      },
      std::chrono::minutes(10));
  bench::metric("dynsup_churn", static_cast<double>(n) / secs);
  return 0;
}
