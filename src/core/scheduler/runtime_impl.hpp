// src/core/scheduler/runtime_impl.hpp: the runtime behind otter::runtime.
//
// A runtime owns: the process table, N workers (one scheduler thread each, or one worker
// driven by the caller in manual mode), the injector (runnable processes pushed from outside
// the schedulers), the timer registry, the name table and the blocking pool.
//
// Worker loop, park protocol, stealing and shutdown: docs/design/scheduler.md.

#pragma once

#include "otter/core/runtime.hpp"

#include "core/process/process_table.hpp"
#include "core/scheduler/run_queue.hpp"
#include "core/timer/timer_service.hpp"
#include "core/timer/timer_wheel.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace otter::detail {

class runtime_impl;

class worker {
public:
  worker(runtime_impl* rt, std::uint32_t id, std::uint64_t now);
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// The thread body of a scheduler.
  void run_loop() noexcept;
  /// Manual mode: runs runnable processes until none is left (fires due timers first).
  /// Returns the number of process slices run. `max_steps` bounds it (0 = no bound).
  std::size_t run_until_idle(std::size_t max_steps) noexcept;

  /// Makes `p` runnable on this worker. `woken_by_process` puts it in the `next` slot.
  void schedule(process* p, bool woken_by_process) noexcept;
  void wake() noexcept;  // unpark this worker's thread

  // -- owner ---------------------------------------------------------------------------------
  void arm_local(timer_node* t) noexcept;
  void cancel_local(timer_node* t) noexcept;
  void fire_timers() noexcept;

  runtime_impl* const rt;
  const std::uint32_t id;
  run_queue rq;
  timer_wheel wheel;
  std::vector<std::uint32_t> free_slots;  // process_table cache
  std::uint64_t ref_next = 0;             // make_ref() block
  std::uint64_t ref_end = 0;
  // Live-process accounting: incremented on spawn here, decremented on exit here (the sum over
  // workers is the count; a single worker's value may be negative).
  alignas(64) std::atomic<std::int64_t> spawned{0};
  std::atomic<std::int64_t> exited{0};

  // Timers armed from outside the schedulers, moved into the wheel by the owner.
  std::mutex remote_mu;
  std::vector<timer_node*> remote_timers;  // guarded by remote_mu
  std::atomic<bool> has_remote_timers{false};

private:
  process* next_process() noexcept;
  process* steal() noexcept;
  void run_process(process* p) noexcept;
  void park() noexcept;

  std::uint64_t tick_ = 0;
  std::minstd_rand rng_;
  // Parking (one per worker, not shared): notified_ is guarded by park_mu_.
  std::mutex park_mu_;
  std::condition_variable park_cv_;
  bool notified_ = false;
  // Manual mode with a shuffle seed: runnable processes are picked at random.
  std::vector<process*> shuffle_;
  friend class runtime_impl;
};

class runtime_impl {
public:
  explicit runtime_impl(runtime_options options);
  ~runtime_impl();
  runtime_impl(const runtime_impl&) = delete;
  runtime_impl& operator=(const runtime_impl&) = delete;

  void start();
  void shutdown() noexcept;

  // -- clock ---------------------------------------------------------------------------------
  [[nodiscard]] std::uint64_t now() const noexcept;
  void advance_manual_clock(std::uint64_t ms) noexcept;
  void set_manual_clock(std::uint64_t ms) noexcept;
  [[nodiscard]] std::optional<std::uint64_t> next_timer_deadline() noexcept;
  /// The deadline `ms` from now. The clock counts whole milliseconds, so in real time one more
  /// is added: the current millisecond has partly passed, and a timer must never fire early.
  /// The manual clock is exact.
  [[nodiscard]] std::uint64_t deadline_in(std::uint64_t ms) const noexcept {
    return now() + ms + rounding_ms();
  }
  /// The millisecond deadline_in() adds in real time (0 on the manual clock).
  [[nodiscard]] std::uint64_t rounding_ms() const noexcept { return options.manual ? 0 : 1; }

  // -- processes -----------------------------------------------------------------------------
  /// Makes `p` runnable from the calling thread (a worker: its own queue; else the injector).
  void make_runnable(process* p, bool woken_by_process) noexcept;
  /// Delivers `n` to `to`; dead targets get the signal answered (noproc) or the node dropped.
  void deliver(pid to, node_ptr n) noexcept;
  /// Sends the exit signal `reason` from `from` (null: from no process) to `to` (exit/2).
  void send_exit(pid to, pid from, term reason) noexcept;
  /// Sends the untrappable shutdown signal to `to` (runtime shutdown).
  void send_terminate(pid to) noexcept;
  /// Pushes into an acquired process and wakes it.
  void push_and_wake(process* p, node* n) noexcept;
  /// The last release of a dead incarnation: answers what is left in its inbox, frees the slot.
  void finalize(process* p) noexcept;
  [[nodiscard]] std::size_t live_processes() const noexcept;

