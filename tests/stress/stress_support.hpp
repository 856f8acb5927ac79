// tests/stress/stress_support.hpp: shared helpers of the stress tests (label `stress`).
//
// The stress tests run the threaded runtime with real threads (2 schedulers, and 4 on a 2-core
// machine so that the OS preempts schedulers in the middle of a protocol). They assert only
// what the guarantees of otter/core/process.hpp and timer.hpp promise (exact counts and
// orders), never timings, and every wait is bounded.
//
// Sizes: each test has a default size that finishes in a few seconds under ASan (dev preset,
// a Debug build) and is divided (by 10, or less: see scaled()) under ThreadSanitizer;
// OTTER_STRESS_SCALE (a positive number, default 1) multiplies it, so
// `OTTER_STRESS_SCALE=10 ./tests/otter_stress_tests` runs them ten times bigger.
//
// Failures found inside processes are collected in a `failures` object (a mutex-guarded list:
// gtest assertions cannot return from a coroutine) and reported by the test thread.

#pragma once

#include "otter/otter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define OTTER_STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OTTER_STRESS_TSAN 1
#endif
#endif
#ifndef OTTER_STRESS_TSAN
#define OTTER_STRESS_TSAN 0
#endif

namespace otter::stress {

inline constexpr bool under_tsan = OTTER_STRESS_TSAN != 0;

/// OTTER_STRESS_SCALE, default 1 (values <= 0 or unparsable count as 1).
inline double scale_factor() {
  static const double s = [] {
    const char* v = std::getenv("OTTER_STRESS_SCALE");
    if (v == nullptr || *v == '\0') {
      return 1.0;
    }
    char* end = nullptr;
    double d = std::strtod(v, &end);
    return (end == v || !(d > 0)) ? 1.0 : d;
  }();
  return s;
}

/// OTTER_STRESS_VERBOSE set (to anything but 0): tests print how often each race outcome was
/// seen (to judge coverage when tuning). Silent otherwise.
inline bool verbose() {
  static const bool v = [] {
    const char* e = std::getenv("OTTER_STRESS_VERBOSE");
    return e != nullptr && *e != '\0' && std::string(e) != "0";
  }();
  return v;
}

/// A size: `base` (the ASan default) times OTTER_STRESS_SCALE, divided by `tsan_divisor` under
/// TSan (10 by default; the TSan build is optimised, so tests whose cost is mostly the runtime's
/// own work use a smaller divisor there), at least `minimum`.
inline std::int64_t scaled(std::int64_t base, std::int64_t minimum = 1, int tsan_divisor = 10) {
  double v = static_cast<double>(base) * scale_factor();
  if (under_tsan) {
    v /= static_cast<double>(tsan_divisor);
  }
  auto n = static_cast<std::int64_t>(v);
  return n < minimum ? minimum : n;
}

/// Bound of every rt.run() of the stress tests: far above the expected seconds, so that a hang
/// becomes a failure (run_error :timeout) instead of a CI timeout.
inline constexpr std::chrono::seconds run_limit{120};

/// Bounds of the receives inside the tests: `wait_limit` for the processes doing the work,
/// `outer_wait_limit` for the coordinators waiting on them (longer, so that the workers report
/// what they miss first). Both far above the expected milliseconds.
inline constexpr std::chrono::seconds wait_limit{60};
inline constexpr std::chrono::seconds outer_wait_limit{90};

/// Failures seen inside processes (any thread). The first `keep` messages are kept verbatim.
class failures {
public:
  static constexpr std::size_t keep = 25;

  template <class... A>
  void add(A&&... parts) {
    std::ostringstream os;
    (os << ... << std::forward<A>(parts));
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    if (messages_.size() < keep) {
      messages_.push_back(os.str());
    }
  }
  /// Records a failure when `cond` is false; returns cond.
  template <class... A>
  bool check(bool cond, A&&... parts) {
    if (!cond) {
      add(std::forward<A>(parts)...);
    }
    return cond;
  }
  [[nodiscard]] std::size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  [[nodiscard]] std::string text() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const auto& m : messages_) {
      out += "  ";
      out += m;
      out += '\n';
    }
    if (count_ > messages_.size()) {
      out += "  ... and " + std::to_string(count_ - messages_.size()) + " more\n";
    }
    return out;
  }

private:
  mutable std::mutex mu_;
  std::size_t count_ = 0;
  std::vector<std::string> messages_;
};

#define OTTER_STRESS_EXPECT_NO_FAILURES(f) \
  EXPECT_EQ((f).count(), 0U) << "failures seen inside processes:\n" << (f).text()

/// Flags a stall: a bounded receive that returned a message only once its own timeout had
/// passed. The message was then in the mailbox while the process slept, until the receive's
/// timer signal woke it (a lost wake-up that the timeout hid). Start it just before the receive.
class stall_watch {
public:
  explicit stall_watch(std::chrono::milliseconds limit = wait_limit)
      : limit_(limit), start_(std::chrono::steady_clock::now()) {}
  template <class... A>
  void check(failures& f, bool got_message, A&&... what) const {
    if (got_message && std::chrono::steady_clock::now() - start_ >= limit_) {
      f.add(std::forward<A>(what)..., ": the message was taken only after the receive's ",
            limit_.count(), " ms timeout had passed (a lost wake-up, rescued by the timer)");
    }
  }

private:
  std::chrono::milliseconds limit_;
  std::chrono::steady_clock::time_point start_;
};

/// Polls rt.process_count() until it is `expected` (a process that returned from run() is
/// counted until its slot is finalised, a moment later). Bounded by `limit`; returns the last
/// count seen.
inline std::size_t wait_process_count(const runtime& rt, std::size_t expected,
                                      std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::size_t n = rt.process_count();
  while (n != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    n = rt.process_count();
  }
  return n;
}

/// Inside a process: waits (yielding, then sleeping 1 ms at a time) until `pred()` holds, at
/// most `limit`. Returns pred(). For conditions another thread makes true soon (a process
/// finishing its exit), never for timing assumptions.
template <class Pred>
co<bool> wait_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (int spins = 0; !pred(); ++spins) {
    if (std::chrono::steady_clock::now() >= deadline) {
      co_return pred();
    }
    if (spins < 64) {
      co_await yield();
    } else {
      co_await otter::sleep(std::chrono::milliseconds(1));
    }
  }
  co_return true;
}

/// A small deterministic PRNG (xorshift64*), one per process: no shared state.
class rng {
public:
  explicit rng(std::uint64_t seed) noexcept
      : s_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {
    if (s_ == 0) {
      s_ = 1;
    }
  }
  std::uint64_t next() noexcept {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1DULL;
  }
  /// Uniform-ish in [0, n).
  std::uint32_t below(std::uint32_t n) noexcept {
    return static_cast<std::uint32_t>((next() >> 32) % n);
  }

private:
  std::uint64_t s_;
};

/// The scheduler counts the stress tests run with: 2 (the machine's cores) and 4 (more
/// schedulers than cores: the OS preempts them mid-protocol).
inline std::string schedulers_name(const ::testing::TestParamInfo<unsigned>& info) {
  return std::to_string(info.param) + "Schedulers";
}

}  // namespace otter::stress
