// otter/core/process.hpp: processes, messages, links, monitors, exit signals, names and the
// process dictionary. These functions are called from inside a process (@in_process): the
// runtime of the calling process is implied. From outside the runtime use otter::runtime.
//
//   otter::pid echo = otter::spawn([]() -> otter::co<> {
//     auto [from, n] = co_await otter::receive<std::pair<otter::pid, int>>();
//     otter::send(from, n + 1);
//   });
//
// Guarantees (those of Erlang):
//   - Messages and signals from one process to another arrive in the order they were sent;
//     nothing is promised between different senders.
//   - Sending to a dead or stale pid is a silent no-op; a pid never reaches a later process.
//   - A process that returns exits `:normal`; links carry other reasons to linked processes,
//     which die with the same reason unless they trap exits (then they receive exit_msg);
//     `:normal` is ignored by non-trapping processes; exit(pid, :kill) cannot be trapped and is
//     seen as `:killed`; monitors receive down_msg with the reason.
//   - For one dying process, linked processes get the exit signal before monitors get DOWN.
//
// Thread safety: every function here is @in_process; they may run on any scheduler thread.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/message.hpp"
#include "otter/core/receive.hpp"
#include "otter/detail/process_api.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace otter {

namespace detail {

template <class F, class... A>
co<void> process_main(F f, A... args) {
  using R = std::invoke_result_t<F&, A&...>;
  if constexpr (std::is_void_v<R>) {
    std::invoke(f, args...);
  } else {
    (void)co_await std::invoke(f, args...);
  }
}

template <class F>
struct by_value_function : std::false_type {};
template <class... P>
struct by_value_function<co<void> (*)(P...)>
    : std::bool_constant<(!std::is_reference_v<P> && ...)> {};

/// Builds the root coroutine. A plain function returning co<void> whose parameters are all
/// taken by value is called directly: its frame holds copies of the arguments, so nothing can
/// dangle. Anything else (lambdas with captures, reference parameters) runs inside a wrapper
/// frame that keeps `f` and `args` alive exactly as long as the process (the lambda-coroutine
/// lifetime rule, co.hpp).
template <class F, class... A>
co<void> make_body(F&& f, A&&... args) {
  using D = std::decay_t<F>;
  if constexpr (by_value_function<D>::value) {
    return std::invoke(f, std::forward<A>(args)...);
  } else {
    return process_main<D, std::decay_t<A>...>(std::forward<F>(f), std::forward<A>(args)...);
  }
}

}  // namespace detail

/// Options of spawn_opt().
struct spawn_options {
  bool link = false;
  bool monitor = false;
  /// Sets `$ancestors` to [parent | parent's $ancestors], as proc_lib does.
  bool ancestry = false;
  /// Sets `$callers` to [parent | parent's $callers], as Task does.
  bool callers = false;
};

/// The calling process's pid. @in_process
[[nodiscard]] pid self();

/// Starts a process running `f(args...)` (f returns co<T>, or is a plain function). @in_process
template <class F, class... A>
pid spawn(F&& f, A&&... args) {
  detail::spawn_request req(detail::make_body(std::forward<F>(f), std::forward<A>(args)...));
  return detail::spawn(detail::current_runtime("spawn"), req);
}
/// spawn() and link to the new process atomically. @in_process
template <class F, class... A>
pid spawn_link(F&& f, A&&... args) {
  detail::spawn_request req(detail::make_body(std::forward<F>(f), std::forward<A>(args)...));
  req.link = true;
  return detail::spawn(detail::current_runtime("spawn_link"), req);
}
/// spawn() and monitor the new process atomically; returns its pid and the monitor. @in_process
template <class F, class... A>
std::pair<pid, ref> spawn_monitor(F&& f, A&&... args) {
  detail::spawn_request req(detail::make_body(std::forward<F>(f), std::forward<A>(args)...));
  req.monitor = true;
  pid p = detail::spawn(detail::current_runtime("spawn_monitor"), req);
  return {p, req.monitor_ref};
}
/// spawn() with options; `monitor_out` receives the monitor when options.monitor. @in_process
template <class F>
pid spawn_opt(spawn_options options, F&& f, ref* monitor_out = nullptr) {
  detail::spawn_request req(detail::make_body(std::forward<F>(f)));
  req.link = options.link;
  req.monitor = options.monitor;
  req.ancestry = options.ancestry;
  req.callers = options.callers;
  pid p = detail::spawn(detail::current_runtime("spawn_opt"), req);
  if (monitor_out != nullptr) {
    *monitor_out = req.monitor_ref;
  }
  return p;
}

