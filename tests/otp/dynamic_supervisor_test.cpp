// DynamicSupervisor: starting and stopping children, results of start_child, restarts and
// their intensity, extra_arguments, reports, and the parallel shutdown.

#include "otter/otp/dynamic_supervisor.hpp"

#include "otter/core/logger.hpp"
#include "otter/core/process_info.hpp"
#include "otter/otp/gen_server.hpp"
#include "otter/otp/task_supervisor.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
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
  /// A negative terminate_ms makes init fail with {:stop, :bad_init}.
  gen_server::init_result<state> init(std::vector<term> args, bool trap,
                                      std::int64_t terminate_ms) {
    if (terminate_ms < 0) {
      return gen_server::init_result<state>::stop(term(a("bad_init")));
    }
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

  /// The supervisor reports, each as {context, reason} (or {supervisor, child_id} with
  /// `who`).
  std::vector<term> supervisor_reports(bool who = false) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<term> out;
    for (const log_event& e : events_) {
      if (e.kind == "supervisor_report") {
        out.push_back(who ? tuple(e.fields[1].second, e.fields[2].second)
                          : tuple(e.fields[0].second, e.fields[3].second));
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

TEST_P(DynamicSupervisorTest, StartResultsOfTheStartFunctionPassThrough) {
  run([]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    child_spec ignoring;
    ignoring.start = start_with([]() -> co<start_result> {
      co_return unexpected(failure{errc::ignore, term(a("ignore"))});
    });
    start_result r = co_await dynamic_supervisor::start_child(*sup, std::move(ignoring));
    EXPECT_EQ(to_term(r), term(a("ignore")));

    child_spec refusing;
    refusing.start = start_with([]() -> co<start_result> {
      co_return unexpected(failure::from_reason(term(a("refused"))));
    });
    r = co_await dynamic_supervisor::start_child(*sup, std::move(refusing));
    EXPECT_EQ(to_term(r), tuple(atoms::error, a("refused")));

    child_spec raising;
    raising.start = start_with([]() -> co<start_result> {
      throw std::runtime_error("start raised");
      co_return pid();
    });
    r = co_await dynamic_supervisor::start_child(*sup, std::move(raising));
    EXPECT_EQ(r.error().reason[0].struct_name(), "RuntimeError");
    EXPECT_EQ(r.error().reason[1], stacktrace());

    child_spec exiting;
    exiting.start = start_with([]() -> co<start_result> {
      otter::exit(term(a("went_away")));
      co_return pid();
    });
    r = co_await dynamic_supervisor::start_child(*sup, std::move(exiting));
    EXPECT_EQ(r.error().reason, term(a("went_away")));

    // A child whose init fails: GenServer's own {:error, reason}.
    child_spec failing;
    failing.start = start_with([]() {
      return gen_server::start_link<worker>(std::vector<term>{}, false, std::int64_t{-1});
    });
    r = co_await dynamic_supervisor::start_child(*sup, std::move(failing));
    EXPECT_EQ(to_term(r), tuple(atoms::error, a("bad_init")));
    EXPECT_EQ((co_await dynamic_supervisor::count_children(*sup)).specs, 0);
    co_await dynamic_supervisor::stop(*sup);
  });
}

TEST_P(DynamicSupervisorTest, MaxChildrenLimitsTheChildrenRunningAtOnce) {
  run([]() -> co<void> {
    dynamic_supervisor::options opts;
    opts.max_children = 2;
    start_result sup = co_await dynamic_supervisor::start_link(opts);
    start_result c1 = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    start_result c2 = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    start_result c3 = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    EXPECT_TRUE(c1 && c2);
    EXPECT_EQ(c3.error(), failure::of(errc::max_children));
    EXPECT_TRUE((co_await dynamic_supervisor::terminate_child(*sup, *c1)).has_value());
    c3 = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    EXPECT_TRUE(c3.has_value());
    co_await dynamic_supervisor::stop(*sup);
  });
}

TEST_P(DynamicSupervisorTest, AnInvalidSpecIsRejectedInTheCallerWithElixirsReason) {
  run([]() -> co<void> {
    // The supervisor is not running: the spec is refused before it would be asked.
    start_result sup = co_await dynamic_supervisor::start_link();
    co_await dynamic_supervisor::stop(*sup);

    child_spec no_start;
    start_result r = co_await dynamic_supervisor::start_child(*sup, no_start);
    EXPECT_EQ(r.error().code, errc::invalid_child_spec);
    EXPECT_TRUE(r.error().reason.is_tagged(a("invalid_child_spec"), 2));

    child_spec zero = worker_spec();
    zero.shutdown = 0;  // Elixir wants a positive shutdown
    r = co_await dynamic_supervisor::start_child(*sup, zero);
    EXPECT_EQ(r.error(), (failure{errc::invalid_child_spec, tuple(a("invalid_shutdown"), 0)}));

    child_spec bad_mfa = worker_spec();
    bad_mfa.mfa = tuple(a("Elixir.M"), a("f"), a("not_a_list"));
    r = co_await dynamic_supervisor::start_child(*sup, bad_mfa);
    EXPECT_EQ(r.error().reason, tuple(a("invalid_mfa"), bad_mfa.mfa));

    child_spec bad_modules = worker_spec();
    bad_modules.modules = list(1);
    r = co_await dynamic_supervisor::start_child(*sup, bad_modules);
    EXPECT_EQ(r.error().reason, tuple(a("invalid_modules"), list(1)));
  });
}

TEST_P(DynamicSupervisorTest, StartLinkRejectsInvalidOptions) {
  term reason;
  run([&]() -> co<void> {
    trap_exit(true);
    dynamic_supervisor::options opts;
    opts.max_seconds = 0;
    start_result sup = co_await dynamic_supervisor::start_link(opts);
    reason = sup.error().reason;
  });
  EXPECT_EQ(reason, tuple(a("supervisor_data"), tuple(a("invalid_period"), 0)));
}

// The restart rules of Elixir (and OTP): which exits of which children are restarted, and
// which are reported. One child at a time, as in conformance scenario 53.
TEST_P(DynamicSupervisorTest, RestartTypesDecideWhichExitsAreRestarted) {
  struct row {
    otter::restart restart;
    term reason;
    bool restarted;
    bool reported;
  };
  const std::vector<row> table = {
      {otter::restart::permanent, term(a("normal")), true, true},
      {otter::restart::permanent, term(a("shutdown")), true, true},
      {otter::restart::permanent, tuple(a("shutdown"), 1), true, true},
      {otter::restart::permanent, term(a("boom")), true, true},
      {otter::restart::transient, term(a("normal")), false, false},
      {otter::restart::transient, term(a("shutdown")), false, false},
      {otter::restart::transient, tuple(a("shutdown"), 1), false, false},
      {otter::restart::transient, term(a("boom")), true, true},
      {otter::restart::temporary, term(a("normal")), false, false},
      {otter::restart::temporary, term(a("shutdown")), false, false},
      {otter::restart::temporary, tuple(a("shutdown"), 1), false, false},
      {otter::restart::temporary, term(a("boom")), false, true},
  };
  std::vector<std::size_t> children_after;
  run([&]() -> co<void> {
    dynamic_supervisor::options opts;
    opts.max_restarts = 100;
    start_result sup = co_await dynamic_supervisor::start_link(opts);
    for (const row& r : table) {
      worker_options o;
      o.restart = r.restart;
      start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec(o));
      stop_child(*c, r.reason);
      std::vector<pid> now = co_await children_without(*sup, *c);
      children_after.push_back(now.size());
      for (pid p : now) {
        (void)co_await dynamic_supervisor::terminate_child(*sup, p);
      }
    }
    co_await dynamic_supervisor::stop(*sup);
  });
  std::vector<term> reports = logs_.supervisor_reports();
  std::size_t next_report = 0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(children_after[i], table[i].restarted ? 1U : 0U) << "row " << i;
    if (table[i].reported) {
      ASSERT_LT(next_report, reports.size());
      EXPECT_EQ(reports[next_report++], tuple(a("child_terminated"), table[i].reason));
    }
  }
  EXPECT_EQ(next_report, reports.size());
}

