// otter/otp/task.hpp: one computation in its own process, awaited by the process that started
// it (Elixir's Task).
//
//   otter::task<int> t = otter::async([]() -> otter::co<int> { co_return co_await work(); });
//   int v = co_await otter::await(t);                       // exits the caller on failure
//   auto r = co_await otter::try_await(t, 100);             // expected<int>: the same, as a value
//   auto y = co_await otter::yield(t, 100);                 // nullopt while it still runs
//
// A task function returns T or co<T> (a function returning void gives the atom :ok); the task
// is a task<T>, printed as Elixir prints it: `%Task{mfa: .., owner: .., pid: .., ref: ..}`.
// Functions that take a `term mfa` record it in the struct (Task.async/3's {Module, :fun,
// arity}); the others record {:erlang, :apply, 2}, as Task.async/1 does.
//
// Semantics are Elixir 1.14's (task.ex, task/supervised.ex):
//   - async links the task to the caller and monitors it; the task is a proc_lib process with
//     `$ancestors` = [caller | ...] and `$callers` = [caller | caller's $callers]. Its reply
//     `{ref, value}` (ref = the monitor) comes through an alias of the caller, then the task
//     exits :normal. A crash reaches the caller through the link (a caller that does not trap
//     exits dies with the task's reason);
//   - await waits `timeout` ms (default 5000, or otter::infinity) and returns the value, leaving
//     no DOWN behind. It exits the caller with {reason, {Task, :await, [task, timeout]}} when the
//     task dies first (its reason, :normal included: a task that exits without replying) or on
//     :timeout. After a timeout the task keeps running, but its reply can no longer reach the
//     caller: the alias is gone;
//   - yield is await without the exits: {:ok, value}, {:exit, reason} when the task died, or
//     nil (nullopt) on timeout, the task still running and still awaitable;
//   - ignore unlinks the task and drops its future reply: {:ok, v} / {:exit, r} when it had
//     already finished, nil otherwise;
//   - shutdown unlinks the task, sends it exit :shutdown (brutal_kill: :kill) and waits
//     `timeout` ms for it before killing it: nil when it stopped as asked, {:ok, v} when it had
//     replied first, {:exit, reason} otherwise (:killed when it had to be killed);
//   - only the owner may await, yield, ignore or shut down a task: others get ArgumentError
//     (std::invalid_argument, which crashes a process as ArgumentError);
//   - a task that crashes logs "task terminating" (pid, starter, reason) and then proc_lib's
//     crash report; :normal, :shutdown and {:shutdown, _} log nothing.
// The raw protocol is Elixir's: a caller that does not await may receive the reply
// (detail::task_reply<T>, printed `{ref, value}`) and the DOWN itself. The alias then stays
// active until the caller exits; await, yield, ignore and shutdown remove it.
//
// Thread safety: every function is @in_process and must be called by the task's owner; a
// task<T> is a value (its copies name the same task).

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/term.hpp"
#include "otter/detail/task_protocol.hpp"
#include "otter/otp/child_spec.hpp"

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace otter {

/// await's and yield's default timeout, in milliseconds.
inline constexpr std::int64_t default_task_timeout = 5000;

/// A started task (Elixir's %Task{}). Fields are Elixir's plus the reply alias.
template <class T = term>
struct task {
  /// The task process (null for completed()).
  otter::pid pid;
  /// The monitor of the task; its reply carries it (`{ref, value}`).
  otter::ref ref;
  /// The process that started the task: the only one that may await it.
  otter::pid owner;
  /// `{Module, :function, arity}`.
  term mfa;
  /// Where the reply is sent (an alias of the owner; null for completed()).
  otter::ref reply_alias;

  /// `%Task{mfa: .., owner: .., pid: .., ref: ..}`
  [[nodiscard]] term to_term() const { return detail::task_struct_term(mfa, owner, pid, ref); }
};

/// `{:ok, value}` (has_value) or `{:exit, reason}` (error()): how yield, ignore, shutdown and
/// async_stream report a task that has finished.
template <class T>
using task_result = expected<T, term>;

/// `{:ok, value}` or `{:exit, reason}`.
template <class T>
[[nodiscard]] term to_term(const task_result<T>& r) {
  return r ? tuple(atoms::ok, detail::as_term(*r)) : tuple(atom("exit"), r.error());
}
/// As above, nullopt as nil.
template <class T>
[[nodiscard]] term to_term(const std::optional<task_result<T>>& r) {
  return r ? to_term(*r) : term();
}

namespace detail {

template <class T, class F>
task_work reply_work(F f, pid reply_pid, ref reply_alias, ref tag) {
  return task_work([f = std::move(f), reply_pid, reply_alias, tag]() mutable -> co<void> {
    T value = co_await invoke_task_fn(f);
    send_to_alias(reply_pid, reply_alias, task_reply<T>{tag, std::move(value)});
  });
}

template <class F>
task_work noreply_work(F f) {
  return task_work([f = std::move(f)]() mutable -> co<void> { (void)co_await invoke_task_fn(f); });
}

template <class T>
struct task_wait {
  std::optional<T> value;
  std::optional<term> down;  // the DOWN's reason
  bool timed_out = false;
};

/// The reply or the DOWN of the task whose monitor is `tag`, or the timeout.
template <class T>
auto task_receive(ref tag, std::int64_t timeout) {
  return receive(on<task_reply<T>>([tag](const task_reply<T>& r) { return r.tag == tag; },
                                   [](task_reply<T>& r) {
                                     return task_wait<T>{std::move(r.value), std::nullopt};
                                   }),
                 on<down_msg>([tag](const down_msg& d) { return d.monitor == tag; },
                              [](down_msg& d) {
                                return task_wait<T>{std::nullopt, std::move(d.reason)};
                              }),
                 after(timeout, [] {
                   return task_wait<T>{std::nullopt, std::nullopt, true};
                 }));
}

/// The reply of `tag` if it is already in the mailbox (Task's flush_reply).
template <class T>
auto task_flush_reply(ref tag) {
  return receive(on<task_reply<T>>([tag](const task_reply<T>& r) { return r.tag == tag; },
                                   [](task_reply<T>& r) {
                                     return std::optional<task_result<T>>(std::move(r.value));
                                   }),
                 after(0, [] { return std::optional<task_result<T>>(); }));
}

template <class T>
void check_owner(const task<T>& t) {
  if (t.owner != self()) {
    invalid_task_owner(t.to_term());
  }
}

/// How shutdown asked the task to stop (Task's shutdown_receive types).
enum class task_stop : std::uint8_t { shutdown, brutal_kill, timeout_kill };

/// Task's flush_noproc: the task was already dead when shutdown monitored it; its own DOWN
/// says how it ended. nullopt means "stopped as asked".
co<std::optional<term>> task_flush_noproc(ref tag, task_stop how);

template <class T>
task<T> make_task(pid child, ref mon, pid owner, term mfa, ref reply_alias) {
  task<T> t;
  t.pid = child;
  t.ref = mon;
  t.owner = owner;
  t.mfa = std::move(mfa);
  t.reply_alias = reply_alias;
  return t;
}

}  // namespace detail

// -- starting --------------------------------------------------------------------------------

/// Starts `f()` in a task linked to and monitored by the caller, recording `mfa` (Task.async/3's
/// `{Module, :function, arity}`) in the struct. @in_process
template <class F>
requires std::invocable<F&>
[[nodiscard]] task<detail::task_value_t<F>> async(term mfa, F f) {
  using T = detail::task_value_t<F>;
  const pid owner = self();
  pid child = detail::spawn_reply_task(true, owner, detail::task_starter(owner), false);
  // Monitor before sending the work: the reply must carry the monitor, and a task that dies
  // at once must still answer await with its DOWN.
  ref mon = monitor(child);
  ref reply_to = alias();
  detail::send_task_start(child, owner, mfa,
                          detail::reply_work<T>(std::move(f), owner, reply_to, mon));
  return detail::make_task<T>(child, mon, owner, std::move(mfa), reply_to);
}
/// Task.async(fun): mfa {:erlang, :apply, 2}. @in_process
template <class F>
requires std::invocable<F&>
[[nodiscard]] task<detail::task_value_t<F>> async(F f) {
  return async(detail::apply_mfa(), std::move(f));
}

/// A task that has already finished with `value` (Task.completed): await and yield return it
/// at once; it has no process. @in_process
template <message_type T>
[[nodiscard]] task<T> completed(T value) {
  ref tag = make_ref();
  send(self(), detail::task_reply<T>{tag, std::move(value)});
  return detail::make_task<T>(pid(), tag, self(), tuple(atom("Elixir.Task"), atom("completed"), 1),
                              ref());
}

/// Starts `f()` in a task that nobody awaits (Task.start): not linked; returns its pid.
/// @in_process
template <class F>
requires std::invocable<F&> pid task_start(F f) {
  return detail::spawn_noreply_task(false, detail::task_starter(self()), detail::task_callers(),
                                    detail::apply_mfa(), detail::noreply_work(std::move(f)));
}
/// task_start() linked to the caller (Task.start_link, for supervision trees). @in_process
template <class F>
requires std::invocable<F&> pid task_start_link(F f) {
  return detail::spawn_noreply_task(true, detail::task_starter(self()), detail::task_callers(),
                                    detail::apply_mfa(), detail::noreply_work(std::move(f)));
}

/// A child spec that runs `f()` with task_start_link under a supervisor (Task.child_spec):
/// id Task, restart temporary, start {Task, :start_link, [#Fun]} (so modules [Task]). `f`
/// must be copyable: a restart runs a new copy.
template <class F>
requires std::invocable<F&> && std::copy_constructible<F>
[[nodiscard]] child_spec task_child_spec(F f) {
  child_spec spec;
  spec.id = term(atom("Elixir.Task"));
  spec.restart = restart::temporary;
  spec.mfa = tuple(atom("Elixir.Task"), atom("start_link"), list(term::opaque("#Fun")));
  spec.start = start_with(
      [f = std::move(f)]() -> co<start_result> { co_return start_result(task_start_link(f)); });
  return spec;
}

// -- waiting -----------------------------------------------------------------------------------

/// await() returning the failure instead of exiting: its reason is the one await() would exit
/// with, `{reason, {Task, :await, [task, timeout]}}`. @in_process
template <class T>
co<expected<T>> try_await(task<T> t, std::int64_t timeout = default_task_timeout) {
  detail::check_owner(t);
  detail::task_wait<T> w = co_await detail::task_receive<T>(t.ref, timeout);
  if (w.value) {
    demonitor(t.ref, {.flush = true});
    unalias(t.reply_alias);
    co_return std::move(*w.value);
  }
  if (w.timed_out) {
    demonitor(t.ref, {.flush = true});
  }
  unalias(t.reply_alias);
  term reason = w.timed_out ? term(atoms::timeout) : std::move(*w.down);
  co_return unexpected(failure::from_reason(detail::task_exit_reason(
      std::move(reason), "await", {t.to_term(), detail::timeout_term(timeout)})));
}

/// Waits for the task's value (see the top of this file for the exits). @in_process
template <class T>
co<T> await(task<T> t, std::int64_t timeout = default_task_timeout) {
  expected<T> r = co_await try_await(std::move(t), timeout);
  if (!r) {
    otter::exit(std::move(r).error().reason);
  }
  co_return std::move(*r);
}

/// Awaits every task, with one deadline for all; returns the values in the order of `tasks`.
/// Exits with {reason, {Task, :await_many, [tasks, timeout]}} when one of them dies or the
/// time is up; the others are then demonitored (they keep running). @in_process
template <class T>
co<std::vector<T>> await_many(std::vector<task<T>> tasks,
                              std::int64_t timeout = default_task_timeout) {
  std::unordered_map<ref, std::size_t> pending;  // monitor -> first index in tasks
  // A task listed twice gets its value twice, as Elixir's await_many collects replies by
  // monitor: source[i] is the first index of tasks[i]'s monitor.
  std::vector<std::size_t> source(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    detail::check_owner(tasks[i]);
    source[i] = pending.emplace(tasks[i].ref, i).first->second;
    if constexpr (!std::is_copy_constructible_v<T>) {
      if (source[i] != i) {
        throw std::invalid_argument("await_many: a task of a move-only type listed twice");
      }
    }
  }
  std::vector<std::optional<T>> values(tasks.size());
  const std::int64_t deadline = timeout == infinity ? infinity : now_ms() + timeout;
  const auto* waiting = &pending;
  while (!pending.empty()) {
    const std::int64_t left =
        deadline == infinity ? infinity : std::max<std::int64_t>(0, deadline - now_ms());
    detail::task_wait<T> w;
    ref from;
    w = co_await receive(
        on<detail::task_reply<T>>(
            [waiting](const detail::task_reply<T>& r) { return waiting->contains(r.tag); },
            [&from](detail::task_reply<T>& r) {
              from = r.tag;
              return detail::task_wait<T>{std::move(r.value), std::nullopt};
            }),
        on<down_msg>([waiting](const down_msg& d) { return waiting->contains(d.monitor); },
                     [](down_msg& d) {
                       return detail::task_wait<T>{std::nullopt, std::move(d.reason)};
                     }),
        after(left, [] {
          return detail::task_wait<T>{std::nullopt, std::nullopt, true};
        }));
    if (w.value) {
      const std::size_t i = pending.at(from);
      demonitor(from, {.flush = true});
      unalias(tasks[i].reply_alias);
      values[i] = std::move(w.value);
      pending.erase(from);
      continue;
    }
    for (const auto& [mon, i] : pending) {
      demonitor(mon, {.flush = true});
      unalias(tasks[i].reply_alias);
    }
    std::vector<term> printed;
    printed.reserve(tasks.size());
    for (const auto& t : tasks) {
      printed.push_back(t.to_term());
    }
    term reason = w.timed_out ? term(atoms::timeout) : std::move(*w.down);
    otter::exit(
        detail::task_exit_reason(std::move(reason), "await_many",
                                 {term::list(std::move(printed)), detail::timeout_term(timeout)}));
  }
  std::vector<std::size_t> last_use(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    last_use[source[i]] = i;
  }
  std::vector<T> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    std::optional<T>& v = values[source[i]];
    if constexpr (std::is_copy_constructible_v<T>) {
      if (last_use[source[i]] != i) {
        out.push_back(*v);
        continue;
      }
    }
    out.push_back(std::move(*v));
  }
  co_return out;
}

