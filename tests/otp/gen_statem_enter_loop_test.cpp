// gen_statem:enter_loop (OTP 25): a process started by proc_lib becomes a machine without init;
// its start actions and first enter call run as init's would; a name must already be its own;
// a process not started by proc_lib cannot enter. Exit reasons are OTP's (gen.erl).

#include "otter/otp/gen_statem.hpp"
#include "otter/otp/proc_lib.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/trace.hpp"

#include "otp/gen_statem_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace otter::test_support {
namespace {

class GenStatemEnterLoopTest : public on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(GenStatemEnterLoopTest);

// Logs every event into its data as {type, content, state} (type :call for calls) and answers
// a call with the log so far.
struct logger_machine {
  using data = term;
  using result = gen_statem::result<atom, term>;
  static constexpr auto callback_mode = gen_statem::handle_event_function | gen_statem::state_enter;

  result handle_event(gen_statem::event& e, const atom& s, term& log) {
    std::vector<term> items(log.elements().begin(), log.elements().end());
    items.push_back(tuple(e.is_call() ? term(a("call")) : e.type().to_term(), e.content(), s));
    log = term::list(std::move(items));
    if (e.is_call()) {
      return result::keep_state_and_data().reply(e.caller(), log);
    }
    return result::keep_state_and_data();
  }
};

using start_type = gen_statem::init_result<atom, term>;

/// The body of a proc_lib process: acknowledges its start, then enters the loop in state
/// :entered with an empty log, a next_event action and `name` (if any).
co<void> become_machine(std::optional<server_ref> name, bool register_first) {
  if (register_first && name && name->is_local_name()) {
    register_name(name->local_name(), self());
  }
  proc_lib::init_ack(tuple(atoms::ok, self()));
  start_type start =
      start_type(a("entered"), list()).next_event(gen_statem::event_kind::internal, a("go"));
  co_await gen_statem::enter_loop<logger_machine>(std::move(start), std::move(name));
}

co<pid> start_entered(std::optional<server_ref> name, bool register_first) {
  auto body = [name, register_first]() {
    return become_machine(name, register_first);
  };
  term ack = co_await proc_lib::start_link(body);
  EXPECT_TRUE(ack.is_tagged(atoms::ok, 2)) << ack.to_string();
  co_return ack.is_tagged(atoms::ok, 2) ? ack[1].as_pid() : pid();
}

/// The exit reason of a proc_lib process running `body`.
template <class F>
co<term> exit_reason_of(F body) {
  const pid p = proc_lib::spawn(std::move(body));
  const ref mon = monitor(p);
  co_return co_await receive(on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                                          [](down_msg& d) { return d.reason; }),
                             after(1000, [] { return term(a("no_down")); }));
}

TEST_P(GenStatemEnterLoopTest, AProcLibProcessBecomesAMachineAsIfInitHadReturnedItsStart) {
  run([]() -> co<void> {
    const pid m = co_await start_entered(std::nullopt, false);
    // The first enter call (the initial state as old state), then the inserted event, then
    // the call, as after an init returning {:ok, :entered, [], [{:next_event, :internal, :go}]}.
    EXPECT_EQ(co_await gen_statem::call(m, a("log")),
              list(tuple(a("enter"), a("entered"), a("entered")),
                   tuple(a("internal"), a("go"), a("entered")),
                   tuple(a("call"), a("log"), a("entered"))));
    // Its parent is its starter; unnamed, the header shows its pid.
    term status = co_await sys::get_status(m);
    EXPECT_EQ(status[2], tuple(a("module"), a("gen_statem")));
    EXPECT_EQ(status[3][2], term(self()));
    const std::string header = "Status for state machine <0." + std::to_string(m.index()) + "."
                               + std::to_string(m.generation()) + ">";
    EXPECT_EQ(status[3][4][0], tuple(a("header"), sys::charlist(header)));
    EXPECT_EQ(co_await gen_statem::stop(m), atoms::ok);
  });
}

TEST_P(GenStatemEnterLoopTest, ANameThatIsAlreadyTheProcesssIsTheMachinesName) {
  run([]() -> co<void> {
    const pid m = co_await start_entered(server_ref(a("entered_machine")), true);
    EXPECT_EQ(whereis(a("entered_machine")), m);
    EXPECT_EQ((co_await gen_statem::call(a("entered_machine"), a("log"))).size(), 3U);
    term status = co_await sys::get_status(a("entered_machine"));
    EXPECT_EQ(status[3][4][0],
              tuple(a("header"), sys::charlist("Status for state machine entered_machine")));
    EXPECT_EQ(co_await gen_statem::stop(a("entered_machine")), atoms::ok);
  });
}

/// A via registry that knows no name.
struct empty_registry final : name_registry {
  bool register_name(const term&, pid) override { return false; }
  void unregister_name(const term&) override {}
  pid whereis_name(const term&) override { return {}; }
  [[nodiscard]] term module() const override { return term(a("Elixir.EmptyRegistry")); }
};

TEST_P(GenStatemEnterLoopTest, ANameThatIsNotTheProcesssStopsItWithOtpsReason) {
  quiet_logs quiet;  // the crash reports of the processes that exit
  run([]() -> co<void> {
    auto local = []() {
      return become_machine(server_ref(a("not_mine")), false);
    };
    EXPECT_EQ(co_await exit_reason_of(local), term(a("process_not_registered")));
    auto global = []() {
      return become_machine(server_ref::global(a("nobody")), false);
    };
    EXPECT_EQ(co_await exit_reason_of(global), term(a("process_not_registered_globally")));
    auto via = []() {
      return become_machine(server_ref::via(std::make_shared<empty_registry>(), a("x")), false);
    };
    EXPECT_EQ(co_await exit_reason_of(via),
              tuple(a("process_not_registered_via"), a("Elixir.EmptyRegistry")));
    EXPECT_EQ(whereis(a("not_mine")), pid());
  });
}

TEST_P(GenStatemEnterLoopTest, AProcessNotStartedByProcLibCannotEnter) {
  quiet_logs quiet;
  run([]() -> co<void> {
    const std::pair<pid, ref> pm = spawn_monitor([]() -> co<void> {
      start_type start(a("s"), list());
      co_await gen_statem::enter_loop<logger_machine>(std::move(start));
    });
    const pid p = pm.first;
    const ref mon = pm.second;
    term reason =
        co_await receive(on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                                      [](down_msg& d) { return d.reason; }),
                         after(1000, [] { return term(a("no_down")); }));
    // OTP: exit(process_was_not_started_by_proc_lib)
    EXPECT_EQ(reason, term(a("process_was_not_started_by_proc_lib")));
    EXPECT_NE(p, pid());
  });
}

}  // namespace
}  // namespace otter::test_support