/// Sends `msg` to `to`; a dead pid drops it silently. @threadsafe inside the runtime
template <message_type T>
void send(pid to, T msg) {
  detail::send_node(detail::current_runtime("send"), to, detail::make_message_node(std::move(msg)));
}
/// Sends to a registered name; raises error(:badarg) when no process has it (as Erlang).
template <message_type T>
void send(atom name, T msg) {
  auto& rt = detail::current_runtime("send");
  pid to = detail::whereis(rt, name);
  if (to.is_null()) {
    error(atoms::badarg);
  }
  detail::send_node(rt, to, detail::make_message_node(std::move(msg)));
}
/// send() to a name, returning false instead of raising when the name is not registered.
template <message_type T>
bool try_send(atom name, T msg) {
  auto& rt = detail::current_runtime("send");
  pid to = detail::whereis(rt, name);
  if (to.is_null()) {
    return false;
  }
  detail::send_node(rt, to, detail::make_message_node(std::move(msg)));
  return true;
}

/// Links the caller and `other` (idempotent; linking oneself does nothing). When `other` is
/// dead: a trapping caller gets exit_msg{other, :noproc} and true; otherwise error(:noproc) is
/// raised, as Elixir's Process.link/1 does. @in_process
bool link(pid other);
/// Removes the link (both directions); no exit signal from `other` due to the link arrives
/// after it returns. Always true. @in_process
bool unlink(pid other);

/// Monitors `target`: a down_msg arrives when it exits (at once, with :noproc, when it is
/// already dead). @in_process
ref monitor(pid target);
/// Monitors the process registered as `name`; the DOWN's object is `{name, :nonode@nohost}`.
ref monitor(atom name);

struct demonitor_options {
  /// Also remove a DOWN of this monitor that is already in the mailbox.
  bool flush = false;
  /// Return whether the monitor was still active (false when it had fired or was removed).
  bool info = false;
};
/// Stops the monitor; no DOWN for it arrives after this returns. Returns true, or with
/// `info`, whether the monitor was active. @in_process
bool demonitor(ref monitor, demonitor_options options = {});

/// Sends the exit signal `reason` to `target` (Erlang's exit/2); always true. Inside a process
/// the signal comes from it; `:kill` kills even trapping targets (seen as `:killed`).
bool exit(pid target, term reason);

/// A new alias of the calling process (OTP 24's alias/0): a ref that others may send to with
/// send_to_alias() while it is active. Messages sent to it after unalias() are dropped, even
/// ones already on their way: the receiver checks, in order, as it does for DOWNs after
/// demonitor. Calls use one per request, so a late reply never reaches the caller. @in_process
ref alias();
/// Deactivates `alias`; returns whether it was active. Messages it already received stay in the
/// mailbox. @in_process
bool unalias(ref alias);

/// Sends `msg` to `to` through its alias `alias`: delivered only while the alias is active.
template <message_type T>
void send_to_alias(pid to, ref alias, T msg) {
  using V = std::remove_cvref_t<T>;
  detail::send_node(detail::current_runtime("send_to_alias"), to,
                    detail::node_ptr(new detail::alias_node<V>(alias, std::move(msg))));
}

/// Sets trap_exit and returns the previous value. @in_process
bool trap_exit(bool on);
/// Whether the calling process traps exits. @in_process
[[nodiscard]] bool trapping_exits();

/// Whether `p` is alive. @threadsafe inside the runtime
[[nodiscard]] bool alive(pid p);

/// Registers `p` under `name`; false when the name is taken, p already has a name, p is dead,
/// or the name is `:undefined` (where Elixir's Process.register raises ArgumentError).
bool register_name(atom name, pid p);
/// Removes the name; false when it was not registered.
bool unregister(atom name);
/// The pid registered as `name`, or the null pid.
[[nodiscard]] pid whereis(atom name);
/// The name the process has, if any.
[[nodiscard]] std::optional<atom> registered_name(pid p);

// -- process dictionary (of the calling process) ---------------------------------------------
/// Stores `value` under `key`; returns the previous value or `:undefined`. @in_process
term put(term key, term value);
/// The value under `key`, or `:undefined`. @in_process
[[nodiscard]] term get(const term& key);
/// Removes `key`; returns its value or `:undefined`. @in_process
term erase(const term& key);
/// Every (key, value) pair, sorted by key. @in_process
[[nodiscard]] std::vector<std::pair<term, term>> get_dictionary();

/// Gives up the rest of the time slice (the process goes to the back of the run queue).
[[nodiscard]] inline auto yield() {
  struct awaiter {
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const noexcept {
      detail::suspend_yield(detail::current_checked("yield"), h);
    }
    void await_resume() const noexcept {}
  };
  return awaiter{};
}

/// Sleeps for `d` (Process.sleep): a receive that takes nothing. @in_process
template <class D>
[[nodiscard]] auto sleep(D d) {
  return receive(after(d, [] {}));
}

/// Milliseconds on the runtime's monotonic clock (manual on the deterministic runtime).
[[nodiscard]] std::int64_t now_ms();

/// The schedulers that run the calling process's runtime (Elixir's System.schedulers_online()):
/// its scheduler threads, 1 on the deterministic runtime. The default of what Elixir sizes by
/// schedulers_online (PartitionSupervisor's partitions, Task.async_stream's max_concurrency).
/// @in_process (or on the thread driving a deterministic runtime)
[[nodiscard]] unsigned schedulers_online();

}  // namespace otter
