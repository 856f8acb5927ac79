// tests/conformance/supervisor_scenario.hpp: the suite's supervisor helpers (T.Sup in
// lib/trace.exs) for the ports of scenarios 37-49.
//
//   children(sup)                     which_children reduced to [{id, pid | :undefined |
//                                     :restarting}], in the order returned (newest first)
//   wait(sup, pred)                   polls children(sup) until pred holds; returns them
//   wait_restarted(sup, id, old)      ... until child `id` has a pid other than `old`
//   t_worker(env, id, restart)        T.Worker.child_spec(id), with the spec's mfa (so that
//                                     which_children shows its modules, [T.Worker])
//   quiet_logs                        drops reports while alive, as T.start() does without
//                                     capture_logs (crashes and supervisor reports print
//                                     nothing in these scenarios)

#pragma once

#include "otter/core/logger.hpp"
#include "otter/otp/supervisor.hpp"

#include "conformance/scenario.hpp"
#include "conformance/test_worker.hpp"

#include <functional>
#include <utility>
#include <vector>

namespace otter::conformance {

class quiet_logs {
public:
  quiet_logs() : previous_(set_log_sink(log_sink{})) {}
  ~quiet_logs() { set_log_sink(previous_); }
  quiet_logs(const quiet_logs&) = delete;
  quiet_logs& operator=(const quiet_logs&) = delete;

private:
  log_sink previous_;
};

inline child_spec t_worker(test_worker::env& e, atom id,
                           otter::restart restart = otter::restart::permanent) {
  child_spec spec = worker_spec(e, id);
  spec.mfa = tuple(a("Elixir.T.Worker"), a("start_link"), list(id));
  spec.restart = restart;
  return spec;
}

inline co<term> children(server_ref sup) {
  std::vector<supervisor::child_info> all = co_await supervisor::which_children(std::move(sup));
  std::vector<term> out;
  out.reserve(all.size());
  for (const auto& c : all) {
    out.push_back(tuple(c.id, c.child));
  }
  co_return term::list(std::move(out));
}

/// The entry of `id` in a children() list, or nil.
inline term keyfind(const term& kids, const term& id) {
  for (const term& k : kids.elements()) {
    if (k[0] == id) {
      return k;
    }
  }
  return term();
}

inline co<term> wait(pid sup, std::function<bool(const term&)> pred) {
  // Built in its own statement (GCC 12, PR 100611: no capturing lambda in a co_await).
  std::function<co<term>()> poll = [sup, pred]() -> co<term> {
    term kids = co_await children(sup);
    co_return pred(kids) ? kids : term();
  };
  co_return co_await testing::eventually(std::move(poll));
}

inline co<term> wait_restarted(pid sup, atom id, pid old) {
  auto restarted = [id, old](const term& kids) {
    term k = keyfind(kids, term(id));
    return k.is_tuple() && k[1].is_pid() && k[1].as_pid() != old;
  };
  std::function<bool(const term&)> pred = restarted;
  co_return co_await wait(sup, std::move(pred));
}

}  // namespace otter::conformance
