// GenServer basics: typed requests, replies, casts, stop and the failure exits of call.

#include "otter/otp/gen_server.hpp"

#include "otter/otp/sys.hpp"

#include "support/both_runtimes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace otter {
namespace {

struct counter {
  using state = int;
  struct get {};
  struct add {
    int by;
  };
  struct slow {
    std::int64_t ms;
  };
  state init(int start) { return start; }
  int handle_call(get, const gen_server::from&, int& n) { return n; }
  co<int> handle_call(slow s, const gen_server::from&, int& n) {
    co_await sleep(s.ms);
    co_return n;
  }
  void handle_cast(add a, int& n) { n += a.by; }
};

class GenServerTest : public test_support::on_both_runtimes {};

TEST_P(GenServerTest, CallReturnsTheHandlersReplyAndCastsAreHandledInOrder) {
  int seen = 0;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start_link<counter>(10);
    EXPECT_TRUE(c.has_value());
    gen_server::cast<counter>(*c, counter::add{5});
    seen = co_await gen_server::call<counter>(*c, counter::get{});
    co_await gen_server::stop(*c);
  });
  EXPECT_EQ(seen, 15);
}

TEST_P(GenServerTest, ACallThatTimesOutExitsTheCallerAndTheLateReplyIsDropped) {
  term reason;
  std::size_t left = 99;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start<counter>(1);
    auto r = co_await gen_server::try_call<counter>(*c, counter::slow{200}, 50);
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::timeout);
    reason = r.error().reason;
    co_await sleep(400);
    left = self_info().message_queue_len;
  });
  EXPECT_EQ(left, 0U);
  ASSERT_TRUE(reason.is_tuple());
  EXPECT_EQ(reason[0], term(atoms::timeout));
}

TEST_P(GenServerTest, ACallToADeadServerFailsWithNoproc) {
  errc code = errc::exit;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start<counter>(1);
    co_await gen_server::stop(*c);
    auto r = co_await gen_server::try_call<counter>(*c, counter::get{});
    code = r.error().code;
  });
  EXPECT_EQ(code, errc::noproc);
}

TEST_P(GenServerTest, ACallToItselfFailsAtOnceWithCallingSelfAndSendsNothing) {
  term reason;
  term me;
  std::size_t left = 99;
  run([&]() -> co<void> {
    me = term(self());
    auto r = co_await gen_server::try_call(self(), term(atom("ping")), infinity);
    EXPECT_FALSE(r.has_value());
    reason = r.error().reason;
    left = self_info().message_queue_len;
  });
  EXPECT_EQ(reason, tuple(atom("calling_self"), tuple(atom("Elixir.GenServer"), atom("call"),
                                                      list(me, atom("ping"), atom("infinity")))));
  EXPECT_EQ(left, 0U);
}

OTTER_ON_BOTH_RUNTIMES(GenServerTest);

}  // namespace
}  // namespace otter

