// call_throughput: one GenServer, many callers. A server holds an integer; every call
// increments it and replies with the new value. For 2 and then 100 callers (a fresh server
// each time), TOTAL calls are split over the callers (the first TOTAL % callers make one
// more); each caller makes its calls one at a time and checks that its replies strictly
// increase. Metrics: call_throughput_2 and call_throughput_100, calls per second from
// releasing the (already spawned) callers to the last one's report. Verified: the server's
// final count is TOTAL.
// Usage: otter_call_throughput [TOTAL=1000000]

#include "otter/otp/gen_server.hpp"

#include "common.hpp"

namespace {

struct counter {
  using state = std::int64_t;
  struct inc {};
  struct get {};
  state init() { return 0; }
  std::int64_t handle_call(inc, const otter::gen_server::from&, state& n) { return ++n; }
  std::int64_t handle_call(get, const otter::gen_server::from&, state& n) { return n; }
};

/// What a caller reports: the last value it got, or the pair that did not increase.
struct done {
  bool ok = true;
  std::int64_t previous = 0;
  std::int64_t got = 0;
};

otter::co<void> caller(otter::pid server, std::int64_t calls, otter::pid driver) {
  (void)co_await otter::receive<otter::atom>();  // go
  done d;
  std::int64_t last = 0;
  for (std::int64_t i = 0; i < calls; ++i) {
    std::int64_t v = co_await otter::gen_server::call<counter>(server, counter::inc{});
    if (v <= last) {
      d = done{false, last, v};
      break;
    }
    last = v;
  }
  otter::send(driver, d);
}

otter::co<double> run(std::int64_t total, std::int64_t callers) {
  otter::start_result server = co_await otter::gen_server::start_link<counter>();
  if (!server) {
    bench::fail("the server did not start");
  }
  const otter::pid me = otter::self();
  std::vector<otter::pid> pids;
  for (std::int64_t i = 0; i < callers; ++i) {
    std::int64_t share = total / callers + (i < total % callers ? 1 : 0);
    pids.push_back(otter::spawn(caller, *server, share, me));
  }
  auto t0 = bench::clock::now();
  for (otter::pid p : pids) {
    otter::send(p, otter::atom("go"));
  }
  for (std::int64_t i = 0; i < callers; ++i) {
    done d = co_await otter::receive<done>();
    if (!d.ok) {
      bench::fail("a caller got " + std::to_string(d.got) + " after " + std::to_string(d.previous));
    }
  }
  double secs = bench::seconds_since(t0);
  std::int64_t count = co_await otter::gen_server::call<counter>(*server, counter::get{});
  if (count != total) {
    bench::fail(std::to_string(callers) + " callers: counter is " + std::to_string(count)
                + ", expected " + std::to_string(total));
  }
  co_await otter::gen_server::stop(*server);
  co_return static_cast<double>(total) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t total = bench::arg(argc, argv, 1, 1000000);
  otter::runtime rt(bench::options());
  for (std::int64_t callers : {2, 100}) {
    double rate = rt.run([&]() -> otter::co<double> { co_return co_await run(total, callers); },
                         std::chrono::minutes(10));
    bench::metric(callers == 2 ? "call_throughput_2" : "call_throughput_100", rate);
  }
  return 0;
}
