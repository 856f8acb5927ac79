// Regression tests for bugs found in review (one TEST per finding that can be triggered
// deterministically; the interleaving-only ones are covered by tests/stress).

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace otter {
namespace {

// A negative `after` other than infinity raises badarg (Erlang), instead of waiting forever.
TEST(RegressionTest, NegativeReceiveTimeoutRaisesBadarg) {
  testing::deterministic_runtime rt;
  term reason = rt.run([]() -> co<term> {
    try {
      co_await receive(after(std::int64_t{-5}, [] {}));
    } catch (const error_exception& e) {
      co_return e.reason();
    }
    co_return term(atoms::ok);
  });
  EXPECT_TRUE(reason.is(atoms::badarg));
}

// send_after with a negative delay raises badarg instead of wrapping to a huge deadline.
TEST(RegressionTest, NegativeSendAfterDelayRaisesBadarg) {
  testing::deterministic_runtime rt;
  term reason = rt.run([]() -> co<term> {
    try {
      (void)send_after(self(), 1, std::int64_t{-5});
    } catch (const error_exception& e) {
      co_return e.reason();
    }
    co_return term(atoms::ok);
  });
  EXPECT_TRUE(reason.is(atoms::badarg));
}

// run() that times out kills its process and waits for it before throwing, so a body that
// refers to the caller's stack never runs after the caller unwound.
TEST(RegressionTest, RunTimeoutKillsTheProcessBeforeThrowing) {
  runtime rt(runtime_options{.schedulers = 2});
  std::atomic<int> destroyed{0};
  struct guard {
    std::atomic<int>* n;
    ~guard() { n->fetch_add(1); }
  };
  EXPECT_THROW(rt.run(
                   [&]() -> co<void> {
                     guard g{&destroyed};
                     co_await receive<int>();  // never comes
                   },
                   std::chrono::milliseconds(50)),
               run_error);
  EXPECT_EQ(destroyed.load(), 1);  // the frame was destroyed before run() threw
}

// The same on the deterministic runtime, where the timeout is virtual time.
TEST(RegressionTest, RunTimeoutOnTheDeterministicRuntimeKillsTheProcess) {
  testing::deterministic_runtime rt;
  int destroyed = 0;
  struct guard {
    int* n;
    ~guard() { ++*n; }
  };
  EXPECT_THROW(rt.run(
                   [&]() -> co<void> {
                     guard g{&destroyed};
                     co_await receive<int>();
                   },
                   std::chrono::milliseconds(50)),
               run_error);
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(rt.process_count(), 0U);
}

struct unprintable {
  [[nodiscard]] term to_term() const { throw std::runtime_error("cannot print"); }
};

// A message whose to_term() throws does not take the runtime down when another process asks
// for the mailbox: it is shown as #Unprintable.
TEST(RegressionTest, ThrowingToTermInProcessInfoIsShownAsUnprintable) {
  runtime rt(runtime_options{.schedulers = 2});
  std::string shown = rt.run([]() -> co<std::string> {
    pid holder = spawn([]() -> co<void> { co_await receive<int>(); });
    send(holder, unprintable{});
    auto info = co_await process_info(holder);
    send(holder, 1);
    co_return info && info->messages.size() == 1 ? info->messages[0].to_string() : "";
  });
  EXPECT_EQ(shown, "#Unprintable");
}

// A name registered for a process is gone from its slot once it exits: the next incarnation
// of the slot has no name and can register one.
TEST(RegressionTest, ASlotsNextIncarnationDoesNotInheritAName) {
  testing::deterministic_runtime rt;
  bool ok = rt.run([]() -> co<bool> {
    const atom name("reg_regression");
    auto [first, mon] = spawn_monitor([]() -> co<void> { co_await receive<int>(); });
    register_name(name, first);
    send(first, 1);
    (void)co_await receive<down_msg>();
    // The deterministic runtime reuses the slot at once (LIFO free list).
    pid second = spawn([]() -> co<void> { co_await receive<int>(); });
    bool same_slot = second.index() == first.index();
    bool no_name = !registered_name(second).has_value();
    bool can_register = register_name(atom("reg_regression_2"), second);
    send(second, 1);
    co_return same_slot&& no_name&& can_register&& whereis(name).is_null();
  });
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace otter
