// otter/detail/task_protocol.hpp: what a task process and its owner say to each other (Elixir's
// Task.Supervised). Not API: see otter/otp/task.hpp.
//
// A task that replies (Task.async, Task.Supervisor.async*, the tasks of async_stream) is started
// empty: a proc_lib process that waits for its work. The owner then monitors it and sends one
// task_start_msg carrying the work (the user's function, the value to give it, and where to
// send the result). Elixir does the same for the same reason: the reply must carry the monitor's
// ref, which exists only once the process does. Waiting for the work:
//   - a task the owner spawned itself (Task.async, async_stream) waits for ever: it is linked
//     to its spawner, which sends the work right after spawning it;
//   - a task a supervisor spawned (Task.Supervisor) monitors the owner meanwhile and exits
//     {:shutdown, reason} if the owner dies, or :timeout after 5 s without the work.
// Then it records `$callers` and `$initial_call`, runs the work, and exits :normal. A work that
// raises or exits abnormally logs "task terminating" (otter/core/logger.hpp) before proc_lib's
// crash report, as Task.Supervised.invoke_mfa does.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/message.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/ref.hpp"
#include "otter/core/term.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace otter::detail {

// -- the value a task function returns ------------------------------------------------------

template <class R>
struct task_unwrap {
  using type = R;
  static constexpr bool is_co = false;
};
template <class U>
struct task_unwrap<co<U>> {
  using type = U;
  static constexpr bool is_co = true;
};

/// What a task of `f(args...)` yields: f's result (a co<U> is awaited, giving U); a function
/// returning void yields the atom :ok.
template <class F, class... A>
using task_value_t =
    std::conditional_t<std::is_void_v<typename task_unwrap<std::invoke_result_t<F&, A&...>>::type>,
                       atom, typename task_unwrap<std::invoke_result_t<F&, A&...>>::type>;

/// Runs `f(args...)` in the task and returns its value (see task_value_t).
template <class F, class... A>
co<task_value_t<F, A...>> invoke_task_fn(F& f, A&... args) {
  using R = std::invoke_result_t<F&, A&...>;
  using U = typename task_unwrap<R>::type;
  if constexpr (task_unwrap<R>::is_co) {
    if constexpr (std::is_void_v<U>) {
      co_await std::invoke(f, args...);
      co_return atoms::ok;
    } else {
      co_return co_await std::invoke(f, args...);
    }
  } else if constexpr (std::is_void_v<R>) {
    std::invoke(f, args...);
    co_return atoms::ok;
  } else {
    co_return std::invoke(f, args...);
  }
}

// -- messages -------------------------------------------------------------------------------

/// A task's reply `{ref, value}`, sent to the owner's alias.
template <class T>
struct task_reply {
  ref tag;
  T value;
  [[nodiscard]] term to_term() const { return tuple(tag, as_term(value)); }
};

/// The work a task runs: move-only, type-erased. It lives in the task's frame until it has
/// finished, so a coroutine lambda may keep its captures in it.
class task_work {
public:
  task_work() = default;
  template <class G>
  explicit task_work(G g) : impl_(std::make_unique<holder<G>>(std::move(g))) {}
  [[nodiscard]] co<void> run() { return impl_->run(); }
  [[nodiscard]] explicit operator bool() const noexcept { return impl_ != nullptr; }

private:
  struct base {
    virtual ~base() = default;
    virtual co<void> run() = 0;
  };
  template <class G>
  struct holder final : base {
    G g;
    explicit holder(G x) : g(std::move(x)) {}
    co<void> run() override { return g(); }
  };
  std::unique_ptr<base> impl_;
};

/// The owner's go-ahead: Elixir's {owner, ref, reply_to, callers, mfa}. The reply address is
/// inside the work.
struct task_start_msg {
  pid owner;
  term callers;  // `$callers` of the task
  term mfa;      // `$initial_call` of the task
  task_work work;
};

// -- the task side (src/otp/task.cpp) --------------------------------------------------------

/// How a task names its owner in its crash report: the owner's registered name, or its pid
/// (Task's get_owner).
[[nodiscard]] term task_starter(pid owner);
/// `$callers` for a task started by the calling process: [self() | self()'s $callers].
[[nodiscard]] term task_callers();

/// Spawns a task that waits for its task_start_msg from `owner` (see the top of this file);
/// `link` links it to the calling process, `supervised` makes it monitor the owner while it
/// waits. A proc_lib process: `$ancestors` are the caller's. @in_process
pid spawn_reply_task(bool link, pid owner, term starter, bool supervised);

/// Spawns a task that runs `work` at once (Task.start / start_link / Task.Supervisor's
/// start_child), `link`ed to the calling process or not. @in_process
pid spawn_noreply_task(bool link, term starter, term callers, term mfa, task_work work);

/// Sends the work to a task spawned by spawn_reply_task.
void send_task_start(pid task, pid owner, term mfa, task_work work);

/// `{Task, :await, ...}`-style exit reasons: `{reason, {Task, function, args}}`.
[[nodiscard]] term task_exit_reason(term reason, const char* function, std::vector<term> args);
/// A timeout as Elixir prints it: an integer, or :infinity.
[[nodiscard]] term timeout_term(std::int64_t ms);
/// Raises ArgumentError: `task` was used by a process that does not own it.
[[noreturn]] void invalid_task_owner(const term& task);
/// Raises ArgumentError: `task` (Task.completed) has no process to shut down.
[[noreturn]] void no_task_process(const term& task);
/// `%Task{mfa: .., owner: .., pid: .., ref: ..}` (a null pid prints as nil).
[[nodiscard]] term task_struct_term(const term& mfa, pid owner, pid task, ref tag);
/// `{:erlang, :apply, 2}`: the mfa of a task started from a function.
[[nodiscard]] term apply_mfa();

}  // namespace otter::detail
