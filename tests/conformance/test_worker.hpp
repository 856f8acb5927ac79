// tests/conformance/test_worker.hpp: the suite's standard supervisor test worker W(id)
// (T.Worker in lib/trace.exs). A GenServer that, in init, optionally traps exits, names itself
// "<id><generation>" (a1, then a2 after a restart; the counter is per id for the whole
// scenario) and logs `start a1`; its terminate logs `terminate a1: <reason>`; a cast
// {:exit, reason} stops it with that reason; a call :name returns its name.

#pragma once

#include "otter/otp/child_spec.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/testing/trace.hpp"

#include <map>
#include <mutex>
#include <string>

namespace otter::conformance {

struct test_worker {
  /// What all workers of one scenario share: the trace and the generation counters.
  struct env {
    explicit env(testing::trace& tr) : t(&tr) {}
    testing::trace* t;
    std::mutex mu;
    std::map<std::string, int> generations;
    int next(const std::string& id) {
      std::lock_guard<std::mutex> lock(mu);
      return ++generations[id];
    }
  };
  struct named {
    env* e;
    std::string name;
  };
  using state = named;

  state init(env* e, atom id, bool trap) {
    if (trap) {
      trap_exit(true);
    }
    std::string id_text(id.name());
    std::string name = id_text + std::to_string(e->next(id_text));
    e->t->name(self(), name);
    e->t->log("start " + name);
    return named{e, name};
  }
  gen_server::call_result<term> handle_call(const term& req, const gen_server::from&, state& s) {
    if (req.is(atom("name"))) {
      return term(s.name);
    }
    otter::error(tuple(atom("bad_call"), req));
  }
  gen_server::cast_result handle_cast(const term& req, state&) {
    if (req.is_tagged(atom("exit"), 2)) {
      return gen_server::cast_result::stop(req[1]);
    }
    return {};
  }
  void terminate(const term& reason, state& s) { s.e->t->log("terminate " + s.name, reason); }
};

/// The child spec of W(id): permanent, shutdown 5000, worker.
inline child_spec worker_spec(test_worker::env& e, atom id, bool trap = true) {
  child_spec spec;
  spec.id = term(id);
  spec.start =
      start_with([&e, id, trap]() { return gen_server::start_link<test_worker>(&e, id, trap); });
  return spec;
}

/// Makes a worker stop with `reason` (cast {:exit, reason}).
inline void stop_worker(pid worker, term reason) {
  gen_server::cast(worker, tuple(atom("exit"), std::move(reason)));
}

}  // namespace otter::conformance
