// tests/core/death_test.cpp: misuse that the runtime reports as a bug (tier 3 of the error
// model: OTTER_CHECK / OTTER_ASSERT print a message and abort): in-process functions called
// outside a process, and blocking runtime calls made from inside one.

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace otter {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_runtime;

constexpr bool runtime_checks_enabled =
#if !defined(NDEBUG) || defined(OTTER_RUNTIME_CHECKS)
    true;
#else
    false;
#endif

class ProcessContextDeathTest : public ::testing::Test {
protected:
  void SetUp() override { ::testing::FLAGS_gtest_death_test_style = "threadsafe"; }
};

class RuntimeDeathTest : public ProcessContextDeathTest {};

co<int> receive_an_int() {
  co_return co_await receive<int>();
}

TEST_F(ProcessContextDeathTest, SelfOutsideAProcessAborts) {
  EXPECT_DEATH((void)otter::self(),
               "self called outside a process.*must be called from inside an "
               "Otter process");
}

TEST_F(ProcessContextDeathTest, ReceiveOutsideAProcessAborts) {
  EXPECT_DEATH(
      {
        co<int> c = receive_an_int();
        c.handle().resume();  // runs up to the receive, on the test thread
      },
      "receive called outside a process.*must be called from inside an Otter process");
}

TEST_F(ProcessContextDeathTest, TrapExitOutsideAProcessAborts) {
  EXPECT_DEATH((void)trap_exit(true), "must be called from inside an Otter process");
}

TEST_F(ProcessContextDeathTest, SendOutsideAnyRuntimeAborts) {
  EXPECT_DEATH(send(pid(1, 1), 5),
               "send called outside a process.*no Otter runtime on this thread");
}

TEST_F(RuntimeDeathTest, RunFromInsideAProcessAborts) {
  if (!runtime_checks_enabled) {
    GTEST_SKIP() << "OTTER_ASSERT is compiled out";
  }
  EXPECT_DEATH(
      {
        runtime rt(runtime_options{.schedulers = 1});
        runtime* rtp = &rt;
        rt.run([rtp]() -> co<int> { co_return rtp->run([]() -> co<int> { co_return 1; }); }, 30s);
      },
      "never call it from inside a process");
}

TEST_F(RuntimeDeathTest, RunFromInsideAProcessOfTheDeterministicRuntimeAborts) {
  if (!runtime_checks_enabled) {
    GTEST_SKIP() << "OTTER_ASSERT is compiled out";
  }
  EXPECT_DEATH(
      {
        deterministic_runtime rt;
        runtime* rtp = &rt;
        rt.run([rtp]() -> co<int> { co_return rtp->run([]() -> co<int> { co_return 1; }); });
      },
      "never call it from inside a process");
}

TEST_F(RuntimeDeathTest, ProcessInfoFromOutsideCalledInsideAProcessAborts) {
  if (!runtime_checks_enabled) {
    GTEST_SKIP() << "OTTER_ASSERT is compiled out";
  }
  EXPECT_DEATH(
      {
        deterministic_runtime rt;
        runtime* rtp = &rt;
        rt.run([rtp]() -> co<bool> { co_return rtp->process_info(self()).has_value(); });
      },
      "never call it from inside a process");
}

TEST_F(RuntimeDeathTest, ShutdownFromInsideAProcessAborts) {
  if (!runtime_checks_enabled) {
    GTEST_SKIP() << "OTTER_ASSERT is compiled out";
  }
  EXPECT_DEATH(
      {
        deterministic_runtime rt;
        runtime* rtp = &rt;
        rt.run([rtp]() -> co<void> {
          rtp->shutdown();
          co_return;
        });
      },
      "shutdown\\(\\) called from inside a process");
}

}  // namespace
}  // namespace otter
