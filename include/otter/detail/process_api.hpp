// otter/detail/process_api.hpp: the runtime entry points that public templates call.
// Not API: users include otter/core/*.hpp. Implemented in src/core.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>

namespace otter {
class runtime;
}

namespace otter::detail {

struct process;
class runtime_impl;

/// A process's private queue of received, not yet consumed messages (owner only). Messages
/// that no receive matched stay here in arrival order.
struct message_queue {
  node* head = nullptr;
  node* tail = nullptr;
  std::size_t size = 0;

  static node* next_of(node* n) noexcept { return n->next.load(std::memory_order_relaxed); }
  void push_back(node* n) noexcept {
    n->next.store(nullptr, std::memory_order_relaxed);
    if (tail != nullptr) {
      tail->next.store(n, std::memory_order_relaxed);
    } else {
      head = n;
    }
    tail = n;
    ++size;
  }
  /// Unlinks `n`, whose predecessor is `prev` (nullptr when n is the head).
  node_ptr take(node* prev, node* n) noexcept {
    node* nx = next_of(n);
    if (prev != nullptr) {
      prev->next.store(nx, std::memory_order_relaxed);
    } else {
      head = nx;
    }
    if (tail == n) {
      tail = prev;
    }
    --size;
    n->next.store(nullptr, std::memory_order_relaxed);
    return node_ptr(n);
  }
};

/// What a process suspended in receive exposes to its scheduler. try_match() runs on the
/// process's thread while the coroutine is suspended; it must not throw (predicates given to
/// receive must not throw).
struct receive_base {
  static constexpr std::int64_t infinite = -1;
  std::int64_t timeout_ms = infinite;  // relative, from the moment the receive suspends
  bool timed_out = false;
  virtual bool try_match(message_queue& q) noexcept = 0;

protected:
  ~receive_base() = default;
};

enum class suspend_kind : std::uint8_t { none, receive, yield, blocking };

// -- the calling process (all @in_process: OTTER_CHECK fails outside a process) -------------
[[nodiscard]] process* current() noexcept;
[[nodiscard]] process& current_checked(const char* what) noexcept;
/// Moves the sender-side queue into the private queue, handling signals; returns the queue.
message_queue& drain(process& p) noexcept;
/// True when the process must stop at its next suspension (an exit signal arrived).
[[nodiscard]] bool exiting(const process& p) noexcept;
/// Records the suspension; the scheduler resumes `h` when the receive can complete.
void suspend_receive(process& p, std::coroutine_handle<> h, receive_base* r) noexcept;
void suspend_yield(process& p, std::coroutine_handle<> h) noexcept;
/// Counts one reduction; true when the process has used its time slice and must yield.
[[nodiscard]] bool spend_reduction(process& p) noexcept;
[[nodiscard]] pid pid_of(const process& p) noexcept;

// -- signals and messages (any thread) -------------------------------------------------------
/// Delivers `n` to `to` (dropped when `to` is dead). The sender is the calling process, if any.
void send_node(runtime_impl& rt, pid to, node_ptr n) noexcept;
/// The runtime of the calling process, or of the calling thread's deterministic runtime.
[[nodiscard]] runtime_impl& current_runtime(const char* what) noexcept;
[[nodiscard]] pid whereis(runtime_impl& rt, atom name) noexcept;

// -- spawning -------------------------------------------------------------------------------
struct spawn_request {
  explicit spawn_request(co<void> b) noexcept : body(std::move(b)) {}
  co<void> body;
  bool link = false;
  bool monitor = false;
  bool ancestry = false;  // set $ancestors as proc_lib does
  bool callers = false;   // set $callers as Task does
  ref monitor_ref;        // out: the monitor when `monitor`
  /// Called with the exit reason when the process has exited (runtime::run uses it).
  std::function<void(const term&)> on_exit;
};
/// Spawns from a process (links/monitors to it) or, with `rt` given, from outside.
[[nodiscard]] pid spawn(runtime_impl& rt, spawn_request& req);

// -- timers -----------------------------------------------------------------------------------
/// Arms a timer that delivers `n` to `dest` (a pid, or a name resolved when it fires) at
/// `deadline_ms` on the runtime clock. Returns the timer's ref.
[[nodiscard]] ref arm_timer(runtime_impl& rt, term dest, std::uint64_t deadline_ms, node_ptr n,
                            ref tag);
[[nodiscard]] std::uint64_t now_ms(runtime_impl& rt) noexcept;
/// The deadline `ms` milliseconds from now, rounded so that a timer never fires early.
[[nodiscard]] std::uint64_t deadline_in(runtime_impl& rt, std::uint64_t ms) noexcept;

// -- blocking pool ----------------------------------------------------------------------------
/// Runs `job` on the blocking pool, then wakes `p`. The process is suspended until then.
void suspend_blocking(process& p, std::coroutine_handle<> h, std::function<void()> job) noexcept;

}  // namespace otter::detail