/// Waits at most `timeout` ms: {:ok, value}, {:exit, reason} when the task died (the caller
/// survives only if it traps exits or the task is not linked), or nullopt (nil) while it still
/// runs. @in_process
template <class T>
co<std::optional<task_result<T>>> yield(task<T> t, std::int64_t timeout = default_task_timeout) {
  detail::check_owner(t);
  detail::task_wait<T> w = co_await detail::task_receive<T>(t.ref, timeout);
  if (w.timed_out) {
    co_return std::nullopt;
  }
  unalias(t.reply_alias);
  if (w.value) {
    demonitor(t.ref, {.flush = true});
    co_return task_result<T>(std::move(*w.value));
  }
  co_return task_result<T>(unexpected(std::move(*w.down)));
}

/// Yields every task within one deadline: one entry per task, in order (nullopt for those
/// still running). @in_process
template <class T>
co<std::vector<std::pair<task<T>, std::optional<task_result<T>>>>> yield_many(
    std::vector<task<T>> tasks, std::int64_t timeout = default_task_timeout) {
  const std::int64_t deadline = timeout == infinity ? infinity : now_ms() + timeout;
  std::vector<std::pair<task<T>, std::optional<task_result<T>>>> out;
  out.reserve(tasks.size());
  for (auto& t : tasks) {
    detail::check_owner(t);
    const std::int64_t left =
        deadline == infinity ? infinity : std::max<std::int64_t>(0, deadline - now_ms());
    detail::task_wait<T> w = co_await detail::task_receive<T>(t.ref, left);
    std::optional<task_result<T>> r;
    if (w.value) {
      demonitor(t.ref, {.flush = true});
      unalias(t.reply_alias);
      r = task_result<T>(std::move(*w.value));
    } else if (w.down) {
      unalias(t.reply_alias);
      r = task_result<T>(unexpected(std::move(*w.down)));
    }
    out.emplace_back(std::move(t), std::move(r));
  }
  co_return out;
}

