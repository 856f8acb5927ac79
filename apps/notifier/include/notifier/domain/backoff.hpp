// notifier/domain/backoff.hpp: exponential backoff with jitter, for webhook retries and for
// callers of a store that reported store_errc::unavailable.
//
// Retry n (n = 1 is the retry after the first failure) waits a delay drawn uniformly from
//
//   [ d * (1 - jitter), d ]   where d = min(max_delay, initial * multiplier^(n - 1))
//
// The jitter spreads retries of many workers that failed together (a store that went down for
// all of them), so they do not come back in lockstep.
//
// Thread safety: pure functions, except backoff_delay(policy, n), which draws from a
// thread-local generator.

#pragma once

#include <chrono>

namespace notifier {

/// How a failed action is retried. Defaults: 0.5 s, doubling, at most 60 s, 20 % jitter, 8 tries.
struct backoff_policy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max_delay{60'000};
  double multiplier = 2.0;  // >= 1
  double jitter = 0.2;      // in [0, 1]: the fraction of the delay that is random
  int max_attempts = 8;     // attempts in all, the first one included
};

/// The bounds a retry's delay is drawn from.
struct backoff_range {
  std::chrono::milliseconds min{};
  std::chrono::milliseconds max{};
};

/// The delay bounds of retry `retry` (>= 1; smaller values count as 1).
[[nodiscard]] backoff_range backoff_bounds(const backoff_policy& policy, int retry) noexcept;

/// The delay of retry `retry` for `unit`, a number in [0, 1): bounds.max - unit * jitter part.
/// Deterministic: tests pass the unit.
[[nodiscard]] std::chrono::milliseconds backoff_delay(const backoff_policy& policy, int retry,
                                                      double unit) noexcept;

/// The delay of retry `retry`, with a unit drawn from a thread-local generator.
[[nodiscard]] std::chrono::milliseconds backoff_delay(const backoff_policy& policy, int retry);

/// Whether another attempt is allowed after `attempts_made` attempts.
[[nodiscard]] constexpr bool may_retry(const backoff_policy& policy, int attempts_made) noexcept {
  return attempts_made < policy.max_attempts;
}

}  // namespace notifier
