// otter/otp/task_stream.hpp: a function applied to every input, each call in its own task, at
// most `max_concurrency` at a time (Elixir's Task.async_stream).
//
//   auto s = otter::async_stream(std::vector<int>{300, 100, 200}, work, {.max_concurrency = 3});
//   while (auto r = co_await s.next()) { ... }       // {:ok, v} or {:exit, reason}, in order
//   auto all = co_await otter::async_stream(inputs, work).to_list();
//   auto first = co_await s.take(3);                 // then stops the tasks still running
//
// The stream is lazy, as Elixir's: nothing starts before the first next(), and it starts an
// input's task only when a slot is free and the consumer asks for more. Results are
// task_result<T> (`{:ok, value}` or `{:exit, reason}`), in input order (`ordered`, the default)
// or in the order the tasks finish. The input is any range (read lazily, so it may be endless
// when the consumer stops early) or a braced list.
//
// Semantics are Elixir 1.14's (Task.Supervised.stream):
//   - a monitor process, linked to and monitored by the consumer and trapping exits as the
//     consumer does, starts each task (linked to it for async_stream, under the supervisor for
//     Task.Supervisor's streams), watches it and enforces `timeout` per task. So a crashing
//     linked task kills a consumer that does not trap exits, with the task's reason, and gives
//     {:exit, reason} to one that traps; nothing of the tasks' links reaches the consumer;
//   - a task that runs longer than `timeout` is killed; with on_timeout exit (the default) the
//     consumer then exits {:timeout, {Task.Supervised, :stream, [timeout]}}, with kill_task the
//     element is {:exit, :timeout};
//   - zip_input_on_exit makes failed elements {:exit, {input, reason}};
//   - close() (take() and to_list() call it, and so does the end of the input) stops the
//     monitor, which kills the tasks still running and waits for them; afterwards nothing of
//     the stream is left in the consumer's mailbox or links. A stream destroyed while open asks
//     the monitor to stop without waiting for it.
//
// Thread safety: a task_stream belongs to the process that consumes it; every member is
// @in_process and must be called from that process.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/term.hpp"
#include "otter/detail/task_protocol.hpp"
#include "otter/otp/task.hpp"

#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace otter {

/// What a stream does with a task that runs longer than its timeout.
enum class stream_on_timeout : std::uint8_t {
  exit,       // the consumer exits {:timeout, {Task.Supervised, :stream, [timeout]}}
  kill_task,  // the element is {:exit, :timeout}
};

/// The options of async_stream, with Elixir's defaults.
struct stream_options {
  /// Tasks running at once (> 0); unset means otter::schedulers_online(), as Elixir's
  /// System.schedulers_online().
  std::optional<std::int64_t> max_concurrency{};
  /// Results in input order (true) or in the order the tasks finish.
  bool ordered = true;
  /// Milliseconds each task may run, or otter::infinity.
  std::int64_t timeout = 5000;
  stream_on_timeout on_timeout = stream_on_timeout::exit;
  /// Failed elements become {:exit, {input, reason}}.
  bool zip_input_on_exit = false;
  /// Task.Supervisor streams only: the shutdown of each task's child spec (default 5000).
  std::optional<std::int64_t> shutdown{};
};

