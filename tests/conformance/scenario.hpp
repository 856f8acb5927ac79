// tests/conformance/scenario.hpp: running an Elixir scenario's port and comparing its trace.
//
// Every scenario runs twice: on the deterministic runtime (one thread, manual clock: timeouts
// and sleeps complete at once) and on the threaded runtime with two schedulers (real time, real
// concurrency). Both must print the inlined Elixir trace exactly.

#pragma once

#include "otter/otter.hpp"
#include "otter/testing/deterministic_runtime.hpp"
#include "otter/testing/trace.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace otter::conformance {

using scenario = std::function<co<void>(testing::trace&)>;

inline std::string run_deterministic(const scenario& body) {
  testing::trace t;
  testing::deterministic_runtime rt;
  rt.run([&]() -> co<void> {
    t.name(self(), "main");
    co_await body(t);
  });
  return t.text();
}

inline std::string run_threaded(const scenario& body) {
  testing::trace t;
  runtime rt(runtime_options{.schedulers = 2});
  rt.run(
      [&]() -> co<void> {
        t.name(self(), "main");
        co_await body(t);
      },
      std::chrono::seconds(30));
  return t.text();
}

inline void expect_trace(const std::string& expected, const scenario& body) {
  std::string diff;
  std::string det = run_deterministic(body);
  EXPECT_TRUE(testing::same_trace(expected, det, &diff)) << "deterministic runtime:\n" << diff;
  std::string thr = run_threaded(body);
  EXPECT_TRUE(testing::same_trace(expected, thr, &diff)) << "threaded runtime:\n" << diff;
}

/// An atom from its name (scenarios use many).
inline atom a(std::string_view name) {
  return atom(name);
}

/// The reason of monitor `mon`'s DOWN (other messages stay in the mailbox).
inline co<term> down_reason(ref mon) {
  co_return co_await receive(on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                                          [](down_msg& d) { return std::move(d.reason); }));
}

}  // namespace otter::conformance
