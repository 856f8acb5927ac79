// OTP 25's supervisor:shutdown/2 and monitor_child/1; the protocol and the races it guards
// against are described in otter/otp/child_shutdown.hpp and docs/design/supervisors.md.

#include "otter/otp/child_shutdown.hpp"

#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"

#include <optional>
#include <utility>

namespace otter {

namespace {

failure ended_with(term reason) {
  return failure{errc::exit, std::move(reason)};
}

}  // namespace

co<term> down_reason(ref mon) {
  auto ours = [mon](const down_msg& d) {
    return d.monitor == mon;
  };
  auto reason = [](down_msg& d) {
    return std::move(d.reason);
  };
  co_return co_await receive(on<down_msg>(ours, reason));
}

co<expected<ref>> monitor_child(pid child) {
  // Do the monitor first, so that if the child dies before the monitoring is done (a DOWN with
  // :noproc), its real reason is still in the {:EXIT} message, unless a naughty child already
  // unlinked itself.
  ref mon = monitor(child);
  unlink(child);
  // If the child died before the unlink, its {:EXIT} is in the mailbox (a signal that had not
  // been handled yet is dropped by the unlink, and then the DOWN carries the reason): take it,
  // and the DOWN that follows it.
  auto from_child = [child](const exit_msg& m) {
    return m.from == child;
  };
  auto take = [](exit_msg& m) {
    return std::optional<term>(std::move(m.reason));
  };
  auto none = [] {
    return std::optional<term>();
  };
  std::optional<term> exited = co_await receive(on<exit_msg>(from_child, take), after(0, none));
  if (exited) {
    (void)co_await down_reason(mon);
    co_return unexpected(ended_with(std::move(*exited)));
  }
  // If a naughty child unlinked and died before the monitor, the DOWN says :noproc; if it dies
  // after the unlink, the DOWN has the right reason. Either way shutdown_child() handles it.
  co_return mon;
}

co<expected<void>> shutdown_child(pid child, std::int64_t shutdown) {
  expected<ref> mon = co_await monitor_child(child);
  if (!mon) {
    co_return unexpected(mon.error());
  }
  if (shutdown == brutal_kill) {
    otter::exit(child, term(atoms::kill));
    term reason = co_await down_reason(*mon);
    if (reason.is(atoms::killed)) {
      co_return expected<void>{};
    }
    co_return unexpected(ended_with(std::move(reason)));
  }
  otter::exit(child, term(atoms::shutdown));  // try to shut it down gracefully
  ref m = *mon;
  auto ours = [m](const down_msg& d) {
    return d.monitor == m;
  };
  auto reason_of = [](down_msg& d) {
    return std::optional<term>(std::move(d.reason));
  };
  auto timed_out = [] {
    return std::optional<term>();
  };
  std::optional<term> reason =
      co_await receive(on<down_msg>(ours, reason_of), after(shutdown, timed_out));
  if (reason) {
    if (reason->is(atoms::shutdown)) {
      co_return expected<void>{};
    }
    co_return unexpected(ended_with(std::move(*reason)));
  }
  otter::exit(child, term(atoms::kill));  // force termination
  co_return unexpected(ended_with(co_await down_reason(m)));
}

}  // namespace otter