namespace otter {
namespace {

struct init_modes {
  using state = term;
  gen_server::init_result<term> init(atom mode) {
    if (mode == atom("ignore")) {
      return gen_server::init_result<term>::ignore();
    }
    if (mode == atom("stop")) {
      return gen_server::init_result<term>::stop(atom("no_way"));
    }
    if (mode == atom("raise")) {
      throw std::runtime_error("init failed");
    }
    return term(mode);
  }
  term handle_call(const term&, const gen_server::from&, state& s) { return s; }
};

class GenServerStartTest : public test_support::on_both_runtimes {};

TEST_P(GenServerStartTest, InitResultsBecomeOtpStartResults) {
  std::vector<std::string> results;
  run([&]() -> co<void> {
    trap_exit(true);  // init stop / raise exit the server, which is linked to us
    for (const char* mode : {"ok", "ignore", "stop", "raise"}) {
      start_result r = co_await gen_server::start_link<init_modes>(atom(mode));
      results.push_back(r ? "ok" : to_term(r).to_string());
    }
  });
  ASSERT_EQ(results.size(), 4U);
  EXPECT_EQ(results[0], "ok");
  EXPECT_EQ(results[1], ":ignore");
  EXPECT_EQ(results[2], "{:error, :no_way}");
  EXPECT_EQ(results[3], "{:error, {%RuntimeError{message: \"init failed\"}, #Stacktrace}}");
}

TEST_P(GenServerStartTest, ATakenNameGivesAlreadyStartedWithTheOwnerAndInitDoesNotRun) {
  std::optional<start_result> second;
  pid first;
  run([&]() -> co<void> {
    gen_server::start_options opts;
    opts.name = server_ref(atom("the_one"));
    start_result a1 = co_await gen_server::start<init_modes>(opts, atom("first"));
    first = *a1;
    second = co_await gen_server::start<init_modes>(opts, atom("second"));
    EXPECT_EQ(co_await gen_server::call(atom("the_one"), atom("any")), term(atom("first")));
  });
  ASSERT_TRUE(second.has_value());
  ASSERT_FALSE(second->has_value());
  EXPECT_EQ(second->error().code, errc::already_started);
  EXPECT_EQ(second->error().reason, tuple(atom("already_started"), first));
}

TEST_P(GenServerStartTest, AGlobalNameIsFreedWhenTheServerStops) {
  term after_stop;
  run([&]() -> co<void> {
    gen_server::start_options opts;
    opts.name = server_ref::global(tuple(atom("svc"), 1));
    start_result s = co_await gen_server::start<init_modes>(opts, atom("global_one"));
    EXPECT_EQ(gen_server::whereis(*opts.name), *s);
    co_await gen_server::stop(*opts.name);
    after_stop = term(gen_server::whereis(*opts.name).is_null());
  });
  EXPECT_EQ(after_stop, term(true));
}

TEST_P(GenServerStartTest, AnInvalidNameIsRejectedInTheCaller) {
  bool rejected = false;
  run([&]() -> co<void> {
    gen_server::start_options opts;
    opts.name = server_ref(atoms::undefined);
    try {
      (void)co_await gen_server::start<init_modes>(opts, atom("x"));
    } catch (const std::invalid_argument&) {
      rejected = true;
    }
  });
  EXPECT_TRUE(rejected);
}

OTTER_ON_BOTH_RUNTIMES(GenServerStartTest);

/// A server whose terminate reports the reason to `watcher`.
struct reporting {
  struct state {
    pid watcher;
  };
  state init(pid watcher) {
    trap_exit(true);
    return {watcher};
  }
  term handle_call(const term&, const gen_server::from&, state&) { return atoms::ok; }
  void terminate(const term& reason, state& s) {
    send(s.watcher, tuple(atom("terminated"), reason));
  }
};

class GenServerLifecycleTest : public test_support::on_both_runtimes {};

TEST_P(GenServerLifecycleTest, ATrappingServerTerminatesWithItsParentsReason) {
  term seen;
  run([&]() -> co<void> {
    pid watcher = self();
    auto [parent, mon] = spawn_monitor([watcher]() -> co<void> {
      (void)co_await gen_server::start_link<reporting>(watcher);
      otter::exit(atom("parent_died"));
    });
    (void)mon;
    seen = co_await receive(on<term>([](term t) { return t; }));
  });
  EXPECT_EQ(seen, tuple(atom("terminated"), atom("parent_died")));
}

/// Forwards each call to another server and awaits its reply inside the handler.
struct forwarding {
  using state = pid;
  state init(pid target) { return target; }
  co<term> handle_call(const term& req, const gen_server::from&, state& target) {
    term inner = co_await gen_server::call(target, req);
    co_return tuple(atom("via"), inner);
  }
};

TEST_P(GenServerLifecycleTest, ACoroutineHandlerMayAwaitAnotherCall) {
  term reply;
  run([&]() -> co<void> {
    start_result inner = co_await gen_server::start_link<init_modes>(atom("inner"));
    start_result outer = co_await gen_server::start_link<forwarding>(*inner);
    reply = co_await gen_server::call(*outer, atom("hi"));
  });
  EXPECT_EQ(reply, tuple(atom("via"), atom("inner")));
}

/// Replies with its `$callers` while handling a call.
struct callers_probe {
  using state = int;
  state init() { return 0; }
  term handle_call(const term&, const gen_server::from&, state&) {
    return get(term(atoms::callers));
  }
};

TEST_P(GenServerLifecycleTest, TrackCallersPutsTheCallerInCallersDuringTheCall) {
  term with;
  term without;
  pid me;
  run([&]() -> co<void> {
    me = self();
    gen_server::start_options opts;
    opts.track_callers = true;
    start_result tracked = co_await gen_server::start_link<callers_probe>(opts);
    start_result plain = co_await gen_server::start_link<callers_probe>();
    with = co_await gen_server::call(*tracked, atom("who"));
    without = co_await gen_server::call(*plain, atom("who"));
  });
  EXPECT_EQ(with, term::list({term(me)}));
  EXPECT_EQ(without, term(atoms::undefined));
}

TEST_P(GenServerLifecycleTest, ARequestTheServerDoesNotHandleStopsItWithBadCall) {
  term reason;
  run([&]() -> co<void> {
    start_result s = co_await gen_server::start<counter>(0);
    auto r = co_await gen_server::try_call(*s, atom("unknown"));
    reason = r.error().reason[0];
  });
  EXPECT_EQ(reason, tuple(tuple(atom("bad_call"), atom("unknown")), stacktrace()));
}

TEST_P(GenServerLifecycleTest, SysReplaceStateChangesTypedState) {
  int after = 0;
  run([&]() -> co<void> {
    start_result c = co_await gen_server::start_link<counter>(1);
    int replaced = co_await sys::replace_state<int>(*c, [](int n) { return n + 41; });
    EXPECT_EQ(replaced, 42);
    after = co_await gen_server::call<counter>(*c, counter::get{});
  });
  EXPECT_EQ(after, 42);
}

OTTER_ON_BOTH_RUNTIMES(GenServerLifecycleTest);

}  // namespace
}  // namespace otter
