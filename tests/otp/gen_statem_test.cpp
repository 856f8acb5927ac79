// gen_statem basics: typed machines in both callback modes, calls (typed replies, deferred
// replies, timeouts, dead machines), casts, info, names, init results, stop, supervision.

#include "otter/otp/gen_statem.hpp"

#include "otter/otp/gen_server.hpp"
#include "otter/otp/supervisor.hpp"
#include "otter/otp/sys.hpp"
#include "otter/testing/trace.hpp"

#include "otp/gen_statem_test_support.hpp"
#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace otter::test_support {
namespace {

class GenStatemTest : public on_both_runtimes {};
OTTER_ON_BOTH_RUNTIMES(GenStatemTest);

// A turnstile in state_functions mode with typed events: coin and push are casts, status is a
// call whose reply type is std::string; the unlocked handler is a coroutine.
struct turnstile {
  enum class mode { locked, unlocked };
  struct coin {};
  struct push {};
  struct status {
    using reply_type = std::string;
  };
  struct count {
    using reply_type = int;
  };
  using state = mode;
  using data = int;  // coins taken
  using result = gen_statem::result<mode, int>;
  static constexpr auto callback_mode = gen_statem::state_functions | gen_statem::state_enter;

  int enters = 0;

  gen_statem::init_result<mode, int> init(int coins) { return {mode::locked, coins}; }
  static gen_statem::state_table<turnstile> state_functions() {
    return {{mode::locked, &turnstile::locked}, {mode::unlocked, &turnstile::unlocked}};
  }

  result locked(gen_statem::event& e, int& coins) {
    if (e.is_enter()) {
      enters += e.is<mode>() ? 1 : 100;  // the content is the previous state
      return result::keep_state_and_data();
    }
    if (e.cast<coin>() != nullptr) {
      ++coins;
      return result::next_state(mode::unlocked);
    }
    return common(e, "locked");
  }
  co<result> unlocked(gen_statem::event& e, int&) {
    if (e.is_enter()) {
      enters += e.get<mode>() == mode::locked ? 1 : 100;
      co_return result::keep_state_and_data();
    }
    if (e.cast<push>() != nullptr) {
      co_await sleep(1);  // a coroutine handler may wait; the machine waits with it
      co_return result::next_state(mode::locked);
    }
    co_return common(e, "unlocked");
  }
  result common(gen_statem::event& e, const std::string& name) {
    if (e.call<status>() != nullptr) {
      return result::keep_state_and_data().reply(e.caller(), name);
    }
    if (e.call<count>() != nullptr) {
      return result::keep_state_and_data().reply(e.caller(), enters);
    }
    return result::keep_state_and_data();
  }
};

TEST_P(GenStatemTest, TypedEventsFindTheHandlerOfTheCurrentState) {
  run([]() -> co<void> {
    start_result t = co_await gen_statem::start_link<turnstile>(0);
    EXPECT_TRUE(t.has_value());
    if (!(t.has_value())) {
      co_return;
    }
    std::string s = co_await gen_statem::call(*t, turnstile::status{});
    EXPECT_EQ(s, "locked");
    gen_statem::cast(*t, turnstile::coin{});
    EXPECT_EQ(co_await gen_statem::call(*t, turnstile::status{}), "unlocked");
    gen_statem::cast(*t, turnstile::coin{});  // ignored while unlocked
    gen_statem::cast(*t, turnstile::push{});
    EXPECT_EQ(co_await gen_statem::call(*t, turnstile::status{}), "locked");
    EXPECT_EQ(co_await gen_statem::call(*t, turnstile::count{}), 3);  // init, unlock, lock
    auto sd = co_await sys::get_state<std::pair<turnstile::mode, int>>(*t);
    EXPECT_EQ(sd.first, turnstile::mode::locked);
    EXPECT_EQ(sd.second, 1);
  });
}

/// A term machine in handle_event_function mode for the call tests: `{:sleep, ms}` answers
/// after sleeping, `:park` keeps the caller waiting until `:release` replies to it from
/// another process, `:die` stops the machine, anything else is echoed.
struct echo {
  using state = term;
  using data = std::vector<gen_statem::from>;  // parked callers
  using result = gen_statem::result<term, data>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;