namespace detail {

// -- messages between the consumer, the monitor process and the tasks -----------------------

struct stream_hello {
  pid parent;
  ref mref;  // the consumer's monitor of the monitor process: tags everything of this stream
};
struct stream_spawn_req {
  std::uint64_t position;
};
struct stream_spawned {
  ref mref;
  std::uint64_t position;
  pid task;
};
struct stream_max_children {
  ref mref;
};
/// A task of the stream has ended (`{:down | :timed_out, {mref, position}, reason}`).
struct stream_down {
  ref mref;
  std::uint64_t position;
  term reason;
  bool timed_out = false;
};
struct stream_stop {
  ref mref;
};
/// A task's value, sent straight to the consumer (`{{mref, position}, value}`).
template <class T>
struct stream_reply {
  ref mref;
  std::uint64_t position;
  T value;
};

/// How the monitor process starts one task: the task, and whether it linked it to itself; a
/// null pid means the supervisor has max_children tasks already.
struct stream_spawn_outcome {
  pid task;
  bool linked = false;
};
using stream_spawner = std::function<co<stream_spawn_outcome>()>;

/// The spawner of Task.async_stream: a task linked to the monitor process, owned by `owner`.
[[nodiscard]] stream_spawner linked_task_spawner(pid owner, term starter);

/// Spawns the monitor process, linked to and monitored by the caller; returns its pid and the
/// monitor. @in_process
std::pair<pid, ref> open_stream_monitor(stream_spawner spawner, std::int64_t timeout);

/// `{reason, {Task.Supervised, :stream, [timeout]}}`
[[nodiscard]] term stream_exit_reason(term reason, std::int64_t timeout);
/// Raises the RuntimeError of a Task.Supervisor that has max_children tasks.
[[noreturn]] void stream_max_children_error();
/// Raises ArgumentError unless `n` > 0.
void check_max_concurrency(std::int64_t n);
/// max_concurrency's default.
[[nodiscard]] std::int64_t default_max_concurrency();

template <class T, class In, class F>
task_work stream_work(F f, In value, pid parent, ref mref, std::uint64_t position) {
  return task_work(
      [f = std::move(f), value = std::move(value), parent, mref, position]() mutable -> co<void> {
        T r = co_await invoke_task_fn(f, value);
        send(parent, stream_reply<T>{mref, position, std::move(r)});
      });
}

/// Reads a range lazily; the range is kept (moved or copied) in shared storage, so moving the
/// stream never invalidates the iterator.
template <class R>
auto range_source(R&& r) {
  using range_t = std::remove_cvref_t<R>;
  using value_t = std::ranges::range_value_t<range_t>;
  struct source {
    range_t range;
    std::optional<std::ranges::iterator_t<range_t>> it;
  };
  auto s = std::make_shared<source>(source{std::forward<R>(r), std::nullopt});
  return std::function<std::optional<value_t>()>([s]() -> std::optional<value_t> {
    if (!s->it) {
      s->it = std::ranges::begin(s->range);
    }
    if (*s->it == std::ranges::end(s->range)) {
      return std::nullopt;
    }
    value_t v = **s->it;
    ++*s->it;
    return v;
  });
}

template <class T>
struct stream_event {
  enum class kind : std::uint8_t { reply, down, monitor_down };
  kind what = kind::reply;
  std::uint64_t position = 0;
  std::optional<T> value;
  term reason;
  bool timed_out = false;
};

/// The next event of the stream tagged `mref`: a reply, a task's end, or the monitor's DOWN.
template <class T>
auto stream_receive(ref mref) {
  using event = stream_event<T>;
  return receive(
      on<stream_reply<T>>(
          [mref](const stream_reply<T>& r) { return r.mref == mref; },
          [](stream_reply<T>& r) {
            return event{event::kind::reply, r.position, std::move(r.value), term(), false};
          }),
      on<stream_down>([mref](const stream_down& d) { return d.mref == mref; },
                      [](stream_down& d) {
                        return event{event::kind::down, d.position, std::nullopt,
                                     std::move(d.reason), d.timed_out};
                      }),
      on<down_msg>(
          [mref](const down_msg& d) { return d.monitor == mref; },
          [](down_msg& d) {
            return event{event::kind::monitor_down, 0, std::nullopt, std::move(d.reason), false};
          }));
}

/// The answer to a spawn request: the task (null when the supervisor is full), or the
/// monitor's DOWN reason.
struct stream_spawn_answer {
  pid task;
  bool full = false;
  std::optional<term> monitor_down;
};
/// Asks the monitor process for a task for `position` and waits for its answer. @in_process
co<stream_spawn_answer> request_stream_task(pid monitor, ref mref, std::uint64_t position);

}  // namespace detail

/// A stream of task results (see the top of this file). Move-only.
template <class T, class In>
class task_stream {
public:
  using result_type = task_result<T>;
  using work_fn = std::function<detail::task_work(In&, pid parent, ref mref, std::uint64_t)>;

  task_stream(std::function<std::optional<In>()> input, work_fn work,
              detail::stream_spawner spawner, stream_options opts)
      : input_(std::move(input)),
        work_(std::move(work)),
        spawner_(std::move(spawner)),
        opts_(std::move(opts)) {}
  task_stream(task_stream&& o) noexcept
      : input_(std::move(o.input_)),
        work_(std::move(o.work_)),
        spawner_(std::move(o.spawner_)),
        opts_(std::move(o.opts_)),
        state_(std::exchange(o.state_, state::closed)),
        monitor_(o.monitor_),
        mref_(o.mref_),
        free_(o.free_),
        spawned_(o.spawned_),
        delivered_(o.delivered_),
        input_done_(o.input_done_),
        waiting_(std::move(o.waiting_)) {}
  task_stream& operator=(task_stream&&) = delete;
  task_stream(const task_stream&) = delete;
  task_stream& operator=(const task_stream&) = delete;
  ~task_stream() {
    if (state_ == state::open) {
      // No waiting in a destructor: the monitor kills the tasks and exits on its own.
      send(monitor_, detail::stream_stop{mref_});
    }
  }

