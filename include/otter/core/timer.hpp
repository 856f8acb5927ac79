// otter/core/timer.hpp: timers (erlang:send_after/3,4, start_timer/3,4, cancel_timer/1,
// read_timer/1).
//
// Timers live in a hierarchical timing wheel per scheduler (docs/design/timers.md): arming and
// cancelling are O(1), so a million processes each holding a 5-minute timer cost memory (one
// small entry each), not CPU. Resolution is 1 ms; a timer never fires early.
//
// A timer's destination is a pid (a dead pid drops the message) or a name, looked up when the
// timer fires. cancel_timer and read_timer may be called from any process.
//
// Thread safety: all functions are @threadsafe inside the runtime.

#pragma once

#include "otter/core/exit.hpp"
#include "otter/core/message.hpp"
#include "otter/core/receive.hpp"
#include "otter/detail/assert.hpp"
#include "otter/detail/process_api.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace otter {

namespace detail {
template <class D>
std::uint64_t deadline_after(runtime_impl& rt, D delay) {
  const std::int64_t ms = to_ms(delay);
  if (ms < 0) {
    error(atoms::badarg);  // infinity is not a timer delay (Erlang: badarg)
  }
  return deadline_in(rt, static_cast<std::uint64_t>(ms));
}
}  // namespace detail

/// Sends `msg` to `dest` after `delay` (a duration or milliseconds). Returns the timer's ref.
template <class D, message_type T>
ref send_after(pid dest, T msg, D delay) {
  auto& rt = detail::current_runtime("send_after");
  return detail::arm_timer_with(rt, term(dest), detail::deadline_after(rt, delay), std::move(msg),
                                ref{});
}
/// send_after() to a registered name, resolved when the timer fires.
template <class D, message_type T>
ref send_after(atom dest, T msg, D delay) {
  auto& rt = detail::current_runtime("send_after");
  return detail::arm_timer_with(rt, term(dest), detail::deadline_after(rt, delay), std::move(msg),
                                ref{});
}
/// send_after() with an absolute deadline in now_ms() time (`abs: true`).
template <message_type T>
ref send_at(pid dest, T msg, std::int64_t deadline_ms) {
  auto& rt = detail::current_runtime("send_at");
  return detail::arm_timer_with(rt, term(dest), static_cast<std::uint64_t>(deadline_ms),
                                std::move(msg), ref{});
}

/// Delivers timer_msg<T>{ref, msg} (`{:timeout, ref, msg}`) to `dest` after `delay`.
template <class D, message_type T>
ref start_timer(D delay, pid dest, T msg) {
  auto& rt = detail::current_runtime("start_timer");
  ref tag = make_ref();
  return detail::arm_timer_with(rt, term(dest), detail::deadline_after(rt, delay),
                                timer_msg<T>{tag, std::move(msg)}, tag);
}

/// Cancels the timer: the milliseconds that were left, or nullopt when it had already fired or
/// been cancelled (Erlang's `false`). A message already delivered stays in the mailbox.
std::optional<std::int64_t> cancel_timer(ref timer);
/// The milliseconds left before the timer fires, or nullopt (`false`).
[[nodiscard]] std::optional<std::int64_t> read_timer(ref timer);

}  // namespace otter