/// Stops caring about the task: unlinks it and drops its reply. {:ok, value} / {:exit, reason}
/// when it had already finished, nullopt (nil) otherwise. @in_process
template <class T>
co<std::optional<task_result<T>>> ignore(task<T> t) {
  detail::check_owner(t);
  detail::task_wait<T> w = co_await detail::task_receive<T>(t.ref, 0);
  if (w.down) {
    unalias(t.reply_alias);
    co_return task_result<T>(unexpected(std::move(*w.down)));
  }
  if (t.pid.is_null()) {
    otter::error(atoms::badarg);  // a completed() task: Elixir's unlink(nil) raises
  }
  unlink(t.pid);
  demonitor(t.ref, {.flush = true});
  unalias(t.reply_alias);
  if (w.value) {
    co_return task_result<T>(std::move(*w.value));
  }
  co_return std::nullopt;
}

/// Stops the task (see the top of this file): `timeout` in ms, otter::infinity, or
/// otter::brutal_kill. Raises ArgumentError for a task without a process (completed()).
/// @in_process
template <class T>
co<std::optional<task_result<T>>> shutdown(task<T> t, std::int64_t timeout = default_task_timeout) {
  if (t.pid.is_null()) {
    detail::no_task_process(t.to_term());
  }
  detail::check_owner(t);
  using detail::task_stop;
  task_stop how = timeout == brutal_kill ? task_stop::brutal_kill : task_stop::shutdown;
  // Monitor first, so that a task that dies meanwhile still answers (with :noproc at worst).
  ref mon = monitor(t.pid);
  // Unlink before the signal: the caller must not receive the task's :shutdown through the
  // link. Nothing can stop the caller between the two (signals act at suspension points), so
  // Elixir's enforcer process is not needed.
  unlink(t.pid);
  otter::exit(t.pid, term(how == task_stop::brutal_kill ? atoms::kill : atoms::shutdown));
  std::int64_t wait = how == task_stop::brutal_kill ? infinity : timeout;
  std::optional<term> reason;
  while (!reason) {
    reason = co_await receive(
        on<down_msg>([mon](const down_msg& d) { return d.monitor == mon; },
                     [](down_msg& d) { return std::optional<term>(std::move(d.reason)); }),
        after(wait, [] { return std::optional<term>(); }));
    if (!reason) {
      otter::exit(t.pid, term(atoms::kill));
      how = task_stop::timeout_kill;
      wait = infinity;
    }
  }
  const bool as_asked = (reason->is(atoms::shutdown) && how != task_stop::brutal_kill)
                        || (reason->is(atoms::killed) && how == task_stop::brutal_kill);
  std::optional<term> failed;
  if (as_asked) {
    demonitor(t.ref, {.flush = true});
  } else if (reason->is(atoms::noproc)) {
    failed = co_await detail::task_flush_noproc(t.ref, how);
  } else {
    demonitor(t.ref, {.flush = true});
    failed = std::move(reason);
  }
  std::optional<task_result<T>> replied = co_await detail::task_flush_reply<T>(t.ref);
  unalias(t.reply_alias);
  if (replied) {
    co_return replied;
  }
  if (failed) {
    co_return task_result<T>(unexpected(std::move(*failed)));
  }
  co_return std::nullopt;
}

}  // namespace otter

// Streams of tasks (async_stream) build on the definitions above.
#include "otter/otp/task_stream.hpp"  // IWYU pragma: export
