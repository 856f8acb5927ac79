// The supervisor matrix (OTP's supervisor_SUITE): restart type x exit reason x strategy, each
// case checked with a real supervisor on both runtimes against one table of OTP's rules.
//
// Every case starts a supervisor with three children in start order [before, subject, after];
// `before` and `after` are permanent, `subject` has the restart type under test. The subject
// ends with the reason under test; once its DOWN has arrived, which_children is answered after
// the supervisor has handled the {:EXIT} (the exit signal to a linked process is sent before
// the DOWN, and the call is sent after it), so what it shows is the final state.

#include "otter/otp/supervisor.hpp"

#include "otp/supervisor_test_support.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <tuple>

namespace otter {
namespace {

using test_support::a;
using test_support::probe_spec;
using test_support::report_catcher;
using test_support::runtime_kind;
using test_support::stop_probe;

enum class ending : std::uint8_t { normal, shutdown, shutdown_tuple, abnormal, kill };

/// What the subject is after the supervisor has handled its exit.
enum class left_as : std::uint8_t { new_pid, undefined, removed };

// -- the expectations: OTP's do_restart/3 ------------------------------------------------------
struct rule {
  restart type;
  ending how;
  bool restarted;  // restart/2 runs (then the strategy decides about the siblings)
  bool reported;   // a child_terminated supervisor_report is logged
  left_as subject;
};
constexpr rule rules[] = {
    // restart            exit                    restarted reported subject
    {restart::permanent, ending::normal, true, true, left_as::new_pid},
    {restart::permanent, ending::shutdown, true, true, left_as::new_pid},
    {restart::permanent, ending::shutdown_tuple, true, true, left_as::new_pid},
    {restart::permanent, ending::abnormal, true, true, left_as::new_pid},
    {restart::permanent, ending::kill, true, true, left_as::new_pid},
    {restart::transient, ending::normal, false, false, left_as::undefined},
    {restart::transient, ending::shutdown, false, false, left_as::undefined},
    {restart::transient, ending::shutdown_tuple, false, false, left_as::undefined},
    {restart::transient, ending::abnormal, true, true, left_as::new_pid},
    {restart::transient, ending::kill, true, true, left_as::new_pid},
    {restart::temporary, ending::normal, false, false, left_as::removed},
    {restart::temporary, ending::shutdown, false, false, left_as::removed},
    {restart::temporary, ending::shutdown_tuple, false, false, left_as::removed},
    {restart::temporary, ending::abnormal, false, true, left_as::removed},
    {restart::temporary, ending::kill, false, true, left_as::removed},
};

// -- the expectations: OTP's restart/3 per strategy ------------------------------------------
struct sibling_rule {
  supervisor::strategy strategy;
  bool before_restarted;  // started before the subject
  bool after_restarted;   // started after it
};
constexpr sibling_rule sibling_rules[] = {
    {supervisor::strategy::one_for_one, false, false},
    {supervisor::strategy::one_for_all, true, true},
    {supervisor::strategy::rest_for_one, false, true},
};

term reason_of(ending e) {
  switch (e) {
    case ending::normal:
      return term(atoms::normal);
    case ending::shutdown:
      return term(atoms::shutdown);
    case ending::shutdown_tuple:
      return tuple(atoms::shutdown, a("x"));
    case ending::abnormal:
      return term(a("boom"));
    case ending::kill:
      return term(atoms::killed);
  }
  return term();
}

std::string name_of(restart r) {
  return r == restart::permanent   ? "Permanent"
         : r == restart::transient ? "Transient"
                                   : "Temporary";
}
std::string name_of(ending e) {
  constexpr const char* names[] = {"Normal", "Shutdown", "ShutdownTuple", "Abnormal", "Kill"};
  return names[static_cast<int>(e)];
}
std::string name_of(supervisor::strategy s) {
  constexpr const char* names[] = {"OneForOne", "OneForAll", "RestForOne"};
  return names[static_cast<int>(s)];
}

// GoogleTest prints parameters that have no operator<<; these keep its output readable.
void PrintTo(const rule& r, std::ostream* os) {  // NOLINT(readability-identifier-naming)
  *os << name_of(r.type) << name_of(r.how);
}
void PrintTo(const sibling_rule& s, std::ostream* os) {  // NOLINT(readability-identifier-naming)
  *os << name_of(s.strategy);
}

using matrix_param = std::tuple<rule, sibling_rule, runtime_kind>;

struct observed {
  term subject;  // :new_pid, :undefined or :removed
  bool before_restarted = false;
  bool after_restarted = false;
  term reports;
};

co<observed> run_case(rule r, supervisor::strategy strategy) {
  trap_exit(true);
  supervisor::options opts{.strategy = strategy, .max_restarts = 10};
  std::vector<child_spec> specs{probe_spec("before"), probe_spec("subject", r.type),
                                probe_spec("after")};
  start_result sup = co_await supervisor::start_link(std::move(specs), opts);
  pid before = co_await test_support::child_pid(*sup, "before");
  pid subject = co_await test_support::child_pid(*sup, "subject");
  pid after = co_await test_support::child_pid(*sup, "after");
  ref mon = monitor(subject);
  if (r.how == ending::kill) {
    otter::exit(subject, term(atoms::kill));
  } else {
    stop_probe(subject, reason_of(r.how));
  }
  down_msg d = co_await test_support::down_of(mon);
  EXPECT_EQ(d.reason, reason_of(r.how));

  std::vector<supervisor::child_info> now = co_await supervisor::which_children(*sup);
  observed o;
  o.subject = term(a("removed"));
  for (const auto& c : now) {
    if (c.id == term(a("subject"))) {
      o.subject = c.child.is_pid() && c.child.as_pid() != subject ? term(a("new_pid")) : c.child;
    } else if (c.id == term(a("before"))) {
      o.before_restarted = c.child.as_pid() != before;
    } else if (c.id == term(a("after"))) {
      o.after_restarted = c.child.as_pid() != after;
    }
  }
  co_await supervisor::stop(*sup);
  co_return o;
}

class SupervisorMatrixTest : public ::testing::TestWithParam<matrix_param> {};

TEST_P(SupervisorMatrixTest, TheSupervisorFollowsOtpsRestartRules) {
  const auto& [r, s, kind] = GetParam();
  report_catcher reports;
  observed o;
  auto body = [&, r = r, strategy = s.strategy]() -> co<void> {
    o = co_await run_case(r, strategy);
  };
  if (kind == runtime_kind::deterministic) {
    testing::deterministic_runtime rt;
    rt.run(body, test_support::run_deadline);
  } else {
    runtime rt(runtime_options{.schedulers = 2});
    rt.run(body, test_support::run_deadline);
  }

  const term subject_state = r.subject == left_as::new_pid     ? term(a("new_pid"))
                             : r.subject == left_as::undefined ? term(atoms::undefined)
                                                               : term(a("removed"));
  EXPECT_EQ(o.subject, subject_state);
  EXPECT_EQ(o.before_restarted, r.restarted && s.before_restarted);
  EXPECT_EQ(o.after_restarted, r.restarted && s.after_restarted);
  term expected_reports =
      r.reported ? list(tuple(a("child_terminated"), a("subject"), reason_of(r.how))) : list();
  EXPECT_EQ(reports.summary(), expected_reports);
}

std::string case_name(const ::testing::TestParamInfo<matrix_param>& info) {
  const rule& r = std::get<0>(info.param);
  const sibling_rule& s = std::get<1>(info.param);
  const bool det = std::get<2>(info.param) == runtime_kind::deterministic;
  return name_of(r.type) + name_of(r.how) + name_of(s.strategy)
         + (det ? "Deterministic" : "Threaded");
}

INSTANTIATE_TEST_SUITE_P(
    , SupervisorMatrixTest,
    ::testing::Combine(::testing::ValuesIn(rules), ::testing::ValuesIn(sibling_rules),
                       ::testing::Values(runtime_kind::deterministic, runtime_kind::threaded)),
    case_name);

}  // namespace
}  // namespace otter
