// otter/otp/proc_lib.hpp: processes that follow the OTP conventions (Erlang's proc_lib).
//
// A proc_lib process
//   - records its lineage: `$ancestors` = [starter | starter's $ancestors] (the starter's
//     registered name instead of its pid when it has one), and `$initial_call` when given;
//   - logs a crash report ("proc_lib crash_report", see otter/core/logger.hpp) when it ends with
//     an abnormal reason, before its links and monitors learn of it; :normal, :shutdown and
//     {:shutdown, _} are not crashes (the runtime's error_in_process report, for plain
//     processes that raise, is never logged for a proc_lib process);
//   - may be started synchronously: start_link() returns only when the child has called
//     init_ack(value), and returns that value.
//
// This is the contract that lets a hand-written process live in a supervision tree
// (docs/design/behaviours.md#hand-written): start it with start_link, call init_ack once it is
// ready, answer system messages with sys::handle_system (otter/otp/sys.hpp) and exit when its
// parent does (trap exits and stop on the parent's exit_msg).
//
// start_link's outcomes are OTP 25's:
//   - the child called init_ack(v): v;
//   - the child died first: {:error, reason} when the caller traps exits (the {:EXIT} message
//     is consumed); a caller that does not trap exits dies with the child (the link);
//   - `timeout` passed: the child is unlinked and killed, and the result is {:error, :timeout}.
//
// Thread safety: every function is @in_process.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/server_ref.hpp"

#include <cstdint>
#include <exception>
#include <utility>

namespace otter::proc_lib {

/// Options of spawn and start.
struct options {
  bool link = false;
  /// `$initial_call` of the child (`{Module, :function, arity}`); none when nil.
  term initial_call{};
};

/// How long start_link waits for init_ack (milliseconds, or otter::infinity).
inline constexpr std::int64_t default_start_timeout = otter::infinity;

namespace detail {

/// What a starting child acknowledged: `{:ok, child}` (init_ack() without a value, the
/// common case, which then costs no tuple) or `value`.
struct start_ack {
  pid child;
  term value;  // when !ok_self
  bool ok_self = false;
  [[nodiscard]] term to_term() const { return ok_self ? tuple(atoms::ok, child) : value; }
};

/// The acknowledgement a starting child sends to its starter.
struct init_ack_msg {
  start_ack ack;
  [[nodiscard]] term to_term() const { return tuple(atom("ack"), ack.child, ack.to_term()); }
};

/// Logs the crash report of the calling process; `error_info` is `{class, reason}` as
/// class_and_reason() gives it (a raised exception without its stack trace).
void crash_report(const term& error_info);

void set_initial_call(const term& initial_call);

/// proc_lib:exit_p: the body of a proc_lib process ended with `failed`. An abnormal reason is
/// reported; the process then exits with the same reason and class :exit (the crash is
/// reported, so the runtime's error_in_process report must not follow).
[[noreturn]] void exit_after(const std::exception_ptr& failed);

/// The body of every proc_lib process: runs `f`; an abnormal end is reported, then the process
/// exits with the same reason (class :exit, as proc_lib:exit_p).
template <class F>
co<void> run(F f, term initial_call) {
  set_initial_call(initial_call);
  std::exception_ptr failed;
  try {
    co_await std::invoke(f);
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    exit_after(failed);
  }
}

/// Waits for the child's init_ack (see the top of this file). `monitor` is the monitor of an
/// unlinked child (start), or the null ref for a linked one (start_link).
co<start_ack> sync_start(pid child, ref monitor, std::int64_t timeout_ms);

/// start() / start_link() of a body that is itself a proc_lib body: it calls exit_after() on
/// an exception, as run() does. Behaviours whose process is one long-lived coroutine use it
/// so that an idle process keeps one frame instead of three (run's, the wrapper's, its own).
co<start_ack> start_body(co<void> body, bool link, std::int64_t timeout_ms);

/// The root coroutine of a proc_lib process running `f`: run() in a frame that keeps `f`.
template <class F>
co<void> body_of(F f, term initial_call) {
  return otter::detail::make_body(
      [f = std::move(f), ic = std::move(initial_call)]() mutable { return run(std::move(f), ic); });
}
}  // namespace detail

/// Spawns `f` (a callable returning co<void>) as a proc_lib process. @in_process
template <class F>
pid spawn(F f, options opts = {}) {
  otter::detail::spawn_request req(detail::body_of(std::move(f), std::move(opts.initial_call)));
  req.link = opts.link;
  req.ancestry = true;
  return otter::detail::spawn(otter::detail::current_runtime("proc_lib::spawn"), req);
}
/// spawn() linked to the caller. @in_process
template <class F>
pid spawn_link(F f, options opts = {}) {
  opts.link = true;
  return spawn(std::move(f), std::move(opts));
}

/// Spawns `f` linked to the caller and waits until it calls init_ack; returns the value it
/// acknowledged (see the top of this file for the other outcomes). @in_process
template <class F>
co<term> start_link(F f, std::int64_t timeout_ms = default_start_timeout, options opts = {}) {
  co<void> body = detail::body_of(std::move(f), std::move(opts.initial_call));
  detail::start_ack ack = co_await detail::start_body(std::move(body), true, timeout_ms);
  co_return ack.to_term();
}
/// start_link() without the link: a child that dies before its ack makes this return
/// {:error, reason} whatever the caller traps. @in_process
template <class F>
co<term> start(F f, std::int64_t timeout_ms = default_start_timeout, options opts = {}) {
  co<void> body = detail::body_of(std::move(f), std::move(opts.initial_call));
  detail::start_ack ack = co_await detail::start_body(std::move(body), false, timeout_ms);
  co_return ack.to_term();
}

/// Tells the starter (the head of `$ancestors`) that start_link may return `value`.
/// @in_process
void init_ack(term value);
/// init_ack({:ok, self()}).
void init_ack();

/// Stops a process that answers system messages (proc_lib:stop): asks it to terminate with
/// `reason` and waits up to `timeout` ms until it has exited (its cleanup, a GenServer's
/// terminate, runs first). Returns :ok; exits the caller with :noproc (no such process),
/// :timeout, the other reason the process exited with, or
/// `{:calling_self, {:sys, :terminate, [dest, reason, timeout]}}` for the caller itself.
/// gen_statem::stop is this; GenServer.stop wraps the failures in its own call site.
/// @in_process
co<atom> stop(server_ref dest, term reason = term(atoms::normal),
              std::int64_t timeout = otter::infinity);

}  // namespace otter::proc_lib
