// notifier/domain/clock.hpp: the notifier's time type.
//
// Times are system_clock instants at millisecond resolution, stored as int64 milliseconds since
// the Unix epoch. The store never reads the clock: every time is passed in by the caller, so the
// service can run on a virtual clock in tests (otter's deterministic runtime).
//
// Thread safety: values and pure functions.

#pragma once

#include <chrono>
#include <cstdint>

namespace notifier {

/// An instant, in milliseconds since the Unix epoch.
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// The stored form of `t`.
[[nodiscard]] constexpr std::int64_t to_millis(timestamp t) noexcept {
  return t.time_since_epoch().count();
}
/// The instant that `ms` (milliseconds since the epoch) stands for.
[[nodiscard]] constexpr timestamp from_millis(std::int64_t ms) noexcept {
  return timestamp{std::chrono::milliseconds{ms}};
}
/// The wall clock now, truncated to milliseconds.
[[nodiscard]] inline timestamp wall_clock_now() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace notifier
