// Supervisor: starting, strategies, intensity, the child management API and its errors.
// The restart-type x exit-reason x strategy matrix is in supervisor_matrix_test.cpp; child
// shutdown in supervisor_shutdown_test.cpp; the Elixir traces in tests/conformance/37-49.

#include "otter/otp/supervisor.hpp"

#include "otter/otp/sys.hpp"
#include "otter/testing/trace.hpp"

#include "otp/supervisor_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

namespace otter {
namespace {

using test_support::a;
using test_support::child_pid;
using test_support::children;
using test_support::events;
using test_support::probe_spec;
using test_support::report_catcher;
using test_support::started;
using test_support::stop_probe;

class SupervisorTest : public test_support::on_both_runtimes {};

term ev(std::string_view what, std::string_view id) {
  return tuple(a(what), a(id));
}
term ev(std::string_view what, std::string_view id, term reason) {
  return tuple(a(what), a(id), std::move(reason));
}

TEST_P(SupervisorTest, StartsChildrenInOrderAndListsThemNewestFirst) {
  term order;
  term listed;
  term counts;
  run([&]() -> co<void> {
    std::vector<child_spec> specs{probe_spec("a"), probe_spec("b")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    order = co_await events(2);
    pid pa = co_await child_pid(*sup, "a");
    pid pb = co_await child_pid(*sup, "b");
    listed = co_await children(*sup);
    EXPECT_EQ(listed, list(tuple(a("b"), pb), tuple(a("a"), pa)));
    counts = (co_await supervisor::count_children(*sup)).to_term();
    co_await supervisor::stop(*sup);
  });
  EXPECT_EQ(order, list(ev("started", "a"), ev("started", "b")));
  EXPECT_EQ(to_string(counts), "%{:active => 2, :specs => 2, :supervisors => 0, :workers => 2}");
}

TEST_P(SupervisorTest, StopTerminatesChildrenInReverseStartOrderWithShutdown) {
  term order;
  run([&]() -> co<void> {
    std::vector<child_spec> specs{probe_spec("a"), probe_spec("b"), probe_spec("c")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    (void)co_await events(3);
    atom stopped = co_await supervisor::stop(*sup);
    EXPECT_EQ(stopped, atoms::ok);
    order = co_await events(3);
  });
  term sd(atoms::shutdown);
  EXPECT_EQ(order,
            list(ev("terminated", "c", sd), ev("terminated", "b", sd), ev("terminated", "a", sd)));
}

TEST_P(SupervisorTest, OneForOneRestartsOnlyTheCrashedChild) {
  report_catcher reports;
  bool a_kept = false;
  bool b_new = false;
  run([&]() -> co<void> {
    std::vector<child_spec> specs{probe_spec("a"), probe_spec("b")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    pid a0 = co_await started("a");
    pid b0 = co_await started("b");
    stop_probe(b0, a("boom"));
    pid b1 = co_await started("b");
    pid listed_b = co_await child_pid(*sup, "b");
    pid listed_a = co_await child_pid(*sup, "a");
    b_new = b1 != b0 && listed_b == b1;
    a_kept = listed_a == a0;
    co_await supervisor::stop(*sup);
  });
  EXPECT_TRUE(a_kept);
  EXPECT_TRUE(b_new);
  EXPECT_EQ(reports.summary(), list(tuple(a("child_terminated"), a("b"), a("boom"))));
}

TEST_P(SupervisorTest, OneForAllStopsTheOthersInReverseOrderThenStartsAllInOrder) {
  report_catcher reports;
  term order;
  run([&]() -> co<void> {
    supervisor::options o{.strategy = supervisor::strategy::one_for_all};
    std::vector<child_spec> specs{probe_spec("a"), probe_spec("b"), probe_spec("c")};
    start_result sup = co_await supervisor::start_link(std::move(specs), o);
    (void)co_await events(3);
    pid b0 = co_await child_pid(*sup, "b");
    stop_probe(b0, a("boom"));
    order = co_await events(6);
    co_await supervisor::stop(*sup);
  });
  term sd(atoms::shutdown);
  EXPECT_EQ(order, list(ev("terminated", "b", a("boom")), ev("terminated", "c", sd),
                        ev("terminated", "a", sd), ev("started", "a"), ev("started", "b"),
                        ev("started", "c")));
}

TEST_P(SupervisorTest, RestForOneRestartsTheCrashedChildAndThoseStartedAfterIt) {
  report_catcher reports;
  term order;
  bool a_kept = false;
  run([&]() -> co<void> {
    supervisor::options o{.strategy = supervisor::strategy::rest_for_one};
    std::vector<child_spec> specs{probe_spec("a"), probe_spec("b"), probe_spec("c"),
                                  probe_spec("d")};
    start_result sup = co_await supervisor::start_link(std::move(specs), o);
    (void)co_await events(4);
    pid a0 = co_await child_pid(*sup, "a");
    pid b0 = co_await child_pid(*sup, "b");
    stop_probe(b0, a("boom"));
    order = co_await events(6);
    pid a1 = co_await child_pid(*sup, "a");
    a_kept = a1 == a0;
    co_await supervisor::stop(*sup);
  });
  term sd(atoms::shutdown);
  EXPECT_EQ(order, list(ev("terminated", "b", a("boom")), ev("terminated", "d", sd),
                        ev("terminated", "c", sd), ev("started", "b"), ev("started", "c"),
                        ev("started", "d")));
  EXPECT_TRUE(a_kept);
}

// Three restarts in the window are allowed; the fourth stops the supervisor with :shutdown
// after its other children, and says why in a report.
TEST_P(SupervisorTest, ExceedingTheIntensityStopsTheSupervisorWithShutdown) {
  report_catcher reports;
  term sup_reason;
  term last;
  run([&]() -> co<void> {
    trap_exit(true);
    std::vector<child_spec> specs{probe_spec("a"), probe_spec("b")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    (void)co_await events(2);
    for (int i = 0; i < 4; ++i) {
      pid current = co_await child_pid(*sup, "b");
      stop_probe(current, a("boom"));
      if (i < 3) {
        (void)co_await events(2);  // terminated b, started b
      }
    }
    last = co_await events(2);  // terminated b (boom), terminated a (shutdown)
    sup_reason = co_await receive(on<exit_msg>([](exit_msg& m) { return m.reason; }));
  });
  EXPECT_EQ(sup_reason, term(atoms::shutdown));
  EXPECT_EQ(last, list(ev("terminated", "b", a("boom")), ev("terminated", "a", atoms::shutdown)));
  term boom(a("boom"));
  term ct(a("child_terminated"));
  EXPECT_EQ(reports.summary(),
            list(tuple(ct, a("b"), boom), tuple(ct, a("b"), boom), tuple(ct, a("b"), boom),
                 tuple(ct, a("b"), boom),
                 tuple(a("shutdown"), a("b"), a("reached_max_restart_intensity"))));
}

// Restarts older than max_seconds leave the window: on the deterministic runtime the clock is
// virtual, so the sleeps cost nothing and the count is exact.
TEST(SupervisorIntensityTest, RestartsOlderThanMaxSecondsAreForgotten) {
  report_catcher reports;
  testing::deterministic_runtime rt;
  bool alive_after = false;
  rt.run([&]() -> co<void> {
    supervisor::options o{.max_restarts = 1, .max_seconds = 2};
    std::vector<child_spec> specs{probe_spec("a")};
    start_result sup = co_await supervisor::start_link(std::move(specs), o);
    (void)co_await started("a");
    for (int i = 0; i < 3; ++i) {
      pid current = co_await child_pid(*sup, "a");
      stop_probe(current, a("boom"));
      (void)co_await started("a");
      co_await sleep(3000);  // beyond the 2 s window
    }
    alive_after = alive(*sup);
    co_await supervisor::stop(*sup);
  });
  EXPECT_TRUE(alive_after);
}

TEST_P(SupervisorTest, AChildThatFailsToStartMakesStartLinkFailAfterStoppingTheOthers) {
  report_catcher reports;
  term result;
  term order;
  term exit_reason;
  run([&]() -> co<void> {
    trap_exit(true);
    child_spec bad;
    bad.id = term(a("bad"));
    bad.start = start_with(
        []() -> co<start_result> { co_return start_result_of(tuple(atoms::error, a("nope"))); });
    std::vector<child_spec> specs{probe_spec("a"), bad, probe_spec("c")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    result = to_term(sup);
    order = co_await events(2);
    exit_reason = co_await receive(on<exit_msg>([](exit_msg& m) { return m.reason; }));
  });
  term why = tuple(atoms::shutdown, tuple(a("failed_to_start_child"), a("bad"), a("nope")));
  EXPECT_EQ(result, tuple(atoms::error, why));
  EXPECT_EQ(exit_reason, why);
  EXPECT_EQ(order, list(ev("started", "a"), ev("terminated", "a", atoms::shutdown)));
  EXPECT_EQ(reports.summary(), list(tuple(a("start_error"), a("bad"), a("nope"))));
}

// As OTP's, the supervisor process checks its options and specs in init and stops with the
// reason: start_link returns it, and the trapping caller gets the EXIT (nothing else: no child
// started).
TEST_P(SupervisorTest, BadSpecsAndOptionsAreRejectedBeforeAnythingStarts) {
  term duplicate;
  term shutdown;
  term mfa;
  term missing;
  term intensity;
  term exits;
  std::size_t messages = 99;
  report_catcher reports;  // keeps the crash reports out of the test's output
  run([&]() -> co<void> {
    trap_exit(true);
    std::vector<child_spec> twice{probe_spec("a"), probe_spec("a")};
    duplicate = to_term(co_await supervisor::start_link(std::move(twice)));
    child_spec s = probe_spec("s");
    s.shutdown = -5;
    shutdown = to_term(co_await supervisor::start_link(std::vector<child_spec>(1, s)));
    child_spec m = probe_spec("m");
    m.mfa = term(a("not_mfa"));
    mfa = to_term(co_await supervisor::start_link(std::vector<child_spec>(1, m)));
    child_spec none;
    none.id = term(a("none"));
    missing = to_term(co_await supervisor::start_link(std::vector<child_spec>(1, none)));
    intensity = to_term(co_await supervisor::start_link({}, {.max_restarts = -1}));
    std::vector<term> reasons;
    for (int i = 0; i < 5; ++i) {
      reasons.push_back(co_await receive(on<exit_msg>([](exit_msg& e) { return e.reason; })));
    }
    exits = term::list(std::move(reasons));
    messages = self_info().message_queue_len;  // no probe started: no {:started, ..}
  });
  term spec_error(a("start_spec"));
  EXPECT_EQ(duplicate,
            tuple(atoms::error, tuple(spec_error, tuple(a("duplicate_child_name"), a("a")))));
  EXPECT_EQ(shutdown, tuple(atoms::error, tuple(spec_error, tuple(a("invalid_shutdown"), -5))));
  EXPECT_EQ(mfa, tuple(atoms::error, tuple(spec_error, tuple(a("invalid_mfa"), a("not_mfa")))));
  EXPECT_EQ(missing, tuple(atoms::error, tuple(spec_error, a("missing_start"))));
  EXPECT_EQ(intensity,
            tuple(atoms::error, tuple(a("supervisor_data"), tuple(a("invalid_intensity"), -1))));
  EXPECT_EQ(exits, list(duplicate[1], shutdown[1], mfa[1], missing[1], intensity[1]));
  EXPECT_EQ(messages, 0U);
  EXPECT_EQ(reports.summary(), list());  // no child, so no supervisor report
}

TEST_P(SupervisorTest, StartChildReportsOtpErrors) {
  term taken;
  term present;
  term invalid;
  term failed_head;
  errc failed_code = errc::badarg;
  term raised;
  run([&]() -> co<void> {
    std::vector<child_spec> specs{probe_spec("a")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    pid pa = co_await started("a");
    taken = supervisor::to_term(co_await supervisor::start_child(*sup, probe_spec("a")));
    EXPECT_EQ(taken, tuple(atoms::error, tuple(a("already_started"), pa)));
    (void)co_await supervisor::terminate_child(*sup, term(a("a")));
    present = supervisor::to_term(co_await supervisor::start_child(*sup, probe_spec("a")));
    child_spec bad = probe_spec("bad");
    bad.shutdown = -7;
    invalid = supervisor::to_term(co_await supervisor::start_child(*sup, bad));
    child_spec nope;
    nope.id = term(a("nope"));
    nope.start = start_with(
        []() -> co<start_result> { co_return start_result_of(tuple(atoms::error, a("nope"))); });
    supervisor::child_result r = co_await supervisor::start_child(*sup, nope);
    failed_code = r.error().code;
    failed_head = r.error().reason[0];
    child_spec thrower;
    thrower.id = term(a("thrower"));
    thrower.start = start_with([]() -> co<start_result> {
      otter::exit(a("oops"));
      co_return pid();
    });
    raised = (co_await supervisor::start_child(*sup, thrower)).error().reason[0];
    // Nothing of the failed starts was kept.
    term left = co_await children(*sup);
    EXPECT_EQ(left, list(tuple(a("a"), atoms::undefined)));
    co_await supervisor::stop(*sup);
  });
  EXPECT_EQ(present, tuple(atoms::error, a("already_present")));
  EXPECT_EQ(invalid, tuple(atoms::error, tuple(a("invalid_shutdown"), -7)));
  EXPECT_EQ(failed_code, errc::exit);
  EXPECT_EQ(failed_head, term(a("nope")));
  EXPECT_EQ(raised, tuple(atoms::EXIT, a("oops")));
}

TEST_P(SupervisorTest, AnIgnoredStartKeepsTheSpecUnlessTheChildIsTemporary) {
  term kept;
  term listed;
  run([&]() -> co<void> {
    auto ignoring = [](std::string_view id, restart r) {
      child_spec s;
      s.id = term(a(id));
      s.restart = r;
      s.start = start_with([]() -> co<start_result> { co_return start_result_of(a("ignore")); });
      return s;
    };
    std::vector<child_spec> specs{ignoring("perm", restart::permanent),
                                  ignoring("temp", restart::temporary)};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    kept = supervisor::to_term(
        co_await supervisor::start_child(*sup, ignoring("temp2", restart::temporary)));
    listed = co_await children(*sup);
    co_await supervisor::stop(*sup);
  });
  EXPECT_EQ(kept, tuple(atoms::ok, atoms::undefined));
  EXPECT_EQ(listed, list(tuple(a("perm"), atoms::undefined)));
}

TEST_P(SupervisorTest, StartChildAndRestartChildPassOnTheInfoOfAStart) {
  term first;
  term again;
  run([&]() -> co<void> {
    child_spec s;
    s.id = term(a("with_info"));
    s.restart = restart::permanent;
    s.start = start_with([]() -> co<start_result> {
      pid p = spawn_link([]() -> co<void> { (void)co_await receive<pid>(); });
      co_return start_result(p, a("extra"));
    });
    std::vector<child_spec> none;
    start_result sup = co_await supervisor::start_link(std::move(none));
    supervisor::child_result r = co_await supervisor::start_child(*sup, s);
    first = supervisor::to_term(r);
    EXPECT_TRUE(r.has_info());
    (void)co_await supervisor::terminate_child(*sup, term(a("with_info")));
    again = supervisor::to_term(co_await supervisor::restart_child(*sup, term(a("with_info"))));
    co_await supervisor::stop(*sup);
  });
  ASSERT_EQ(first.size(), 3U);
  EXPECT_EQ(first[2], term(a("extra")));
  ASSERT_EQ(again.size(), 3U);
  EXPECT_EQ(again[0], term(atoms::ok));
  EXPECT_TRUE(again[1].is_pid());
  EXPECT_EQ(again[2], term(a("extra")));
}

// Between a failed restart and its retry the child is :restarting; calls that arrive in that
// window see it. The failing start sleeps (virtual time) so that the calls of the test and of
// a helper are queued before the supervisor casts its try_again_restart.
TEST(SupervisorRestartTest, AFailedRestartLeavesTheChildRestartingUntilTheRetry) {
  report_catcher reports;
  testing::deterministic_runtime rt;
  term during;
  term restart_reply;
  term after;
  rt.run([&]() -> co<void> {
    pid test = self();
    auto attempts = std::make_shared<int>(0);
    child_spec flaky;
    flaky.id = term(a("flaky"));
    flaky.start = start_with([attempts, test]() -> co<start_result> {
      int n = ++*attempts;
      if (n == 2) {
        send(test, term(a("failing")));
        co_await sleep(50);
        co_return start_result_of(tuple(atoms::error, a("not_yet")));
      }
      co_return co_await gen_server::start_link<test_support::probe>(
          test_support::probe::config{test, term(a("flaky")), true});
    });
    start_result sup = co_await supervisor::start_link(std::vector<child_spec>(1, flaky));
    pid f1 = co_await started("flaky");
    stop_probe(f1, a("boom"));
    (void)co_await receive(
        on<term>([](const term& t) { return t.is(a("failing")); }, [](term&) {}));
    pid sup_pid = *sup;
    spawn([sup_pid, test]() -> co<void> {
      supervisor::child_result r = co_await supervisor::restart_child(sup_pid, a("flaky"));
      send(test, tuple(a("restart_child"), supervisor::to_term(r)));
    });
    during = co_await children(*sup);
    restart_reply =
        co_await receive(on<term>([](const term& t) { return t.is_tagged(a("restart_child"), 2); },
                                  [](term& t) { return t[1]; }));
    pid f2 = co_await started("flaky");
    after = co_await children(*sup);
    EXPECT_EQ(after, list(tuple(a("flaky"), f2)));
    co_await supervisor::stop(*sup);
  });
  EXPECT_EQ(during, list(tuple(a("flaky"), a("restarting"))));
  EXPECT_EQ(restart_reply, tuple(atoms::error, a("restarting")));
  EXPECT_EQ(reports.summary(), list(tuple(a("child_terminated"), a("flaky"), a("boom")),
                                    tuple(a("start_error"), a("flaky"), a("not_yet"))));
}

TEST_P(SupervisorTest, ANamedSupervisorIsReachedByNameAndReportsItsName) {
  report_catcher reports;
  term listed;
  term taken;
  run([&]() -> co<void> {
    supervisor::options o{.name = server_ref(a("named_sup"))};
    std::vector<child_spec> specs{probe_spec("a")};
    start_result sup = co_await supervisor::start_link(std::move(specs), o);
    pid a0 = co_await started("a");
    listed = co_await children(a("named_sup"));
    EXPECT_EQ(listed, list(tuple(a("a"), a0)));
    taken = to_term(co_await supervisor::start_link({}, o));
    EXPECT_EQ(taken, tuple(atoms::error, tuple(a("already_started"), *sup)));
    stop_probe(a0, a("boom"));
    (void)co_await started("a");
    co_await supervisor::stop(a("named_sup"));
  });
  std::vector<log_event> r = reports.reports();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(report_catcher::field(r[0], "supervisor"), tuple(a("local"), a("named_sup")));
}

TEST_P(SupervisorTest, ReportsNameTheSupervisorByPidAndSupervisorDefault) {
  report_catcher reports;
  pid sup_pid;
  run([&]() -> co<void> {
    std::vector<child_spec> specs{probe_spec("a")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    sup_pid = *sup;
    pid a0 = co_await started("a");
    stop_probe(a0, a("boom"));
    (void)co_await started("a");
    co_await supervisor::stop(*sup);
  });
  std::vector<log_event> r = reports.reports();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0].kind, "supervisor_report");
  EXPECT_EQ(format(r[0]), "supervisor_report context=:child_terminated supervisor={"
                              + to_string(term(sup_pid))
                              + ", Supervisor.Default} child_id=:a reason=:boom");
}

TEST_P(SupervisorTest, CallingADeadSupervisorExitsTheCallerWithNoproc) {
  term caught;
  run([&]() -> co<void> {
    start_result sup = co_await supervisor::start_link({});
    pid p = *sup;
    co_await supervisor::stop(p);
    caught = co_await testing::catching([p]() -> co<term> {
      co_return supervisor::to_term(co_await supervisor::which_children(p));
    });
    EXPECT_EQ(caught,
              tuple(a("exit"),
                    tuple(atoms::noproc, tuple(a("Elixir.GenServer"), a("call"),
                                               list(p, a("which_children"), atoms::infinity)))));
  });
  EXPECT_TRUE(caught.is_tuple());
}

TEST_P(SupervisorTest, TheTryFormsReturnAFailedCallInsteadOfExiting) {
  errc which = errc::exit;
  errc terminate = errc::exit;
  term reason;
  term not_found;
  run([&]() -> co<void> {
    std::vector<child_spec> specs{probe_spec("a")};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    pid p = *sup;
    expected<void> missing = co_await supervisor::try_terminate_child(p, a("zzz"));
    not_found = supervisor::to_term(missing);
    co_await supervisor::stop(p);
    auto w = co_await supervisor::try_which_children(p);
    which = w.error().code;
    reason = w.error().reason;
    expected<void> t = co_await supervisor::try_terminate_child(p, a("a"));
    terminate = t.error().code;
  });
  EXPECT_EQ(not_found, tuple(atoms::error, a("not_found")));
  EXPECT_EQ(which, errc::noproc);
  EXPECT_EQ(terminate, errc::noproc);
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0], term(atoms::noproc));
}

TEST_P(SupervisorTest, GetChildspecAndSysWorkOnASupervisor) {
  term spec;
  term missing;
  term state;
  run([&]() -> co<void> {
    child_spec s = probe_spec("a", restart::transient);
    s.mfa = tuple(a("Elixir.Probe"), a("start_link"), list());
    std::vector<child_spec> specs{s};
    start_result sup = co_await supervisor::start_link(std::move(specs));
    (void)co_await started("a");
    expected<child_spec> found = co_await supervisor::get_childspec(*sup, a("a"));
    spec = to_term(*found);
    expected<child_spec> not_found = co_await supervisor::get_childspec(*sup, a("b"));
    missing = tuple(atoms::error, not_found.error().reason);
    state = co_await sys::get_state<term>(*sup);
    co_await supervisor::stop(*sup);
  });
  EXPECT_EQ(to_string(spec),
            "%{:id => :a, :modules => [Probe], :restart => :transient, :shutdown => 5000, "
            ":significant => false, :start => {Probe, :start_link, []}, :type => :worker}");
  EXPECT_EQ(missing, tuple(atoms::error, a("not_found")));
  ASSERT_TRUE(state.is_tagged(a("state"), 6));
  EXPECT_EQ(state[3], list(a("a")));
}

OTTER_ON_BOTH_RUNTIMES(SupervisorTest);

}  // namespace
}  // namespace otter