// Children of different specs started in turn (so no two consecutive ones share what their
// specs have in common) keep their own modules, shutdown and restart type, also across a
// restart.
TEST_P(DynamicSupervisorTest, ChildrenOfAlternatingSpecsKeepTheirOwnSpec) {
  std::vector<term> before;
  std::vector<term> after;
  std::vector<term> reports;
  run([&]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    worker_options temp;
    temp.restart = otter::restart::temporary;
    temp.shutdown = brutal_kill;
    std::vector<pid> kids;
    for (int i = 0; i < 4; ++i) {
      child_spec spec = worker_spec(i % 2 == 0 ? worker_options{} : temp);
      spec.modules = i % 2 == 0 ? list(a("perm")) : term(a("dynamic"));
      start_result c = co_await dynamic_supervisor::start_child(*sup, std::move(spec));
      kids.push_back(*c);
    }
    auto modules_in_start_order = [&]() -> co<std::vector<term>> {
      std::vector<dynamic_supervisor::child_info> cs =
          co_await dynamic_supervisor::which_children(*sup);
      std::vector<term> out;
      for (pid k : kids) {
        auto it = std::find_if(cs.begin(), cs.end(), [k](const auto& c) { return c.child == k; });
        out.push_back(it == cs.end() ? term(a("gone")) : it->modules);
      }
      co_return out;
    };
    before = co_await modules_in_start_order();
    // A temporary, brutal_kill child: killed by terminate_child, not restarted after a crash.
    ref mon = monitor(kids[1]);
    (void)co_await dynamic_supervisor::terminate_child(*sup, kids[1]);
    reports.push_back((co_await test_support::down_of(mon)).reason);
    stop_child(kids[3], a("boom"));
    (void)co_await children_without(*sup, kids[3]);
    // A permanent child is restarted with its own modules.
    stop_child(kids[0], a("boom"));
    std::vector<pid> now = co_await children_without(*sup, kids[0]);
    EXPECT_EQ(now.size(), 2U);
    kids.push_back(now[0] == kids[2] ? now[1] : now[0]);
    after = co_await modules_in_start_order();
    co_await dynamic_supervisor::stop(*sup);
  });
  term perm = list(a("perm"));
  term dynamic = term(a("dynamic"));
  term gone = term(a("gone"));
  EXPECT_EQ(before, (std::vector<term>{perm, dynamic, perm, dynamic}));
  EXPECT_EQ(after, (std::vector<term>{gone, gone, perm, gone, perm}));
  EXPECT_EQ(reports, (std::vector<term>{term(atoms::killed)}));
}