  // -- names ---------------------------------------------------------------------------------
  bool register_name(atom name, pid p) noexcept;
  bool unregister_name(atom name) noexcept;
  [[nodiscard]] pid whereis(atom name) const noexcept;
  void drop_name(process* p) noexcept;  // at exit

  // -- timers --------------------------------------------------------------------------------
  ref arm(term dest, std::uint64_t deadline, node_ptr payload, ref tag) noexcept;
  /// arm() for a block laid out by arm_timer_with (process_api.hpp).
  ref arm_embedded(term dest, std::uint64_t deadline, void* block, node* payload, ref tag) noexcept;
  std::optional<std::int64_t> cancel(ref tag) noexcept;
  std::optional<std::int64_t> read(ref tag) noexcept;
  timer_node* arm_receive_timeout(process* p, std::uint64_t deadline) noexcept;
  void cancel_receive_timeout(process* p) noexcept;
  void fire(timer_node* t) noexcept;
  [[nodiscard]] std::int64_t remaining(const timer_node& t) const noexcept;
  /// A timer to a pid whose process has exited: Erlang cancels it with the process.
  [[nodiscard]] bool destination_gone(const timer_node& t) const noexcept {
    return t.kind == timer_kind::to_pid && !table.alive(t.target());
  }

  // -- blocking pool -------------------------------------------------------------------------
  void post_blocking(std::function<void()> job) noexcept;

  // -- refs ----------------------------------------------------------------------------------
  ref make_ref() noexcept;

  /// The worker the calling thread runs, if it belongs to this runtime.
  [[nodiscard]] worker* local_worker() const noexcept;

  runtime_options options;
  process_table table;
  std::vector<std::unique_ptr<worker>> workers;
  timer_registry timers;

  // Injector: runnable processes pushed from outside the schedulers (and by the pool).
  std::mutex injector_mu;
  std::deque<process*> injector;  // guarded by injector_mu
  std::atomic<bool> injector_nonempty{false};

  // Idle workers, as a bit mask (at most 64 schedulers).
  std::atomic<std::uint64_t> sleepers{0};
  std::atomic<bool> stopping{false};  // processes are being shut down
  std::atomic<bool> halting{false};   // worker threads must leave their loops

  // Shutdown waits for the last process to go.
  std::mutex exit_mu;
  std::condition_variable exit_cv;

private:
  void notify_idle_worker() noexcept;
  // Files a user timer node whose storage and payload are set: registry, then wheel.
  ref arm(timer_node* t, term dest, std::uint64_t deadline, ref tag) noexcept;
  friend class worker;

  std::chrono::steady_clock::time_point epoch_;
  std::atomic<std::uint64_t> manual_now_{1};
  std::atomic<std::uint64_t> ref_counter_{1};
  std::vector<std::thread> threads_;

  // Names: sharded, each shard a reader-writer lock over a map.
  struct name_shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::uint32_t, pid> map;
  };
  static constexpr std::size_t name_shards = 16;
  std::array<name_shard, name_shards> names_;
  name_shard& shard_of(atom a) const noexcept {
    return const_cast<name_shard&>(names_[a.index() % name_shards]);
  }

  // Blocking pool.
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::deque<std::function<void()>> pool_jobs_;  // guarded by pool_mu_
  bool pool_stop_ = false;                       // guarded by pool_mu_
  std::vector<std::thread> pool_threads_;

  bool shut_down_ = false;
  runtime_impl* previous_manual_ = nullptr;  // restored when a manual runtime is destroyed
};

/// The calling thread's scheduling context: set while a worker runs (a manual runtime's worker
/// runs on the thread that drives it).
struct thread_context {
  worker* w = nullptr;
  process* current = nullptr;
  runtime_impl* manual = nullptr;  // the manual runtime this thread created (and drives)
};
/// The calling thread's context (defined in worker.cpp). Plain data with a constant initialiser,
/// so that reading it is one thread-relative load: no guard, no wrapper call.
extern constinit thread_local thread_context t_context;
inline thread_context& tls() noexcept {
  return t_context;
}

/// Signal handling and process teardown (signals.cpp).
void handle_signal(process& p, node* n) noexcept;
void terminate(process& p) noexcept;
void fire_exit_watches(process& p, const term& reason) noexcept;
/// Sends node `n` "from" the current process (or from nobody) to `to`.
void post(runtime_impl& rt, pid to, node* n) noexcept;

}  // namespace otter::detail
