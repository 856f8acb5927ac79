// idle_timers: N idle GenServers under one DynamicSupervisor, each with a 5-minute timer
// armed in init (otter::send_after), the shape of a notification worker. They are started
// one after the other with dynamic_supervisor::start_child, which returns once the child's
// init has run. Metrics: idle_timers = N / start phase (workers per second), idle_timers_bytes
// = (RSS with all N idle - RSS before the first start) / N, so the supervisor's map of
// children and the timers are included. Verified: count_children reports N active workers,
// and a sample of workers still have their timer pending.
// Usage: otter_idle_timers [N=1000000]

#include "otter/otp/dynamic_supervisor.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/sys.hpp"

#include "common.hpp"

#include <chrono>

namespace {

using namespace otter::literals;

constexpr auto tick_after = std::chrono::minutes(5);

struct idle_worker {
  using state = otter::ref;  // the pending timer
  state init() { return otter::send_after(otter::self(), "tick"_atom, tick_after); }
  // The tick never comes within the benchmark; a real worker would notify here.
  void handle_info(const otter::term&, state& timer) {
    timer = otter::send_after(otter::self(), "tick"_atom, tick_after);
  }
};

otter::co<void> start_all(otter::pid sup, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    otter::child_spec spec;
    spec.start = otter::start_with([] { return otter::gen_server::start_link<idle_worker>(); });
    otter::start_result r = co_await otter::dynamic_supervisor::start_child(sup, std::move(spec));
    if (!r) {
      bench::fail("start_child: " + otter::to_string(otter::to_term(r)));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = bench::arg(argc, argv, 1, 1000000);
  otter::runtime rt(bench::options());
  double secs = 0;
  std::int64_t rss0 = 0;
  std::int64_t rss1 = 0;
  rt.run(
      [&]() -> otter::co<void> {
        otter::start_result sup = co_await otter::dynamic_supervisor::start_link();
        rss0 = bench::rss_bytes();
        auto t0 = bench::clock::now();
        co_await start_all(*sup, n);
        secs = bench::seconds_since(t0);
        rss1 = bench::rss_bytes();

        otter::dynamic_supervisor::child_counts counts =
            co_await otter::dynamic_supervisor::count_children(*sup);
        if (counts.active != n || counts.workers != n) {
          bench::fail("count_children: " + otter::to_string(counts.to_term()) + ", expected "
                      + std::to_string(n) + " active workers");
        }
        std::vector<otter::dynamic_supervisor::child_info> children =
            co_await otter::dynamic_supervisor::which_children(*sup);
        for (std::size_t i = 0; i < children.size() && i < 100; ++i) {
          otter::ref timer = co_await otter::sys::get_state<otter::ref>(children[i].child);
          std::optional<std::int64_t> left = otter::read_timer(timer);
          if (!left || *left <= 0) {
            bench::fail("a worker has no timer pending");
          }
        }
        co_await otter::dynamic_supervisor::stop(*sup);
      },
      std::chrono::minutes(10));
  bench::metric("idle_timers", static_cast<double>(n) / secs);
  bench::metric("idle_timers_bytes", static_cast<double>(rss1 - rss0) / static_cast<double>(n));
  return 0;
}