  /// The next result, or nullopt once every input has its result (the stream is then
  /// closed). Exits the caller as described at the top of this file. @in_process
  co<std::optional<result_type>> next() {
    if (state_ == state::fresh) {
      start();
    }
    while (state_ == state::open) {
      if (opts_.ordered) {
        auto it = waiting_.find(delivered_);
        if (it != waiting_.end() && it->second.done) {
          result_type r = std::move(*it->second.result);
          waiting_.erase(it);
          ++delivered_;
          co_return r;
        }
      }
      if (spawned_ == delivered_ && input_done_) {
        co_await close();
        break;
      }
      if (free_ > 0 && !input_done_) {
        co_await spawn_next();
        continue;
      }
      detail::stream_event<T> e = co_await detail::stream_receive<T>(mref_);
      if (auto r = co_await handle(std::move(e))) {
        co_return r;
      }
    }
    co_return std::nullopt;
  }

  /// Stops the stream: the monitor kills the tasks still running and exits; their messages
  /// are removed from the mailbox. Idempotent. @in_process
  co<void> close() {
    if (state_ != state::open) {
      state_ = state::closed;
      co_return;
    }
    state_ = state::closed;
    send(monitor_, detail::stream_stop{mref_});
    const ref mref = mref_;
    term reason =
        co_await receive(on<down_msg>([mref](const down_msg& d) { return d.monitor == mref; },
                                      [](down_msg& d) { return std::move(d.reason); }));
    co_await cleanup_inbox();
    if (!reason.is(atoms::normal)) {
      otter::exit(detail::stream_exit_reason(std::move(reason), opts_.timeout));
    }
  }

  /// Every result (Enum.to_list). @in_process
  co<std::vector<result_type>> to_list() {
    std::vector<result_type> out;
    while (auto r = co_await next()) {
      out.push_back(std::move(*r));
    }
    co_return out;
  }

  /// The first `n` results, then close() (Enum.take). @in_process
  co<std::vector<result_type>> take(std::size_t n) {
    std::vector<result_type> out;
    while (out.size() < n) {
      auto r = co_await next();
      if (!r) {
        break;
      }
      out.push_back(std::move(*r));
    }
    co_await close();
    co_return out;
  }

private:
  enum class state : std::uint8_t { fresh, open, closed };
  struct slot {
    pid task;
    bool done = false;                  // its DOWN has come: the result is final
    std::optional<result_type> result;  // the reply, or the final result once done
    term input;                         // for zip_input_on_exit
  };

  void start() {
    std::int64_t max =
        opts_.max_concurrency ? *opts_.max_concurrency : detail::default_max_concurrency();
    detail::check_max_concurrency(max);
    free_ = max;
    auto [m, r] = detail::open_stream_monitor(spawner_, opts_.timeout);
    monitor_ = m;
    mref_ = r;
    state_ = state::open;
  }

  co<void> spawn_next() {
    std::optional<In> value;
    std::exception_ptr failed;
    try {
      value = input_();
    } catch (...) {
      failed = std::current_exception();
    }
    if (failed) {
      co_await close();  // as Elixir: a failing input closes the stream, then raises
      std::rethrow_exception(failed);
    }
    if (!value) {
      input_done_ = true;
      co_return;
    }
    const std::uint64_t position = spawned_;
    detail::stream_spawn_answer a = co_await detail::request_stream_task(monitor_, mref_, position);
    if (a.monitor_down) {
      co_await cleanup_inbox();
      state_ = state::closed;
      otter::exit(detail::stream_exit_reason(std::move(*a.monitor_down), opts_.timeout));
    }
    if (a.full) {
      co_await close();
      detail::stream_max_children_error();
    }
    slot s;
    s.task = a.task;
    if (opts_.zip_input_on_exit) {
      s.input = detail::as_term(*value);
    }
    waiting_.emplace(position, std::move(s));
    detail::send_task_start(a.task, self(), detail::apply_mfa(),
                            work_(*value, self(), mref_, position));
    --free_;
    ++spawned_;
  }

