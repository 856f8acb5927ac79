// src/otp/proc_lib_stop.hpp: proc_lib:stop, the one body of GenServer.stop and
// gen_statem:stop (they differ only in how they report a failure).

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/server_ref.hpp"

#include <cstdint>
#include <optional>

namespace otter::proc_lib::detail {

/// proc_lib:stop (OTP 25): monitors `target` (what `dest` resolved to), asks it to terminate
/// with `reason` (sys:terminate's system message) and waits up to `timeout` ms for its exit.
/// Returns nullopt when it exited with `reason`, else proc_lib:stop's failure: :noproc (no
/// process, or one already dead: the monitor's DOWN says so), :timeout, the other reason it
/// exited with, or, for the caller itself, the failure of the sys:terminate call it would make
/// (`{:calling_self, {:sys, :terminate, [dest, reason, timeout]}}`) instead of waiting for its
/// own DOWN forever.
co<std::optional<term>> stop(server_ref dest, pid target, term reason, std::int64_t timeout);

}  // namespace otter::proc_lib::detail
