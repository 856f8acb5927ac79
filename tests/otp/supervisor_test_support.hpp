// tests/otp/supervisor_test_support.hpp: a probe worker and a report catcher for the
// supervisor tests.
//
// A probe is a GenServer child that tells the test process what happens to it: it sends
// `{:started, id, pid}` from init and `{:terminated, id, pid, reason}` from terminate, and a
// cast `{:exit, reason}` stops it with `reason`. It traps exits unless told not to, so that
// terminate runs when its supervisor stops it.

#pragma once

#include "otter/core/logger.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/supervisor.hpp"

#include "support/both_runtimes.hpp"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace otter::test_support {

struct probe {
  struct config {
    pid report_to;
    term id;
    bool trap = true;
  };
  using state = config;

  state init(config c) {
    if (c.trap) {
      trap_exit(true);
    }
    send(c.report_to, tuple(a("started"), c.id, self()));
    return c;
  }
  gen_server::cast_result handle_cast(const term& req, state&) {
    if (req.is_tagged(a("exit"), 2)) {
      return gen_server::cast_result::stop(req[1]);
    }
    return {};
  }
  void terminate(const term& reason, state& c) {
    send(c.report_to, tuple(a("terminated"), c.id, self(), reason));
  }
};

/// The spec of a probe child `id` reporting to the calling process.
inline child_spec probe_spec(std::string_view id, restart r = restart::permanent,
                             bool trap = true) {
  child_spec spec;
  spec.id = term(a(id));
  spec.restart = r;
  probe::config c{self(), spec.id, trap};
  spec.start = start_with([c]() { return gen_server::start_link<probe>(c); });
  return spec;
}

/// Makes a probe stop with `reason`.
inline void stop_probe(pid p, term reason) {
  gen_server::cast(p, tuple(a("exit"), std::move(reason)));
}

/// The next `{:started, id, pid}` (other messages stay); returns the pid.
inline co<pid> started(std::string_view id) {
  term want(a(id));
  auto match = [want](const term& m) {
    return m.is_tagged(a("started"), 3) && m[1] == want;
  };
  term m = co_await receive(on<term>(match, [](term& t) { return t; }));
  co_return m[2].as_pid();
}

/// The ids of the next `n` `{:started, ...}` / `{:terminated, ...}` events, as
/// `{:started, id}` / `{:terminated, id, reason}` terms in arrival order.
inline co<term> events(std::size_t n) {
  std::vector<term> out;
  auto event = [](const term& m) {
    return m.is_tagged(a("started"), 3) || m.is_tagged(a("terminated"), 4);
  };
  while (out.size() < n) {
    term m = co_await receive(on<term>(event, [](term& t) { return t; }));
    out.push_back(m.size() == 3 ? tuple(m[0], m[1]) : tuple(m[0], m[1], m[3]));
  }
  co_return term::list(std::move(out));
}

/// which_children reduced to `[{id, pid | :undefined | :restarting}]` (T.Sup.children).
inline co<term> children(server_ref sup) {
  std::vector<supervisor::child_info> all = co_await supervisor::which_children(std::move(sup));
  std::vector<term> out;
  for (const auto& c : all) {
    out.push_back(tuple(c.id, c.child));
  }
  co_return term::list(std::move(out));
}

/// The pid of child `id` (the null pid when it has none).
inline co<pid> child_pid(server_ref sup, std::string_view id) {
  std::vector<supervisor::child_info> all = co_await supervisor::which_children(std::move(sup));
  for (const auto& c : all) {
    if (c.id == term(a(id)) && c.child.is_pid()) {
      co_return c.child.as_pid();
    }
  }
  co_return pid();
}

/// Catches the supervisor_report events logged while it lives.
class report_catcher {
public:
  report_catcher() {
    previous_ = set_log_sink([this](const log_event& e) {
      if (e.kind == "supervisor_report") {
        std::lock_guard<std::mutex> lock(mu_);
        reports_.push_back(e);
      }
    });
  }
  ~report_catcher() { set_log_sink(previous_); }
  report_catcher(const report_catcher&) = delete;
  report_catcher& operator=(const report_catcher&) = delete;

  /// `{context, child_id, reason}` of each report so far, in order.
  term summary() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<term> out;
    for (const log_event& e : reports_) {
      out.push_back(tuple(field(e, "context"), field(e, "child_id"), field(e, "reason")));
    }
    return term::list(std::move(out));
  }
  std::vector<log_event> reports() {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }
  static term field(const log_event& e, std::string_view key) {
    for (const auto& [k, v] : e.fields) {
      if (k == key) {
        return v;
      }
    }
    return term();
  }

private:
  log_sink previous_;
  std::mutex mu_;
  std::vector<log_event> reports_;
};

}  // namespace otter::test_support
