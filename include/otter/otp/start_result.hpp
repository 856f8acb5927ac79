// otter/otp/start_result.hpp: what starting a process under the OTP conventions returns.
//
// OTP's {:ok, pid} | :ignore | {:error, reason} as an expected<pid>: the error keeps OTP's
// reason term and a code read from it (errc::already_started for {:already_started, pid},
// errc::ignore for :ignore, errc::exit for a crash in init, ...).
//
// Thread safety: values.

#pragma once

#include "otter/core/expected.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"

namespace otter {

using start_result = expected<pid>;

/// `{:ok, pid}`, `:ignore` or `{:error, reason}`.
[[nodiscard]] term to_term(const start_result& r);

/// Reads an init acknowledgement: `{:ok, pid}` is the pid, `:ignore` is errc::ignore,
/// `{:error, reason}` is the failure of `reason`, anything else is errc::exit with the term.
[[nodiscard]] start_result start_result_of(const term& ack);

}  // namespace otter