// More than max_restarts restarts within max_seconds stop the supervisor with :shutdown,
// after it has stopped its other children. Times are on the runtime's clock; on the
// deterministic runtime, two crashes 6 s apart show that an old restart leaves the window.
TEST_P(DynamicSupervisorTest, TooManyRestartsShutTheSupervisorDown) {
  const bool exact = GetParam() == test_support::runtime_kind::deterministic;
  term sup_reason;
  term other_reason;
  run([&]() -> co<void> {
    trap_exit(true);
    dynamic_supervisor::options opts;
    opts.max_restarts = 2;
    opts.max_seconds = 5;
    start_result sup = co_await dynamic_supervisor::start_link(opts);
    worker_options trapping;
    trapping.trap = true;
    start_result other = co_await dynamic_supervisor::start_child(*sup, worker_spec(trapping));
    ref other_mon = monitor(*other);
    start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    pid current = *c;
    auto crash = [&]() -> co<void> {
      stop_child(current, term(a("boom")));
      std::vector<pid> now = co_await children_without(*sup, current);
      current = now[0] == *other ? now[1] : now[0];
    };
    if (exact) {
      for (int i = 0; i < 2; ++i) {
        co_await crash();
        co_await sleep(6000);
      }
    }
    // Three crashes within the window: the third is one restart too many.
    co_await crash();
    co_await crash();
    stop_child(current, term(a("boom")));
    sup_reason = co_await receive(on<exit_msg>([](exit_msg& m) { return m.reason; }));
    other_reason = (co_await test_support::down_of(other_mon)).reason;
  });
  EXPECT_EQ(sup_reason, term(atoms::shutdown));
  EXPECT_EQ(other_reason, term(atoms::shutdown));
  std::vector<term> reports = logs_.supervisor_reports();
  ASSERT_EQ(reports.size(), exact ? 6U : 4U);
  EXPECT_EQ(reports.back(), tuple(a("shutdown"), a("reached_max_restart_intensity")));
}

