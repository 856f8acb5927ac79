// otter/otp/start_result.hpp: what starting a process under the OTP conventions returns.
//
// OTP's {:ok, pid} | {:ok, pid, info} | :ignore | {:error, reason} as an expected<pid>: the
// error keeps OTP's reason term and a code read from it (errc::already_started for
// {:already_started, pid}, errc::ignore for :ignore, errc::exit for a crash in init, ...).
// A start function may return {:ok, pid, info}: the info is kept beside the pid (info()),
// passed on by DynamicSupervisor.start_child and Supervisor.start_child/restart_child, and
// dropped, as OTP drops it, when a supervisor restarts the child.
//
// Thread safety: values.

#pragma once

#include "otter/core/expected.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"

#include <optional>
#include <utility>

namespace otter {

/// expected<T> plus the optional third element of {:ok, pid, info}.
template <class T>
class [[nodiscard]] basic_start_result : public expected<T> {
public:
  using expected<T>::expected;
  basic_start_result(expected<T> e)  // NOLINT(google-explicit-constructor)
      : expected<T>(std::move(e)) {}
  /// {:ok, value, info}
  basic_start_result(T value, term info) : expected<T>(std::move(value)), info_(std::move(info)) {}

  /// Whether the start returned {:ok, pid, info}.
  [[nodiscard]] bool has_info() const noexcept { return info_.has_value(); }
  /// The info of {:ok, pid, info}. @pre has_info()
  [[nodiscard]] const term& info() const { return info_.value(); }
  /// The same outcome with another value type, keeping the info.
  template <class U>
  [[nodiscard]] basic_start_result<U> with_value(U value) const {
    return info_ ? basic_start_result<U>(std::move(value), *info_)
                 : basic_start_result<U>(std::move(value));
  }

private:
  std::optional<term> info_;
};

using start_result = basic_start_result<pid>;

/// `{:ok, pid}`, `{:ok, pid, info}`, `:ignore` or `{:error, reason}`.
[[nodiscard]] term to_term(const start_result& r);

/// Reads an init acknowledgement or a start function's result term: `{:ok, pid}` is the pid,
/// `{:ok, pid, info}` the pid with its info, `:ignore` is errc::ignore, `{:error, reason}` is
/// the failure of `reason`, anything else is errc::exit with the term.
[[nodiscard]] start_result start_result_of(const term& ack);

}  // namespace otter
