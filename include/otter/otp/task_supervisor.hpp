// otter/otp/task_supervisor.hpp: a supervisor of tasks (Elixir's Task.Supervisor).
//
//   start_result sup = co_await otter::task_supervisor::start_link();
//   otter::task<int> t = co_await otter::task_supervisor::async_nolink(*sup, [] { return 1; });
//   auto r = co_await otter::yield(t, 1000);            // a crash is {:exit, reason}, not a
//                                                       // crash of the caller
//   co_await otter::task_supervisor::start_child(*sup, [] { send_report(); });
//
// A task supervisor is a DynamicSupervisor (otter/otp/dynamic_supervisor.hpp) whose children
// are tasks, temporary unless start_child asks otherwise. Semantics are Elixir 1.14's
// (task/supervisor.ex):
//   - async / async_nolink start a task under the supervisor (so `$ancestors` = [sup, ...]) with
//     `$callers` = [caller | caller's $callers], monitor it and return a task<T> that the caller
//     awaits, yields, ignores or shuts down with the functions of otter/otp/task.hpp. async also
//     links the task to the caller, as Task.async does; async_nolink does not, so a crash
//     reaches the caller only as the DOWN ({:exit, reason} from yield, an exit of await). While
//     it waits for its work, a supervised task monitors the caller and exits {:shutdown, reason}
//     if the caller dies first;
//   - when the supervisor has max_children tasks, async and async_nolink raise RuntimeError
//     (std::runtime_error);
//   - start_child starts a task nobody awaits: temporary (never restarted) unless `restart`
//     says transient or permanent; `f` must then be copyable, each restart running a copy;
//   - async_stream / async_stream_nolink are otter::async_stream with the tasks under the
//     supervisor (linked to the stream's monitor process, or not linked at all); a supervisor
//     that is full makes the stream raise RuntimeError;
//   - terminate_child(sup, pid) stops a task with :shutdown (after the child's shutdown, it is
//     killed): :ok, or {:error, :not_found} (errc::not_found).
//
// Thread safety: every function is @in_process; a task supervisor may be used by any process,
// and each task belongs to the process that started it.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/process.hpp"
#include "otter/core/term.hpp"
#include "otter/detail/task_protocol.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"
#include "otter/otp/task.hpp"
#include "otter/otp/task_stream.hpp"

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