// A restart whose start fails leaves the child :restarting, and the supervisor retries it
// through its mailbox until the start succeeds (here: the second try).
TEST_P(DynamicSupervisorTest, AFailedRestartIsRetried) {
  auto tries = std::make_shared<std::atomic<int>>(0);
  std::int64_t specs_after = -1;
  run([&]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    child_spec spec;
    spec.start = [tries](const std::vector<term>&) -> co<start_result> {
      int n = tries->fetch_add(1) + 1;
      if (n == 2) {
        co_return unexpected(failure::from_reason(term(a("not_now"))));
      }
      co_return co_await gen_server::start_link<worker>(std::vector<term>{}, false,
                                                        std::int64_t{0});
    };
    start_result c = co_await dynamic_supervisor::start_child(*sup, std::move(spec));
    stop_child(*c, term(a("boom")));
    std::vector<pid> now = co_await children_without(*sup, *c);
    while (now.empty() || now[0].is_null()) {
      co_await sleep(1);
      now = co_await children_without(*sup, *c);
    }
    specs_after = (co_await dynamic_supervisor::count_children(*sup)).active;
    co_await dynamic_supervisor::stop(*sup);
  });
  EXPECT_EQ(tries->load(), 3);
  EXPECT_EQ(specs_after, 1);
  std::vector<term> reports = logs_.supervisor_reports();
  ASSERT_EQ(reports.size(), 2U);
  EXPECT_EQ(reports[0], tuple(a("child_terminated"), a("boom")));
  EXPECT_EQ(reports[1], tuple(a("start_error"), a("not_now")));
}

// terminate_child waits for the child; brutal_kill kills it; a child that outlives its
// shutdown time is killed and reported.
TEST_P(DynamicSupervisorTest, TerminateChildHonoursTheChildsShutdown) {
  std::vector<term> reasons;
  std::int64_t waited = -1;
  run([&]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    worker_options brutal;
    brutal.trap = true;
    brutal.shutdown = brutal_kill;
    brutal.terminate_ms = 1000;
    worker_options too_slow;
    too_slow.trap = true;
    too_slow.shutdown = 50;
    too_slow.terminate_ms = 10000;
    for (const worker_options& o : {brutal, too_slow}) {
      start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec(o));
      ref mon = monitor(*c);
      std::int64_t t0 = now_ms();
      (void)co_await dynamic_supervisor::terminate_child(*sup, *c);
      waited = now_ms() - t0;
      reasons.push_back((co_await test_support::down_of(mon)).reason);
    }
    co_await dynamic_supervisor::stop(*sup);
  });
  EXPECT_EQ(reasons, (std::vector<term>{term(atoms::killed), term(atoms::killed)}));
  EXPECT_GE(waited, 50);
  if (GetParam() == test_support::runtime_kind::deterministic) {
    EXPECT_EQ(waited, 50);
  }
  EXPECT_EQ(logs_.supervisor_reports(),
            std::vector<term>{tuple(a("shutdown_error"), atoms::killed)});
}

// On shutdown every child gets its exit signal at once: five children that each need 300 ms
// stop in 300 ms, not 1.5 s.
TEST_P(DynamicSupervisorTest, ShutdownStopsTheChildrenInParallel) {
  std::int64_t took = -1;
  run([&]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    worker_options o;
    o.trap = true;
    o.terminate_ms = 300;
    for (int i = 0; i < 5; ++i) {
      (void)co_await dynamic_supervisor::start_child(*sup, worker_spec(o));
    }
    std::int64_t t0 = now_ms();
    co_await dynamic_supervisor::stop(*sup);
    took = now_ms() - t0;
  });
  EXPECT_GE(took, 300);
  EXPECT_LT(took, 1000);
  if (GetParam() == test_support::runtime_kind::deterministic) {
    EXPECT_EQ(took, 300);
  }
}

// The supervisor stops (and stops its children) when its parent exits, as any GenServer
// started with start_link.
TEST_P(DynamicSupervisorTest, TheSupervisorStopsWithItsParent) {
  term child_reason;
  run([&]() -> co<void> {
    pid me = self();
    pid parent = spawn([me]() -> co<void> {
      start_result sup = co_await dynamic_supervisor::start_link();
      worker_options o;
      o.trap = true;
      start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec(o));
      send(me, *c);
      co_await receive<atom>();  // until told to exit
      otter::exit(term(a("parent_gone")));
    });
    pid child = co_await receive<pid>();
    ref mon = monitor(child);
    send(parent, a("go"));
    child_reason = (co_await test_support::down_of(mon)).reason;
  });
  EXPECT_EQ(child_reason, term(atoms::shutdown));
}

