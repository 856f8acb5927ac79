// otter/core/runtime.hpp: starting, driving and stopping Otter.
//
//   otter::runtime rt;                       // one scheduler thread per core
//   int v = rt.run([]() -> otter::co<int> {  // a process; run() blocks until it returns
//     otter::pid p = otter::spawn(worker);
//     co_return co_await otter::receive<int>();
//   });
//
// The runtime starts `schedulers` threads that run processes (M:N, with work stealing) and a
// pool of `blocking_threads` for blocking calls. Destroying it (or shutdown()) stops every
// process with exit reason `:shutdown` (links and monitors fire as usual), then joins every
// thread. A process that never reaches a co_await cannot be stopped: shutdown waits for it.
//
// From threads that are not processes (main, tests, other libraries) use the members here:
// spawn, send, exit, whereis, run (spawn and wait for the result, with a timeout).
//
// Thread safety: every member is @threadsafe, except that run(), call() and process_info() are
// @blocking: calling them from inside a process is a bug that OTTER_ASSERT reports.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit.hpp"
#include "otter/core/message.hpp"
#include "otter/core/process.hpp"
#include "otter/core/process_info.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/timer.hpp"
#include "otter/detail/process_api.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace otter {

struct runtime_options {
  /// Scheduler threads; 0 means one per core. Behaviour at the time of writing.
  unsigned schedulers = 0;
  /// Threads of the blocking pool.
  unsigned blocking_threads = 4;
  /// Reductions (receives) a process may use before it yields to the others.
  std::uint32_t reductions_per_slice = 2000;
  /// No threads and a manual clock: the caller drives the single scheduler
  /// (testing::deterministic_runtime). Not for production use.
  bool manual = false;
  /// With `manual`: 0 runs processes in FIFO order; another value picks the next runnable
  /// process at random from this seed (the seed is printed by tests that fail).
  std::uint64_t shuffle_seed = 0;
};

/// Thrown by runtime::run() when the process exits abnormally or the timeout passes.
class run_error : public std::runtime_error {
public:
  run_error(const std::string& what, term reason)
      : std::runtime_error(what), reason_(std::move(reason)) {}
  /// The process's exit reason, or `:timeout`.
  [[nodiscard]] const term& reason() const noexcept { return reason_; }

private:
  term reason_;
};

namespace detail {
/// What run() waits on: filled by the process, read by the waiting thread.
struct run_state_base {
  virtual ~run_state_base() = default;
};
/// Spawns `req` and blocks the calling thread until the process exits (or `timeout_ms`
/// passes). Returns the exit reason, or nullopt on timeout.
std::optional<term> run_and_wait(runtime_impl& rt, spawn_request& req, std::int64_t timeout_ms);
}  // namespace detail

class runtime {
public:
  explicit runtime(runtime_options options = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Spawns a process from outside the runtime. @threadsafe
  template <class F, class... A>
  pid spawn(F&& f, A&&... args) {
    detail::spawn_request req(detail::make_body(std::forward<F>(f), std::forward<A>(args)...));
    return detail::spawn(*impl_, req);
  }

  /// Sends from outside the runtime (messages from one thread arrive in order). @threadsafe
  template <message_type T>
  void send(pid to, T msg) {
    detail::send_node(*impl_, to, detail::make_message_node(std::move(msg)));
  }
  /// Sends to a registered name; false when nobody has it. @threadsafe
  template <message_type T>
  bool send(atom name, T msg) {
    pid to = detail::whereis(*impl_, name);
    if (to.is_null()) {
      return false;
    }
    send(to, std::move(msg));
    return true;
  }
  /// Sends the exit signal `reason` to `target` (from no process). @threadsafe
  bool exit(pid target, term reason);

  /// send_after() from outside the runtime (timer.hpp). @threadsafe
  template <message_type T, class D>
  ref send_after(pid dest, T msg, D delay) {
    return detail::arm_timer(*impl_, term(dest), detail::deadline_after(*impl_, delay),
                             detail::make_message_node(std::move(msg)), ref{});
  }
  /// cancel_timer() from outside the runtime: the milliseconds left, or nullopt. @threadsafe
  std::optional<std::int64_t> cancel_timer(ref timer);
  /// read_timer() from outside the runtime. @threadsafe
  [[nodiscard]] std::optional<std::int64_t> read_timer(ref timer);
  /// @threadsafe
  [[nodiscard]] pid whereis(atom name) const;
  /// Whether `p` is alive. @threadsafe
  [[nodiscard]] bool alive(pid p) const;

  /// Spawns `f()` (returning co<T>) and blocks until it returns; its value is returned. Throws
  /// run_error when the process exits abnormally, or does not finish within `timeout`. @blocking
  template <class F, class Rep = std::int64_t, class Period = std::milli>
  auto run(F f, std::chrono::duration<Rep, Period> timeout = std::chrono::seconds(60)) {
    using C = std::invoke_result_t<F&>;
    using T = decltype(std::declval<C&>().await_resume());
    auto result = std::make_shared<std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>>();
    auto body = [](F fn, decltype(result) out) -> co<void> {
      if constexpr (std::is_void_v<T>) {
        co_await fn();
        *out = true;
      } else {
        out->emplace(co_await fn());
      }
    };
    detail::spawn_request req(detail::make_body(body, std::move(f), result));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    std::optional<term> reason = detail::run_and_wait(*impl_, req, ms);
    if (!reason) {
      throw run_error("otter::runtime::run: timed out", term(atoms::timeout));
    }
    if (!reason->is(atoms::normal)) {
      throw run_error("otter::runtime::run: process exited with " + reason->to_string(), *reason);
    }
    if constexpr (!std::is_void_v<T>) {
      return std::move(**result);
    }
  }

  /// Another process's info (nullopt when dead). @blocking
  [[nodiscard]] std::optional<process_info_t> process_info(pid p);

  /// Stops every process with reason `:shutdown` and joins the threads. Idempotent; the
  /// destructor calls it. @blocking
  void shutdown();

  /// Live processes. @threadsafe
  [[nodiscard]] std::size_t process_count() const noexcept;
  /// Scheduler threads (0 for a manual runtime).
  [[nodiscard]] unsigned schedulers() const noexcept;
  /// Milliseconds on the runtime clock. @threadsafe
  [[nodiscard]] std::int64_t now_ms() const noexcept;

  [[nodiscard]] detail::runtime_impl& impl() noexcept { return *impl_; }

private:
  std::unique_ptr<detail::runtime_impl> impl_;
};

}  // namespace otter