  /// One event; returns a result to deliver now (unordered streams).
  co<std::optional<result_type>> handle(detail::stream_event<T> e) {
    using kind = typename detail::stream_event<T>::kind;
    if (e.what == kind::monitor_down) {
      co_await cleanup_inbox();
      state_ = state::closed;
      otter::exit(detail::stream_exit_reason(std::move(e.reason), opts_.timeout));
    }
    slot& s = waiting_.at(e.position);
    if (e.what == kind::reply) {
      s.result.emplace(std::move(*e.value));
      co_return std::nullopt;
    }
    if (!s.result) {
      term reason = std::move(e.reason);
      if (e.timed_out) {
        if (opts_.on_timeout == stream_on_timeout::exit) {
          co_await cleanup_inbox();
          state_ = state::closed;
          otter::exit(detail::stream_exit_reason(term(atoms::timeout), opts_.timeout));
        }
        reason = term(atoms::timeout);
      }
      if (opts_.zip_input_on_exit) {
        reason = tuple(s.input, std::move(reason));
      }
      s.result.emplace(unexpected(std::move(reason)));
    }
    ++free_;
    if (!opts_.ordered) {
      result_type r = std::move(*s.result);
      waiting_.erase(e.position);
      ++delivered_;
      co_return r;
    }
    s.done = true;
    co_return std::nullopt;
  }

  /// Removes what the stream left in the mailbox: the monitor's {:EXIT} (when trapping), and
  /// replies and task ends that nobody will read (Task.Supervised's stream_cleanup_inbox).
  co<void> cleanup_inbox() {
    const pid m = monitor_;
    const ref mref = mref_;
    (void)co_await receive(
        on<exit_msg>([m](const exit_msg& x) { return x.from == m; }, [](exit_msg&) {}),
        after(0, [] {}));
    bool more = true;
    while (more) {
      more = co_await receive(
          on<detail::stream_reply<T>>(
              [mref](const detail::stream_reply<T>& r) { return r.mref == mref; },
              [](detail::stream_reply<T>&) { return true; }),
          on<detail::stream_down>([mref](const detail::stream_down& d) { return d.mref == mref; },
                                  [](detail::stream_down&) { return true; }),
          after(0, [] { return false; }));
    }
  }

  std::function<std::optional<In>()> input_;
  work_fn work_;
  detail::stream_spawner spawner_;
  stream_options opts_;
  state state_ = state::fresh;
  pid monitor_;
  ref mref_;
  std::int64_t free_ = 0;  // Elixir's max: tasks that may still start now
  std::uint64_t spawned_ = 0;
  std::uint64_t delivered_ = 0;
  bool input_done_ = false;
  std::map<std::uint64_t, slot> waiting_;
};

namespace detail {

template <class R, class F>
using stream_value_t = task_value_t<F, std::ranges::range_value_t<std::remove_cvref_t<R>>>;

/// Builds the stream of `f` over `inputs`, its tasks started by `spawner`.
template <class R, class F>
auto make_task_stream(R&& inputs, F f, stream_spawner spawner, stream_options opts) {
  using in_t = std::ranges::range_value_t<std::remove_cvref_t<R>>;
  using T = task_value_t<F, in_t>;
  auto work = [f = std::move(f)](in_t& value, pid parent, ref mref, std::uint64_t position) {
    return stream_work<T, in_t>(f, value, parent, mref, position);
  };
  return task_stream<T, in_t>(range_source(std::forward<R>(inputs)), std::move(work),
                              std::move(spawner), std::move(opts));
}

}  // namespace detail

/// Runs `f(input)` for each input in a task linked to the stream's monitor process (see the top
/// of this file). `f` is copied into every task. @in_process
template <std::ranges::input_range R, class F>
requires std::invocable < F&, std::ranges::range_value_t<std::remove_cvref_t<R>>
& > &&std::copy_constructible<F> [[nodiscard]] auto async_stream(R&& inputs, F f,
                                                                 stream_options opts = {}) {
  const pid owner = self();
  return detail::make_task_stream(std::forward<R>(inputs), std::move(f),
                                  detail::linked_task_spawner(owner, detail::task_starter(owner)),
                                  std::move(opts));
}
/// async_stream() over a braced list.
template <class In, class F>
requires std::invocable<F&, In&> && std::copy_constructible<F>
[[nodiscard]] auto async_stream(std::initializer_list<In> inputs, F f, stream_options opts = {}) {
  return async_stream(std::vector<In>(inputs), std::move(f), std::move(opts));
}

}  // namespace otter
