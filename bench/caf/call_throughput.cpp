// call_throughput, CAF 0.17 twin.
//
// One server actor holds an integer; every request increments it and responds
// with the new value. For each configuration (2 callers, then 100 callers) a
// fresh server is spawned and TOTAL requests (default 1,000,000) are split
// evenly over the callers; each caller makes its share one request at a time,
// checks that the values it got strictly increase, and reports to the driver.
// Metrics: call_throughput_2 and call_throughput_100, calls per second, timed
// from releasing the (already spawned) callers to the last report.
// Verification: the server's final count equals TOTAL.
//
// The callers are event-based actors using `request(...).then(...)` with an
// infinite timeout: CAF's idiomatic non-blocking request/response, and its
// fastest (no timeout is scheduled per request). Blocking callers would need a
// thread each (scoped_actor), which the 100-caller case cannot afford with 2
// workers. The server is a dynamically typed actor whose handler returns the
// response; a typed actor would dispatch the same way.
//
// Usage: call_throughput [--policy=stealing|sharing] [TOTAL=1000000]
#include "common.hpp"

using inc_atom = caf::atom_constant<caf::atom("inc")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using go_atom = caf::atom_constant<caf::atom("go")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using bad_atom = caf::atom_constant<caf::atom("bad")>;

namespace {

struct server_state {
  std::int64_t n = 0;
};

caf::behavior server(caf::stateful_actor<server_state>* self) {
  return {
      [self](inc_atom) { return ++self->state.n; },
      [self](get_atom) { return self->state.n; },
  };
}

struct caller_state {
  std::int64_t left = 0;
  std::int64_t last = 0;
};

// One request in flight at a time, like a GenServer.call loop.
void call_next(caf::stateful_actor<caller_state>* self, const caf::actor& srv,
               const caf::actor& main) {
  if (self->state.left == 0) {
    self->send(main, done_atom::value);
    self->quit();
    return;
  }
  self->request(srv, caf::infinite, inc_atom::value).then([=](std::int64_t v) {
    auto& st = self->state;
    if (v <= st.last) {
      self->send(main, bad_atom::value, st.last, v);
      self->quit();
      return;
    }
    st.last = v;
    --st.left;
    call_next(self, srv, main);
  });
}

caf::behavior caller(caf::stateful_actor<caller_state>* self, caf::actor srv, std::int64_t calls,
                     caf::actor main) {
  self->state.left = calls;
  return {
      [=](go_atom) { call_next(self, srv, main); },
  };
}

double run(caf::actor_system& sys, std::int64_t total, std::int64_t callers) {
  caf::scoped_actor self{sys};
  auto srv = sys.spawn(server);
  auto main = caf::actor_cast<caf::actor>(self);
  std::vector<caf::actor> cs;
  // The first total % callers callers make one call more.
  for (std::int64_t i = 0; i < callers; ++i)
    cs.emplace_back(sys.spawn(caller, srv, total / callers + (i < total % callers ? 1 : 0), main));

  auto t0 = bench::clock::now();
  for (auto& c : cs)
    self->send(c, go_atom::value);
  for (std::int64_t i = 0; i < callers; ++i)
    self->receive(
        [](done_atom) {},
        [](bad_atom, std::int64_t a, std::int64_t b) {
          bench::fail("a caller got " + std::to_string(b) + " after " + std::to_string(a));
        });
  double secs = bench::seconds_since(t0);

  std::int64_t count = -1;
  self->request(srv, caf::infinite, get_atom::value)
      .receive([&](std::int64_t n) { count = n; },
               [](caf::error&) { bench::fail("get request failed"); });
  if (count != total)
    bench::fail(std::to_string(callers) + " callers: counter is " + std::to_string(count)
                + ", expected " + std::to_string(total));
  self->send_exit(srv, caf::exit_reason::user_shutdown);
  return static_cast<double>(total) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = bench::parse_args(argc, argv);
  std::int64_t total = a.size(0, 1000000);

  caf::actor_system_config cfg;
  bench::configure(cfg, a);
  caf::actor_system sys{cfg};
  for (std::int64_t callers : {2, 100}) {
    double rate = run(sys, total, callers);
    bench::metric(callers == 2 ? "call_throughput_2" : "call_throughput_100", rate);
  }
  return 0;
}
