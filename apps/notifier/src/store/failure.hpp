// How the store implementations report failures internally.
//
// Inside a store, a failure is thrown as a store_exception (not a std::exception, so nothing but
// the boundary below catches it) from wherever it is detected: a bind, a step, a row decode.
// Each public call runs its body through guarded(), the one place that turns the exception into
// the store_result the interface promises. The SQL code stays linear (no error check after each
// bind and step), and no exception of ours ever leaves a store call.

#pragma once

#include "notifier/store/store_error.hpp"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace notifier::detail {

struct store_exception {
  store_error error;
};

[[noreturn]] inline void fail(store_errc code, std::string message) {
  throw store_exception{store_error{code, std::move(message)}};
}

/// Runs `body` holding `mu` and returns its value, or the store_error it threw.
template <class F>
auto guarded(std::mutex& mu, F&& body) -> store_result<std::invoke_result_t<F&>> {
  std::lock_guard lock(mu);
  try {
    return std::forward<F>(body)();
  } catch (store_exception& e) {
    return otter::unexpected<store_error>(std::move(e.error));
  }
}

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

/// A page size as the int64 both databases take for LIMIT.
[[nodiscard]] inline std::int64_t limit_param(std::size_t limit) noexcept {
  constexpr auto max = static_cast<std::size_t>(INT64_MAX);
  return static_cast<std::int64_t>(limit > max ? max : limit);
}

/// Throws `invalid` with the validator's complaint, if any.
inline void require_valid(const std::optional<std::string>& problem) {
  if (problem) {
    fail(store_errc::invalid, *problem);
  }
}

/// require_valid for every entry of a batch, before any is written: the message names the
/// first invalid entry. `validate(item)` is the domain's validator (found by ADL).
template <class T>
void require_all_valid(std::span<const T> items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (std::optional<std::string> problem = validate(items[i])) {
      fail(store_errc::invalid, "entry " + std::to_string(i) + ": " + *problem);
    }
  }
}

}  // namespace notifier::detail
