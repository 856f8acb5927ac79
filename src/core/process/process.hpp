// src/core/process/process.hpp: the process control block.
//
// One control block per slot of the process table; it lives as long as the runtime and is
// re-initialised for each incarnation (process_table.hpp says why: type-stable memory makes
// a lookup by a stale pid safe). The coroutine frame is separate and belongs to the incarnation.
//
// Members are grouped by who may touch them:
//   "Any thread"       : atomics, with the protocol named next to each.
//   "Owner"            : only the thread currently running the process. Ownership moves with
//                        the process through the run queues; the release/acquire pair of a
//                        run-queue push/pop (or steal) is what hands it over.
//
// Scheduling state (state): a small state machine
//
//   from      to        who                         when
//   running   waiting   owner (park)                nothing to do; then re-checks the inbox
//   waiting   runnable  a sender / timer / owner    CAS; the winner pushes it on a run queue
//   runnable  running   the worker that popped it   plain store (it owns it now)
//   running   runnable  owner                       yield / slice used up
//
// A process is therefore in at most one run queue at a time, and only the CAS winner of
// waiting -> runnable may enqueue it.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/exit_watch.hpp"
#include "otter/core/term.hpp"
#include "otter/core/term_hash.hpp"
#include "otter/detail/process_api.hpp"

#include "core/process/inbox.hpp"
#include "core/process/small_map.hpp"

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace otter::detail {

struct timer_node;
class runtime_impl;

enum class sched_state : std::uint8_t { waiting, runnable, running };

/// A monitor this process holds on another.
struct monitor_entry {
  pid target;
  atom name;
  bool by_name = false;
};
/// A monitor another process holds on this one.
struct watcher_entry {
  pid watcher;
  atom name;
  bool by_name = false;
  bool call = false;  // taken by a call_message: this process's reply to its ref ends it
};

inline constexpr std::uint32_t no_name = 0xffffffffU;

struct process {
  // Fields are ordered to leave no padding inside each group: a million processes pay for
  // every hole (static_assert below).

  // -- Constant for the slot's life ------------------------------------------------------------
  runtime_impl* rt = nullptr;
  std::uint32_t index = 0;

  // -- Any thread ------------------------------------------------------------------------------
  /// Registered name (atom index) or no_name: names.cpp.
  std::atomic<std::uint32_t> name{no_name};
  /// generation (high 32) | alive (bit 31) | references (bits 0..30): process_table.hpp.
  std::atomic<std::uint64_t> rc_gen{0};
  std::atomic<sched_state> state{sched_state::waiting};
  /// Exit watches (exit_watch.hpp). `watch_lock` guards `watches` and `watches_closed`; the
  /// exit sets `watches_closed` under it (after which nothing is added) and fires the watches
  /// after releasing it. spawn() reopens the list for the next incarnation, which no holder of
  /// an old reference can see (the slot is reused only when the last reference is dropped).
  std::atomic_flag watch_lock;
  bool watches_closed = false;
  inbox in;
  std::unique_ptr<std::vector<std::shared_ptr<exit_watch>>> watches;

  // -- Owner -----------------------------------------------------------------------------------
  std::uint32_t generation = 0;
  std::uint32_t slice_reductions = 0;
  message_queue mq;
  co<void>::handle_type root;
  std::coroutine_handle<> resume_point;
  receive_base* waiting = nullptr;  // the receive it is suspended in
  std::uint64_t receive_seq = 0;    // numbers receives, to drop a stale timeout
  timer_node* receive_timer = nullptr;
  std::uint64_t reductions = 0;
  term exit_reason;
  small_map<pid, char> links;
  small_map<ref, monitor_entry> monitors;
  small_map<ref, watcher_entry> watchers;
  small_map<ref, char> aliases;                               // active aliases (alias())
  small_map<term, term> dict;                                 // the process dictionary (put/get)
  std::unique_ptr<std::function<void(const term&)>> on_exit;  // runtime::run's hook
  process* next_run = nullptr;  // owner-only overflow list of a run queue
  suspend_kind suspended = suspend_kind::none;
  bool trap_exit = false;
  bool exit_pending = false;
  bool blocking_in_flight = false;
  bool blocking_done = false;
  bool finished = false;  // the body returned or threw

  [[nodiscard]] pid self() const noexcept { return {index, generation}; }
};
static_assert(sizeof(process) <= 248, "a field added or reordered left padding in the PCB");

}  // namespace otter::detail