namespace otter::task_supervisor {

/// The options of start_link, with Elixir's defaults.
struct options {
  /// Registers the supervisor under this name.
  std::optional<server_ref> name{};
  /// At most this many tasks at once; `infinity` for no limit.
  std::int64_t max_children = infinity;
  /// Restart intensity (only for tasks started as transient or permanent).
  std::int64_t max_restarts = 3;
  std::int64_t max_seconds = 5;
};

/// The options of async, async_nolink and start_child.
struct task_options {
  /// start_child only: temporary (the default), transient or permanent.
  otter::restart restart = otter::restart::temporary;
  /// How long the supervisor waits for the task to stop on :shutdown before killing it:
  /// milliseconds, `infinity` or `brutal_kill`; 5000 when unset.
  std::optional<std::int64_t> shutdown{};
};

namespace detail {

/// The spec of a task that waits for its owner's work (Task.Supervised.start_link/2).
[[nodiscard]] child_spec reply_task_spec(pid owner, term starter,
                                         std::optional<std::int64_t> shutdown);
/// Starts a reply task under `sup`; raises RuntimeError when the supervisor is full.
co<pid> start_reply_task(server_ref sup, pid owner, std::optional<std::int64_t> shutdown);
/// The spec of a task that runs `make()`'s work at once (Task.Supervised.start_link/3).
[[nodiscard]] child_spec noreply_task_spec(term starter, term callers,
                                           std::function<otter::detail::task_work()> make,
                                           task_options opts);
/// dynamic_supervisor::start_child. @in_process
co<start_result> start_task_child(server_ref sup, child_spec spec);
/// The spawner of a supervised stream: start_child, then link to the monitor when `link`.
[[nodiscard]] otter::detail::stream_spawner supervised_task_spawner(
    server_ref sup, pid owner, bool link, std::optional<std::int64_t> shutdown);

template <class T, class F>
co<task<T>> async(server_ref sup, bool link, term mfa, F f, task_options opts) {
  const pid owner = self();
  pid child = co_await start_reply_task(std::move(sup), owner, opts.shutdown);
  if (link) {
    otter::link(child);
  }
  // As Task.async: monitor, then send the work (the reply carries the monitor).
  ref mon = monitor(child);
  ref reply_to = alias();
  otter::detail::send_task_start(child, owner, mfa,
                                 otter::detail::reply_work<T>(std::move(f), owner, reply_to, mon));
  co_return otter::detail::make_task<T>(child, mon, owner, std::move(mfa), reply_to);
}

}  // namespace detail

/// Starts a task supervisor linked to the caller. @in_process
co<start_result> start_link(options opts = {});

/// Starts `f()` under `sup`, linked to the caller (Task.Supervisor.async). @in_process
template <class F>
requires std::invocable<F&> co<task<otter::detail::task_value_t<F>>> async(server_ref sup, F f,
                                                                           task_options opts = {}) {
  return detail::async<otter::detail::task_value_t<F>>(
      std::move(sup), true, otter::detail::apply_mfa(), std::move(f), opts);
}
/// async() recording `mfa` ({Module, :function, arity}) in the task. @in_process
template <class F>
requires std::invocable<F&> co<task<otter::detail::task_value_t<F>>> async(server_ref sup, term mfa,
                                                                           F f,
                                                                           task_options opts = {}) {
  return detail::async<otter::detail::task_value_t<F>>(std::move(sup), true, std::move(mfa),
                                                       std::move(f), opts);
}

/// Starts `f()` under `sup`, monitored but not linked (Task.Supervisor.async_nolink).
/// @in_process
template <class F>
requires std::invocable<F&> co<task<otter::detail::task_value_t<F>>> async_nolink(
    server_ref sup, F f, task_options opts = {}) {
  return detail::async<otter::detail::task_value_t<F>>(
      std::move(sup), false, otter::detail::apply_mfa(), std::move(f), opts);
}
/// async_nolink() recording `mfa` in the task. @in_process
template <class F>
requires std::invocable<F&> co<task<otter::detail::task_value_t<F>>> async_nolink(
    server_ref sup, term mfa, F f, task_options opts = {}) {
  return detail::async<otter::detail::task_value_t<F>>(std::move(sup), false, std::move(mfa),
                                                       std::move(f), opts);
}

/// Starts `f()` under `sup` as a task nobody awaits: {:ok, pid}, or {:error, :max_children}.
/// @in_process
template <class F>
requires std::invocable<F&> && std::copy_constructible<F> co<start_result> start_child(
    server_ref sup, F f, task_options opts = {}) {
  auto make = [f = std::move(f)]() {
    return otter::detail::noreply_work(f);
  };
  return detail::start_task_child(
      std::move(sup),
      detail::noreply_task_spec(otter::detail::task_starter(self()), otter::detail::task_callers(),
                                std::move(make), opts));
}

/// Stops the task `child` of `sup`: :ok, or errc::not_found. @in_process
co<expected<void>> terminate_child(server_ref sup, pid child);

/// The running tasks of `sup`. @in_process
co<std::vector<pid>> children(server_ref sup);

/// async_stream with each task under `sup`, linked to the stream's monitor process.
/// @in_process
template <std::ranges::input_range R, class F>
requires std::invocable < F&, std::ranges::range_value_t<std::remove_cvref_t<R>>
& > &&std::copy_constructible<F> [[nodiscard]] auto async_stream(server_ref sup, R&& inputs, F f,
                                                                 stream_options opts = {}) {
  auto spawner = detail::supervised_task_spawner(std::move(sup), self(), true, opts.shutdown);
  return otter::detail::make_task_stream(std::forward<R>(inputs), std::move(f), std::move(spawner),
                                         std::move(opts));
}
template <class In, class F>
requires std::invocable<F&, In&> && std::copy_constructible<F>
[[nodiscard]] auto async_stream(server_ref sup, std::initializer_list<In> inputs, F f,
                                stream_options opts = {}) {
  return async_stream(std::move(sup), std::vector<In>(inputs), std::move(f), std::move(opts));
}

/// async_stream with each task under `sup` and linked to nothing but it: a crash is an
/// {:exit, reason} element, whatever the consumer traps. @in_process
template <std::ranges::input_range R, class F>
requires std::invocable < F&, std::ranges::range_value_t<std::remove_cvref_t<R>>
& > &&std::copy_constructible<F> [[nodiscard]] auto async_stream_nolink(server_ref sup, R&& inputs,
                                                                        F f,
                                                                        stream_options opts = {}) {
  auto spawner = detail::supervised_task_spawner(std::move(sup), self(), false, opts.shutdown);
  return otter::detail::make_task_stream(std::forward<R>(inputs), std::move(f), std::move(spawner),
                                         std::move(opts));
}
template <class In, class F>
requires std::invocable<F&, In&> && std::copy_constructible<F>
[[nodiscard]] auto async_stream_nolink(server_ref sup, std::initializer_list<In> inputs, F f,
                                       stream_options opts = {}) {
  return async_stream_nolink(std::move(sup), std::vector<In>(inputs), std::move(f),
                             std::move(opts));
}

/// A child spec that starts a task supervisor with `opts` under another supervisor
/// (Task.Supervisor.child_spec): id = the name, or Task.Supervisor; type supervisor.
[[nodiscard]] child_spec supervisor_spec(options opts = {});

}  // namespace otter::task_supervisor
