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
  std::int64_t timeout_ms;  // relative, from the moment the receive suspends (or infinite)
  bool timed_out = false;
  virtual bool try_match(message_queue& q) noexcept = 0;

protected:
  explicit receive_base(std::int64_t timeout) noexcept : timeout_ms(timeout) {}
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
/// The process that started the calling one (proc_lib's parent): the first of its
/// `$ancestors`, a pid or a registered name resolved now; a null pid when it has none. Reads
/// the dictionary in place (get() would copy the list).
[[nodiscard]] pid first_ancestor() noexcept;

// -- signals and messages (any thread) -------------------------------------------------------
/// Delivers `n` to `to` (dropped when `to` is dead). The sender is the calling process, if any.
void send_node(runtime_impl& rt, pid to, node_ptr n) noexcept;
/// Sends the request of a call: `n` names the calling process `p` in call_of(), and its tag
/// is an active alias of `p`. `p` monitors `server` under that tag from here on; the monitor
/// travels in the request (message.hpp, call_return). @in_process
void send_call(process& p, pid server, node_ptr n) noexcept;
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
/// `deadline_ms` on the runtime clock. Returns the timer's ref (`tag`, or a fresh one if null).
[[nodiscard]] ref arm_timer(runtime_impl& rt, term dest, std::uint64_t deadline_ms, node_ptr n,
                            ref tag);

/// The bytes of a timer's bookkeeping (src/core/timer/timer_service.hpp, timer_node) that
/// precede its message when both share one allocation (arm_timer_with).
inline constexpr std::size_t timer_header_size = 48;

/// A message node built behind its timer's bookkeeping in one block from operator new: deleting
/// it (once the timer delivered it) frees the whole block.
template <class T>
struct timer_payload_node final : payload_node<T> {
  template <class... A>
  explicit timer_payload_node(A&&... args)
      : payload_node<T>(node_kind::message, std::forward<A>(args)...) {}
  static void* operator new(std::size_t) = delete;  // only placed by arm_timer_with
  static void operator delete(void* p) noexcept {
    ::operator delete(static_cast<char*>(p) - timer_header_size);
  }
};

/// arm_timer() for a block laid out by arm_timer_with: `block` is timer_header_size bytes of
/// room for the timer, then `n` (a timer_payload_node). The runtime owns the block from here.
[[nodiscard]] ref arm_timer_embedded(runtime_impl& rt, term dest, std::uint64_t deadline_ms,
                                     void* block, node* n, ref tag) noexcept;

/// arm_timer() delivering `value` as a message. The timer and the message share one allocation
/// (a million idle processes each holding a timer save a malloc header and its rounding each),
/// unless the message's alignment is above what operator new guarantees.
template <class T>
ref arm_timer_with(runtime_impl& rt, term dest, std::uint64_t deadline_ms, T&& value, ref tag) {
  using node_type = timer_payload_node<std::remove_cvref_t<T>>;
  if constexpr (alignof(node_type) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__
                && timer_header_size % alignof(node_type) == 0) {
    void* block = ::operator new(timer_header_size + sizeof(node_type));
    node* n = nullptr;
    try {
      n = ::new (static_cast<char*>(block) + timer_header_size) node_type(std::forward<T>(value));
    } catch (...) {
      ::operator delete(block);
      throw;
    }
    return arm_timer_embedded(rt, std::move(dest), deadline_ms, block, n, tag);
  } else {
    return arm_timer(rt, std::move(dest), deadline_ms, make_message_node(std::forward<T>(value)),
                     tag);
  }
}
[[nodiscard]] std::uint64_t now_ms(runtime_impl& rt) noexcept;
/// The deadline `ms` milliseconds from now, rounded so that a timer never fires early.
[[nodiscard]] std::uint64_t deadline_in(runtime_impl& rt, std::uint64_t ms) noexcept;

// -- blocking pool ----------------------------------------------------------------------------
/// Runs `job` on the blocking pool, then wakes `p`. The process is suspended until then.
void suspend_blocking(process& p, std::coroutine_handle<> h, std::function<void()> job) noexcept;

}  // namespace otter::detail
