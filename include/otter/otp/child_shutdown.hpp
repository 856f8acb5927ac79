// otter/otp/child_shutdown.hpp: stopping a linked child the way OTP's supervisor does.
//
//   expected<void> r = co_await otter::shutdown_child(child, 5000);   // or brutal_kill, infinity
//   if (!r) { report(r.error().reason); }     // the child ended with another reason
//
// shutdown_child() is OTP 25's supervisor:shutdown/2, for one child of the calling process:
//   1. monitor_child(): monitor the child FIRST, then unlink it, then take an {:EXIT} of the
//      child that is already in the mailbox (receive ... after 0). The monitor comes first so
//      that a child that dies meanwhile is still seen with its real reason: either its {:EXIT}
//      reached us before the unlink (taken here, then its DOWN awaited), or the DOWN carries
//      the reason. Unlinking switches from the link to the monitor: a "naughty" child that
//      unlinked itself cannot hang us, since the monitor's DOWN always comes.
//   2. brutal_kill: exit(child, :kill) and wait for the DOWN; `:killed` is success.
//   3. otherwise exit(child, :shutdown) and wait up to `shutdown` ms (forever for infinity)
//      for the DOWN; `:shutdown` is success. When the time passes: exit(child, :kill) and wait
//      for the DOWN, whose reason (normally `:killed`) is returned as a failure.
// A failure carries the reason the child ended with (code errc::exit); the caller decides
// what to report (a supervisor ignores `:normal` for non-permanent children and logs the rest
// as a shutdown_error). After it returns no {:EXIT} or DOWN of the child is left in the
// caller's mailbox.
//
// monitor_child() is step 1 alone, for callers that stop many children in parallel
// (DynamicSupervisor): monitor_child each, send the exits, then collect the DOWNs.
//
// The calling process should trap exits (supervisors do): the {:EXIT} of step 1 is then a
// message. Thread safety: @in_process.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"
#include "otter/otp/child_spec.hpp"

#include <cstdint>

namespace otter {

/// Monitors `child` and unlinks it (step 1 above). Returns the monitor; or, when the child had
/// already exited (its {:EXIT} was in the mailbox), a failure with its exit reason, after its
/// DOWN has been received. @in_process
co<expected<ref>> monitor_child(pid child);

/// Stops `child` with `shutdown` (milliseconds, otter::infinity or otter::brutal_kill) as
/// described above. Success means it ended with the reason asked for. @in_process
co<expected<void>> shutdown_child(pid child, std::int64_t shutdown);

/// Waits for the DOWN of monitor `mon` and returns its reason. @in_process
co<term> down_reason(ref mon);

}  // namespace otter
