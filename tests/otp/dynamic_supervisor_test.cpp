// DynamicSupervisor: starting and stopping children, results of start_child, restarts and
// their intensity, extra_arguments, reports, and the parallel shutdown.

#include "otter/otp/dynamic_supervisor.hpp"

#include "otter/core/logger.hpp"
#include "otter/otp/gen_server.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace otter {
namespace {

using test_support::a;

/// A worker that keeps its start arguments; a cast {:exit, reason} stops it with reason, a
/// call :args returns the arguments. It traps exits when asked, and may sleep in terminate.
struct worker {
  struct state {
    std::vector<term> args;
    std::int64_t terminate_ms = 0;
  };
  state init(std::vector<term> args, bool trap, std::int64_t terminate_ms) {
    if (trap) {
      trap_exit(true);
    }
    return state{std::move(args), terminate_ms};
  }
  term handle_call(const term&, const gen_server::from&, state& s) { return term::list(s.args); }
  gen_server::cast_result handle_cast(const term& req, state&) {
    return gen_server::cast_result::stop(req[1]);
  }
  co<void> terminate(const term&, state& s) {
    if (s.terminate_ms > 0) {
      co_await sleep(s.terminate_ms);
    }
  }
};

struct worker_options {
  otter::restart restart = otter::restart::permanent;
  std::optional<std::int64_t> shutdown;
  bool trap = false;
  std::int64_t terminate_ms = 0;
  std::vector<term> own_args;
};

child_spec worker_spec(worker_options o = {}) {
  child_spec spec;
  spec.id = term(a("worker"));
  spec.restart = o.restart;
  spec.shutdown = o.shutdown;
  spec.start = [o](const std::vector<term>& extra) {
    std::vector<term> args = extra;
    args.insert(args.end(), o.own_args.begin(), o.own_args.end());
    return gen_server::start_link<worker>(std::move(args), o.trap, o.terminate_ms);
  };
  return spec;
}

void stop_child(pid child, term reason) {
  gen_server::cast(child, tuple(a("exit"), std::move(reason)));
}

/// Collects the reports logged during a test (and keeps the test quiet).
class captured_logs {
public:
  captured_logs() {
    previous_ = set_log_sink([this](const log_event& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
    });
  }
  ~captured_logs() { set_log_sink(previous_); }
  captured_logs(const captured_logs&) = delete;
  captured_logs& operator=(const captured_logs&) = delete;

  /// The supervisor reports, each as {context, reason}.
  std::vector<term> supervisor_reports() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<term> out;
    for (const log_event& e : events_) {
      if (e.kind == "supervisor_report") {
        out.push_back(tuple(e.fields[0].second, e.fields[3].second));
      }
    }
    return out;
  }

private:
  log_sink previous_;
  std::mutex mu_;
  std::vector<log_event> events_;
};

class DynamicSupervisorTest : public test_support::on_both_runtimes {
protected:
  captured_logs logs_;
};

/// Waits until `sup` has no child `old` any more, and returns its children's pids.
co<std::vector<pid>> children_without(pid sup, pid old) {
  for (;;) {
    std::vector<dynamic_supervisor::child_info> cs =
        co_await dynamic_supervisor::which_children(sup);
    std::vector<pid> out;
    for (const auto& c : cs) {
      out.push_back(c.child);
    }
    if (std::find(out.begin(), out.end(), old) == out.end()) {
      co_return out;
    }
    co_await sleep(1);
  }
}

TEST_P(DynamicSupervisorTest, StartChildReturnsTheChildAndWhichChildrenListsIt) {
  run([]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    EXPECT_TRUE(sup.has_value());
    EXPECT_TRUE((co_await dynamic_supervisor::which_children(*sup)).empty());
    start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    EXPECT_TRUE(c.has_value());
    std::vector<dynamic_supervisor::child_info> cs =
        co_await dynamic_supervisor::which_children(*sup);
    EXPECT_EQ(cs.size(), 1U);
    EXPECT_EQ(cs[0].to_term(), tuple(atoms::undefined, *c, a("worker"), term::list({})));
    dynamic_supervisor::child_counts n = co_await dynamic_supervisor::count_children(*sup);
    EXPECT_EQ(n, (dynamic_supervisor::child_counts{1, 1, 0, 1}));
    co_await dynamic_supervisor::stop(*sup);
    EXPECT_FALSE(alive(*c));
  });
}

TEST_P(DynamicSupervisorTest, TerminateChildStopsTheChildOnceAndRejectsStrangers) {
  run([]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    worker_options o;
    o.trap = true;
    start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec(o));
    ref mon = monitor(*c);
    expected<void> r = co_await dynamic_supervisor::terminate_child(*sup, *c);
    EXPECT_TRUE(r.has_value());
    down_msg d = co_await test_support::down_of(mon);
    EXPECT_EQ(d.reason, term(atoms::shutdown));
    r = co_await dynamic_supervisor::terminate_child(*sup, *c);
    EXPECT_EQ(r.error(), failure::of(errc::not_found));
    r = co_await dynamic_supervisor::terminate_child(*sup, self());
    EXPECT_EQ(r.error(), failure::of(errc::not_found));
    EXPECT_EQ((co_await dynamic_supervisor::count_children(*sup)).specs, 0);
    co_await dynamic_supervisor::stop(*sup);
  });
}

TEST_P(DynamicSupervisorTest, APermanentChildIsRestartedWithTheExtraArgumentsPrepended) {
  run([]() -> co<void> {
    dynamic_supervisor::options opts;
    opts.extra_arguments = {term(a("extra1")), term(a("extra2"))};
    start_result sup = co_await dynamic_supervisor::start_link(opts);
    worker_options o;
    o.own_args = {term(a("own"))};
    start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec(o));
    const term want = list(a("extra1"), a("extra2"), a("own"));
    EXPECT_EQ(co_await gen_server::call(*c, term(a("args"))), want);
    stop_child(*c, term(a("boom")));
    std::vector<pid> now = co_await children_without(*sup, *c);
    EXPECT_EQ(now.size(), 1U);
    EXPECT_EQ(co_await gen_server::call(now[0], term(a("args"))), want);
    co_await dynamic_supervisor::stop(*sup);
  });
  EXPECT_EQ(logs_.supervisor_reports(), std::vector<term>{tuple(a("child_terminated"), a("boom"))});
}

OTTER_ON_BOTH_RUNTIMES(DynamicSupervisorTest);

}  // namespace
}  // namespace otter