TEST_P(DynamicSupervisorTest, ANamedSupervisorIsCalledByNameAndReportsItsName) {
  run([]() -> co<void> {
    dynamic_supervisor::options opts;
    opts.name = server_ref(a("dyn_named"));
    start_result sup = co_await dynamic_supervisor::start_link(opts);
    EXPECT_EQ(whereis(a("dyn_named")), *sup);
    start_result again = co_await dynamic_supervisor::start_link(opts);
    EXPECT_EQ(again.error().code, errc::already_started);
    start_result c = co_await dynamic_supervisor::start_child(a("dyn_named"), worker_spec());
    stop_child(*c, term(a("boom")));
    (void)co_await children_without(*sup, *c);
    co_await dynamic_supervisor::stop(a("dyn_named"));
  });
  EXPECT_EQ(logs_.supervisor_reports(true),
            std::vector<term>{tuple(tuple(a("local"), a("dyn_named")), atoms::undefined)});
}

TEST_P(DynamicSupervisorTest, AnUnnamedSupervisorReportsItselfAsPidAndDefaultModule) {
  pid sup_pid;
  run([&]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    sup_pid = *sup;
    start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec());
    stop_child(*c, term(a("boom")));
    (void)co_await children_without(*sup, *c);
    co_await dynamic_supervisor::stop(*sup);
  });
  EXPECT_EQ(
      logs_.supervisor_reports(true),
      std::vector<term>{tuple(tuple(sup_pid, a("Elixir.Supervisor.Default")), atoms::undefined)});
}

TEST_P(DynamicSupervisorTest, ATaskSupervisorReportsItselfAsPidAndTaskSupervisor) {
  pid sup_pid;
  term initial_call;
  run([&]() -> co<void> {
    start_result sup = co_await task_supervisor::start_link();
    sup_pid = *sup;
    std::optional<process_info_t> info = co_await process_info(*sup);
    for (const auto& [key, value] : info->dictionary) {
      if (key == term(atoms::initial_call)) {
        initial_call = value;
      }
    }
    start_result c = co_await task_supervisor::start_child(
        *sup, []() -> co<void> { (void)co_await receive<atom>(); });
    otter::exit(*c, term(a("boom")));
    (void)co_await children_without(*sup, *c);
    co_await dynamic_supervisor::stop(*sup);
  });
  EXPECT_EQ(
      logs_.supervisor_reports(true),
      std::vector<term>{tuple(tuple(sup_pid, a("Elixir.Task.Supervisor")), atoms::undefined)});
  EXPECT_EQ(initial_call, tuple(a("supervisor"), a("Elixir.Task.Supervisor"), 1));
}

// A dynamic supervisor may supervise another one: supervisor_spec() makes its child spec.
TEST_P(DynamicSupervisorTest, ADynamicSupervisorCanBeAChildOfAnother) {
  dynamic_supervisor::child_counts counts;
  run([&]() -> co<void> {
    start_result outer = co_await dynamic_supervisor::start_link();
    start_result inner =
        co_await dynamic_supervisor::start_child(*outer, dynamic_supervisor::supervisor_spec());
    (void)co_await dynamic_supervisor::start_child(*inner, worker_spec());
    counts = co_await dynamic_supervisor::count_children(*outer);
    std::vector<dynamic_supervisor::child_info> cs =
        co_await dynamic_supervisor::which_children(*outer);
    EXPECT_EQ(cs[0].to_term()[2], term(a("supervisor")));
    co_await dynamic_supervisor::stop(*outer);
    EXPECT_FALSE(alive(*inner));
  });
  EXPECT_EQ(counts, (dynamic_supervisor::child_counts{1, 1, 1, 0}));
}

// Children are kept in a hash map: many of them cost little, and stopping them all is one
// pass (their DOWNs are collected together).
TEST_P(DynamicSupervisorTest, ThousandsOfChildrenStartAndStop) {
  constexpr int n = 3000;
  dynamic_supervisor::child_counts counts;
  std::int64_t alive_after = -1;
  run([&]() -> co<void> {
    start_result sup = co_await dynamic_supervisor::start_link();
    std::vector<pid> children;
    for (int i = 0; i < n; ++i) {
      start_result c = co_await dynamic_supervisor::start_child(*sup, worker_spec());
      children.push_back(*c);
    }
    counts = co_await dynamic_supervisor::count_children(*sup);
    for (int i = 0; i < n / 2; ++i) {
      (void)co_await dynamic_supervisor::terminate_child(*sup, children[i]);
    }
    co_await dynamic_supervisor::stop(*sup);
    alive_after = std::count_if(children.begin(), children.end(), [](pid p) { return alive(p); });
  });
  EXPECT_EQ(counts, (dynamic_supervisor::child_counts{n, n, 0, n}));
  EXPECT_EQ(alive_after, 0);
}

OTTER_ON_BOTH_RUNTIMES(DynamicSupervisorTest);

}  // namespace
}  // namespace otter