  gen_statem::init_result<term, data> init() { return {a("ready"), data{}}; }
  co<result> handle_event(gen_statem::event& e, const term&, data& parked) {
    term c = e.content();
    if (e.is_call() && c.is_tagged(a("sleep"), 2)) {
      co_await sleep(c[1].as_int());
      co_return result::keep_state_and_data().reply(e.caller(), a("slept"));
    }
    if (e.is_call() && c == term(a("park"))) {
      parked.push_back(e.caller());
      co_return result::keep_state();
    }
    if (c == term(a("release"))) {
      for (const gen_statem::from& f : parked) {
        spawn([f]() -> co<void> {
          EXPECT_EQ(gen_statem::reply(f, term(a("released"))), atoms::ok);
          co_return;
        });
      }
      parked.clear();
      co_return result::keep_state();
    }
    if (c == term(a("die"))) {
      co_return result::stop(a("died"));
    }
    if (e.is_call() && c == term(a("quit"))) {
      co_return result::stop_and_reply(atoms::normal, e.caller(), a("bye"));
    }
    if (c == term(a("nap"))) {
      co_return result::keep_state_and_data().hibernate();  // accepted, changes nothing
    }
    if (e.is_call()) {
      co_return result::keep_state_and_data().reply(e.caller(), c);
    }
    co_return result::keep_state_and_data();
  }
};

TEST_P(GenStatemTest, ACallAnsweredLaterFromAnotherProcessGetsItsReply) {
  run([]() -> co<void> {
    start_result m = co_await gen_statem::start_link<echo>();
    pid machine = *m;
    pid main = self();
    spawn([machine, main]() -> co<void> {
      term r = co_await gen_statem::call(machine, a("park"));
      send(main, tuple(a("caller"), r));
    });
    auto parked = [machine]() -> co<term> {
      auto s = co_await sys::get_state<std::pair<term, echo::data>>(machine);
      co_return term(!s.second.empty());
    };
    (void)co_await testing::eventually(parked);
    gen_statem::cast(machine, a("release"));
    EXPECT_EQ(co_await testing::recv(), tuple(a("caller"), a("released")));
  });
}

TEST_P(GenStatemTest, ACallThatTimesOutExitsTheCallerAndItsLateReplyNeverArrives) {
  run([]() -> co<void> {
    start_result m = co_await gen_statem::start_link<echo>();
    term req = tuple(a("sleep"), 200);
    auto r = co_await gen_statem::try_call(*m, req, 50);
    EXPECT_FALSE(r.has_value());
    if (r.has_value()) {
      co_return;
    }
    EXPECT_EQ(r.error().reason,
              tuple(atoms::timeout, tuple(a("gen_statem"), a("call"), list(*m, req, 50))));
    co_await sleep(300);
    EXPECT_EQ(testing::mailbox(), list());
    auto call = [p = *m]() -> co<term> {
      co_return co_await gen_statem::call(p, tuple(a("sleep"), 100), 10);
    };
    EXPECT_EQ(co_await testing::catching(call),
              tuple(a("exit"), tuple(atoms::timeout, tuple(a("gen_statem"), a("call"),
                                                           list(*m, tuple(a("sleep"), 100), 10)))));
  });
}

TEST_P(GenStatemTest, CallsToDeadOrDyingMachinesExitWithTheReason) {
  run([]() -> co<void> {
    quiet_logs quiet;
    auto nobody = []() -> co<term> {
      co_return co_await gen_statem::call(a("nobody"), a("x"));
    };
    EXPECT_EQ(
        co_await testing::catching(nobody),
        tuple(a("exit"), tuple(atoms::noproc, tuple(a("gen_statem"), a("call"),
                                                    list(a("nobody"), a("x"), atoms::infinity)))));
    start_result m = co_await gen_statem::start<echo>();
    auto dying = [p = *m]() -> co<term> {
      co_return co_await gen_statem::call(p, a("die"));
    };
    EXPECT_EQ(co_await testing::catching(dying),
              tuple(a("exit"), tuple(a("died"), tuple(a("gen_statem"), a("call"),
                                                      list(*m, a("die"), atoms::infinity)))));
    EXPECT_EQ(gen_statem::cast(*m, a("x")), atoms::ok);  // casts never fail
    EXPECT_EQ(gen_statem::cast(a("nobody"), a("x")), atoms::ok);
  });
}

// gen_statem term calls use GenServer's protocol, so they reach a GenServer too.
struct plain_server {
  using state = int;
  state init() { return 0; }
  term handle_call(const term& req, const gen_server::from&, int&) { return tuple(a("gs"), req); }
};

TEST_P(GenStatemTest, StopAndReplyAnswersTheCallerBeforeTheMachineStops) {
  run([]() -> co<void> {
    start_result m = co_await gen_statem::start<echo>();
    gen_statem::cast(*m, a("nap"));
    EXPECT_EQ(co_await gen_statem::call(*m, a("still_here")), term(a("still_here")));
    ref mon = monitor(*m);
    EXPECT_EQ(co_await gen_statem::call(*m, a("quit")), term(a("bye")));
    EXPECT_EQ((co_await down_of(mon)).reason, term(atoms::normal));
  });
}

TEST_P(GenStatemTest, ATermCallOfGenStatemReachesAGenServer) {
  run([]() -> co<void> {
    start_result s = co_await gen_server::start_link<plain_server>();
    EXPECT_EQ(co_await gen_statem::call(*s, a("hi")), tuple(a("gs"), a("hi")));
  });
}

// Info events carry any message with its C++ type.
struct watcher {
  struct ping {
    int n;
  };
  using data = pid;
  using result = gen_statem::result<atom, pid>;
  static constexpr auto callback_mode = gen_statem::handle_event_function;
  gen_statem::init_result<atom, pid> init(pid owner) { return {a("watching"), owner}; }
  result handle_event(gen_statem::event& e, const atom&, pid& owner) {
    if (auto* p = e.info<ping>()) {
      send(owner, tuple(a("ping"), p->n));
    } else if (auto* d = e.info<down_msg>()) {
      send(owner, tuple(a("down"), d->reason));
    } else if (auto* j = e.internal<ping>()) {
      send(owner, tuple(a("internal"), j->n));
    } else if (e.is_info()) {
      return result::keep_state_and_data().next_event(gen_statem::event_kind::internal, ping{7});
    }
    return result::keep_state_and_data();
  }
};

TEST_P(GenStatemTest, InfoEventsKeepTheMessagesType) {
  run([]() -> co<void> {
    start_result w = co_await gen_statem::start_link<watcher>(self());
    send(*w, watcher::ping{5});
    EXPECT_EQ(co_await testing::recv(), tuple(a("ping"), 5));
    send(*w, term(a("other")));
    EXPECT_EQ(co_await testing::recv(), tuple(a("internal"), 7));
  });
}

TEST_P(GenStatemTest, NamesRegisterAndATakenNameIsAlreadyStarted) {
  run([]() -> co<void> {
    gen_statem::start_options opts;
    opts.name = server_ref(a("the_echo"));
    start_result m = co_await gen_statem::start_link<echo>(opts);
    EXPECT_TRUE(m.has_value());
    if (!(m.has_value())) {
      co_return;
    }
    EXPECT_EQ(gen_statem::whereis(a("the_echo")), *m);
    EXPECT_EQ(co_await gen_statem::call(a("the_echo"), a("x")), term(a("x")));
    start_result again = co_await gen_statem::start<echo>(opts);
    EXPECT_FALSE(again.has_value());
    if (again.has_value()) {
      co_return;
    }
    EXPECT_EQ(to_term(again), tuple(atoms::error, tuple(a("already_started"), *m)));
    gen_statem::start_options g;
    g.name = server_ref::global(term("statem"));
    start_result gm = co_await gen_statem::start<echo>(g);
    EXPECT_TRUE(gm.has_value());
    if (!(gm.has_value())) {
      co_return;
    }
    EXPECT_EQ(co_await gen_statem::call(server_ref::global(term("statem")), a("y")), term(a("y")));
    EXPECT_EQ(co_await gen_statem::stop(server_ref::global(term("statem"))), atoms::ok);
    EXPECT_TRUE(gen_statem::whereis(server_ref::global(term("statem"))).is_null());
    EXPECT_EQ(co_await gen_statem::stop(a("the_echo")), atoms::ok);
  });
}

// A machine whose init does what its argument says.
struct starter {
  using data = int;
  static constexpr auto callback_mode = gen_statem::handle_event_function;
  gen_statem::init_result<atom, int> init(term how) {
    if (how == term(a("raise"))) {
      throw std::runtime_error("init failed");
    }
    if (how == term(a("exit"))) {
      otter::exit(a("init_exit"));
    }
    return gen_statem::init_result<atom, int>::from_term(how);
  }
  gen_statem::result<atom, int> handle_event(gen_statem::event&, const atom&, int&) { return {}; }
};

TEST_P(GenStatemTest, InitResultsGiveOtpsStartResults) {
  run([]() -> co<void> {
    quiet_logs quiet;
    trap_exit(true);
    auto start = [](term how) -> co<term> {
      co_return to_term(co_await gen_statem::start_link<starter>(std::move(how)));
    };
    EXPECT_EQ(co_await start(a("ignore")), term(a("ignore")));
    EXPECT_EQ(co_await start(tuple(a("stop"), a("nope"))), tuple(atoms::error, a("nope")));
    EXPECT_EQ(co_await start(a("bad")),
              tuple(atoms::error, tuple(a("bad_return_from_init"), a("bad"))));
    EXPECT_EQ(co_await start(tuple(a("ok"), 1, 2)),  // a state that is not an atom
              tuple(atoms::error, tuple(a("bad_return_from_init"), tuple(a("ok"), 1, 2))));
    term raised = term::structure("RuntimeError", {{atom("message"), term("init failed")}});
    EXPECT_EQ(co_await start(a("raise")), tuple(atoms::error, raised));  // no stack trace
    EXPECT_EQ(co_await start(a("exit")), tuple(atoms::error, a("init_exit")));
    term ok = co_await start(tuple(a("ok"), a("s"), 1));
    EXPECT_TRUE(ok.is_tagged(atoms::ok, 2));
    // The {:EXIT}s of the starts that failed; the :ignore one exits :normal.
    term exits = co_await testing::flush();
    EXPECT_EQ(exits.size(), 6U);
  });
}

struct stoppable {
  using data = pid;
  static constexpr auto callback_mode = gen_statem::handle_event_function;
  gen_statem::init_result<atom, pid> init(pid owner) { return {a("on"), owner}; }
  gen_statem::result<atom, pid> handle_event(gen_statem::event&, const atom&, pid&) { return {}; }
  co<void> terminate(const term& reason, const atom& s, pid& owner) {
    if (reason == term(a("slow"))) {
      co_await sleep(500);
    }
    if (reason == term(a("crash"))) {
      throw std::runtime_error("terminate failed");
    }
    send(owner, tuple(a("terminate"), reason, s));
  }
};

TEST_P(GenStatemTest, StopRunsTerminateAndExitsWithPlainReasons) {
  run([]() -> co<void> {
    quiet_logs quiet;
    start_result m = co_await gen_statem::start<stoppable>(self());
    EXPECT_EQ(co_await gen_statem::stop(*m, a("bye"), infinity), atoms::ok);
    EXPECT_EQ(co_await testing::recv(), tuple(a("terminate"), a("bye"), a("on")));
    auto again = [p = *m]() -> co<term> {
      co_return co_await gen_statem::stop(p);
    };
    EXPECT_EQ(co_await testing::catching(again), tuple(a("exit"), atoms::noproc));
    start_result slow = co_await gen_statem::start<stoppable>(self());
    auto timed = [p = *slow]() -> co<term> {
      co_return co_await gen_statem::stop(p, a("slow"), 100);
    };
    EXPECT_EQ(co_await testing::catching(timed), tuple(a("exit"), atoms::timeout));
    start_result crash = co_await gen_statem::start<stoppable>(self());
    auto crashing = [p = *crash]() -> co<term> {
      co_return co_await gen_statem::stop(p, a("crash"), infinity);
    };
    term raised = term::structure("RuntimeError", {{atom("message"), term("terminate failed")}});
    EXPECT_EQ(co_await testing::catching(crashing), tuple(a("exit"), tuple(raised, stacktrace())));
  });
}

struct trapping : stoppable {
  gen_statem::init_result<atom, pid> init(pid owner) {
    trap_exit(true);
    return {a("on"), owner};
  }
};

TEST_P(GenStatemTest, AStartLinkedMachineThatTrapsExitsTerminatesWithItsParent) {
  run([]() -> co<void> {
    quiet_logs quiet;
    pid main = self();
    auto parent_body = [main]() -> co<void> {
      start_result m = co_await gen_statem::start_link<trapping>(main);
      send(main, tuple(a("machine"), *m));
      (void)co_await receive<term>();  // until killed
    };
    pid parent = spawn(parent_body);
    term got = co_await testing::recv();
    pid machine = got[1].as_pid();
    ref mon = monitor(machine);
    otter::exit(parent, a("parent_gone"));
    EXPECT_EQ(co_await testing::recv(), tuple(a("terminate"), a("parent_gone"), a("on")));
    EXPECT_EQ((co_await down_of(mon)).reason, term(a("parent_gone")));
  });
}

TEST_P(GenStatemTest, AChildSpecStartsAndRestartsAMachineUnderASupervisor) {
  run([]() -> co<void> {
    quiet_logs quiet;
    trap_exit(true);
    std::vector<child_spec> children{gen_statem::child_spec<echo>(a("echo"), {})};
    supervisor::options o;
    start_result sup = co_await supervisor::start_link(children, o);
    EXPECT_TRUE(sup.has_value());
    if (!(sup.has_value())) {
      co_return;
    }
    auto kids = co_await supervisor::which_children(*sup);
    EXPECT_EQ(kids.size(), 1U);
    if (kids.size() != 1U) {
      co_return;
    }
    pid first = kids[0].child.as_pid();
    EXPECT_EQ(co_await gen_statem::call(first, a("x")), term(a("x")));
    gen_statem::cast(first, a("die"));
    auto restarted = [s = *sup, first]() -> co<term> {
      auto k = co_await supervisor::which_children(s);
      co_return term(k[0].child.is_pid() && k[0].child.as_pid() != first);
    };
    EXPECT_EQ(co_await testing::eventually(restarted), term(true));
  });
}

}  // namespace
}  // namespace otter::test_support
