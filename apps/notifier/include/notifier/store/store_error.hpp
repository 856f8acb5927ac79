// notifier/store/store_error.hpp: how a store call fails (tier 1 of the error model: a value).
//
// Every store call returns store_result<T> = otter::expected<T, store_error>. The code tells the
// caller what to do:
//
//   not_found    the row does not exist, or belongs to another user (the two are not told
//                apart, so a user cannot probe for other users' ids); the API answers 404
//   conflict     the change contradicts the row's state: completing a completed task, a
//                duplicate key; the API answers 409
//   invalid      the input breaks a rule (validate() in the domain, a CHECK); the API answers 400
//   unavailable  the store cannot be reached or is busy (connection lost, I/O error, lock
//                timeout, server shutting down, serialization failure): nothing was committed,
//                or (only when the connection broke during COMMIT) the outcome is unknown. The
//                caller backs off (backoff.hpp) and retries; the API answers 503
//   internal     anything else: a corrupt database, a schema newer than this build, a bug.
//                Retrying does not help; a worker crashes and is restarted
//
// Thread safety: values.

#pragma once

#include "otter/core/expected.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace notifier {

enum class store_errc : std::uint8_t { not_found, conflict, invalid, unavailable, internal };

/// "not_found", "conflict", ...
[[nodiscard]] std::string_view to_string(store_errc code) noexcept;

inline std::ostream& operator<<(std::ostream& out, store_errc code) {
  return out << to_string(code);
}

/// A failed store call: the class of failure and a message for logs (never shown to other
/// users: it may name ids and the backend's own error text).
struct store_error {
  store_errc code = store_errc::internal;
  std::string message{};

  /// Whether retrying the same call later may succeed (code == unavailable).
  [[nodiscard]] bool retryable() const noexcept { return code == store_errc::unavailable; }

  friend std::ostream& operator<<(std::ostream& out, const store_error& e) {
    return out << to_string(e.code) << ": " << e.message;
  }
};

template <class T>
using store_result = otter::expected<T, store_error>;

/// The error value for `code` with `message`, ready to return from a store call.
[[nodiscard]] inline otter::unexpected<store_error> store_failure(store_errc code,
                                                                  std::string message) {
  return otter::unexpected<store_error>(store_error{code, std::move(message)});
}

}  // namespace notifier
