// otter/testing/deterministic_runtime.hpp: a runtime for tests that need no real time.
//
// One scheduler, driven by the test's own thread; a manual clock; optionally a seeded shuffle
// of the order in which runnable processes run. Timers, receive timeouts, supervisors' restart
// windows and a notifier's 5-minute cadence are exercised without waiting:
//
//   otter::testing::deterministic_runtime rt;
//   otter::pid p = rt.spawn(ticker);          // arms send_after(5min)
//   rt.advance(std::chrono::minutes(5));      // fires it, runs until idle
//
// run(f) spawns f and drives the runtime until it returns, jumping the clock to the next timer
// whenever nothing can run, so a scenario with sleeps and timeouts completes at once. Blocking
// calls (otter::blocking) run inline.
//
// Thread safety: none; use it from one thread (the test's).

#pragma once

#include "otter/core/runtime.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace otter::testing {

class deterministic_runtime : public runtime {
public:
  /// `seed` 0: FIFO order. Otherwise random order from `seed`; the environment variable
  /// OTTER_SHUFFLE_SEED overrides it (to replay a failure).
  explicit deterministic_runtime(std::uint64_t seed = 0)
      : runtime(runtime_options{.schedulers = 1,
                                .blocking_threads = 0,
                                .manual = true,
                                .shuffle_seed = seed_from_env(seed)}) {}

  /// Runs runnable processes until none is left (due timers fire first). Returns how many
  /// process slices ran.
  std::size_t run_until_idle();
  /// Runs at most one process slice. Returns false when nothing was runnable.
  bool step();
  /// Moves the clock forward by `d`, firing due timers and running until idle at each timer
  /// deadline on the way (so timers that re-arm inside the window fire too).
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    advance_ms(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
  }
  void advance_ms(std::uint64_t ms);
  /// The seed in use (0 for FIFO).
  [[nodiscard]] std::uint64_t seed() noexcept;

private:
  static std::uint64_t seed_from_env(std::uint64_t seed) {
    if (const char* s = std::getenv("OTTER_SHUFFLE_SEED")) {
      return std::strtoull(s, nullptr, 10);
    }
    return seed;
  }
};

}  // namespace otter::testing
