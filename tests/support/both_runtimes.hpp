// tests/support/both_runtimes.hpp: a fixture that runs each TEST_P on both runtimes.
//
//   class LinkTest : public otter::test_support::on_both_runtimes {};
//   OTTER_ON_BOTH_RUNTIMES(LinkTest);
//   TEST_P(LinkTest, Something) { EXPECT_TRUE(run([]() -> otter::co<bool> { ... })); }
//
// The deterministic runtime (one thread, manual clock) checks the logic with exact times; the
// threaded runtime (two schedulers) checks it under real concurrency. A runtime is created on
// first use, so a test may also use GetParam() to decide what to check. Also: a() and down_of(),
// small helpers most process tests use.

#pragma once

#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/runtime.hpp"
#include "otter/testing/deterministic_runtime.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace otter::test_support {

enum class runtime_kind { deterministic, threaded };

inline void PrintTo(runtime_kind k, std::ostream* os) {  // NOLINT(readability-identifier-naming)
  *os << (k == runtime_kind::deterministic ? "deterministic" : "threaded");
}

inline std::string runtime_name(const ::testing::TestParamInfo<runtime_kind>& info) {
  return info.param == runtime_kind::deterministic ? "Deterministic" : "Threaded";
}

/// An atom from its name (the tests use many).
inline atom a(std::string_view name) {
  return atom(name);
}

/// The DOWN of monitor `r` (other messages stay in the mailbox).
inline co<down_msg> down_of(ref r) {
  co_return co_await receive(on<down_msg>([r](const down_msg& d) { return d.monitor == r; },
                                          [](down_msg& d) { return std::move(d); }));
}

/// Deadline of run() in these tests: virtual time on the deterministic runtime.
inline constexpr auto run_deadline = std::chrono::seconds(60);

class on_both_runtimes : public ::testing::TestWithParam<runtime_kind> {
protected:
  runtime& rt() {
    if (GetParam() == runtime_kind::deterministic) {
      if (!det_) {
        det_.emplace();
      }
      return *det_;
    }
    if (!threaded_) {
      threaded_.emplace(runtime_options{.schedulers = 2});
    }
    return *threaded_;
  }
  template <class F>
  auto run(F f) {
    return rt().run(std::move(f), run_deadline);
  }

private:
  std::optional<testing::deterministic_runtime> det_;
  std::optional<runtime> threaded_;
};

}  // namespace otter::test_support

/// Instantiates the TEST_Ps of `suite` (derived from on_both_runtimes) on both runtimes.
#define OTTER_ON_BOTH_RUNTIMES(suite)                                                            \
  INSTANTIATE_TEST_SUITE_P(, suite,                                                              \
                           ::testing::Values(::otter::test_support::runtime_kind::deterministic, \
                                             ::otter::test_support::runtime_kind::threaded),     \
                           ::otter::test_support::runtime_name)
