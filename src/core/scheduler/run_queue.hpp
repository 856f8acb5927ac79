// src/core/scheduler/run_queue.hpp: a scheduler's queue of runnable processes.
//
// Three parts, in the order pop() looks at them:
//   next      : one slot for the process most recently woken by a process of this worker (LIFO,
//               not stealable). A message ping-pong between two processes then stays on one
//               thread, in cache, instead of bouncing between schedulers. pop() takes it at most
//               `max_next_in_a_row` times in a row so that it cannot starve the ring.
//   ring      : a bounded FIFO ring (tokio's design) that thieves steal half of.
//   overflow  : an unbounded owner-only FIFO list (through process::next_run) for bursts (a
//               million spawns). Once it is non-empty every push goes there, so FIFO order
//               holds; the owner moves its oldest entries into the ring when the ring runs dry.
//
// Thread roles
//   owner  : the worker that owns the queue: push(), push_next(), pop(), len()
//   thieves: other workers: steal_into(own queue)
//
// Invariants
//   (1) Only the owner writes tail_; only the owner and thieves CAS head_.
//   (2) head_ packs (steal, real): [steal, real) is being copied by one thief, [real, tail) is
//       available. A thief claims by moving real forward while steal stays, copies, then sets
//       steal = real. Only one steal is in progress at a time (steal != real refuses others).
//   (3) The owner never overwrites a slot in [steal, tail): the full check uses steal.
//   (4) A process is in at most one queue (process.hpp's state machine guarantees it).
//
// Protocol and orderings: docs/design/scheduler.md#steal.

#pragma once

#include "core/process/process.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace otter::detail {

class run_queue {
public:
  static constexpr std::uint32_t capacity = 256;
  static constexpr std::uint32_t mask = capacity - 1;
  static constexpr std::uint32_t max_next_in_a_row = 8;
  /// A thief takes from a ring only when it holds at least this many entries: a lone process is
  /// left to its owner (see steal_into()).
  static constexpr std::uint32_t min_stealable = 2;

  run_queue() noexcept {
    for (auto& slot : buf_) {
      slot.store(nullptr, std::memory_order_relaxed);
    }
  }
  run_queue(const run_queue&) = delete;
  run_queue& operator=(const run_queue&) = delete;

  // -- owner only --------------------------------------------------------------------------
  /// Appends `p` (FIFO). Returns true when it went to the stealable ring.
  bool push(process* p) noexcept {
    if (overflow_head_ == nullptr && push_ring(p)) {
      return true;
    }
    p->next_run = nullptr;
    if (overflow_tail_ != nullptr) {
      overflow_tail_->next_run = p;
    } else {
      overflow_head_ = p;
    }
    overflow_tail_ = p;
    ++overflow_len_;
    return false;
  }
  /// Puts `p` in the `next` slot; the previous occupant goes to the back. Returns true when
  /// that moved a process to the ring (thieves may want to know).
  bool push_next(process* p) noexcept {
    process* prev = next_;
    next_ = p;
    return prev != nullptr && push(prev);
  }
  process* pop() noexcept {
    if (next_ != nullptr && next_in_a_row_ < max_next_in_a_row) {
      ++next_in_a_row_;
      return std::exchange(next_, nullptr);
    }
    next_in_a_row_ = 0;
    if (process* p = pop_ring()) {
      return p;
    }
    if (overflow_head_ != nullptr) {
      refill_from_overflow();
      if (process* p = pop_ring()) {
        return p;
      }
      // The ring is empty, yet refused the refill: a thief still copying holds the slots
      // behind its fence (invariant 3) while this owner popped and refilled past them. The
      // overflow's oldest entry is the next in FIFO order anyway; returning nothing here would
      // leave the owner idle with work queued.
      if (overflow_head_ != nullptr) {
        process* p = overflow_head_;
        unlink_overflow_head(p->next_run);
        return p;
      }
    }
    return std::exchange(next_, nullptr);
  }
  [[nodiscard]] bool has_work() const noexcept {
    return next_ != nullptr || overflow_head_ != nullptr || ring_len() > 0;
  }

  // -- any thread --------------------------------------------------------------------------
  /// Approximate number of stealable entries.
  [[nodiscard]] std::uint32_t ring_len() const noexcept {
    // Ordering: acquire, a snapshot for heuristics only.
    auto [steal, real] = unpack(head_.load(std::memory_order_acquire));
    (void)steal;
    return tail_.load(std::memory_order_acquire) - real;
  }

  /// Whether a thief could take something now (a snapshot, for wake-up heuristics).
  [[nodiscard]] bool stealable() const noexcept { return ring_len() >= min_stealable; }

  // -- thieves -----------------------------------------------------------------------------
  /// Moves about half of this ring into `dst` (the thief's own, empty-ish queue) and returns
  /// one of the stolen processes to run at once, or nullptr. A ring with a single entry is left
  /// alone (see the comment inside).
  process* steal_into(run_queue& dst) noexcept;

private:
  static constexpr std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
    return (std::uint64_t{steal} << 32) | real;
  }
  static constexpr std::pair<std::uint32_t, std::uint32_t> unpack(std::uint64_t v) noexcept {
    return {static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
  }

  bool push_ring(process* p) noexcept {
    std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // only we write it
    // Ordering: acquire pairs with the thieves' release CAS: their copy of the slots in
    // [steal, real) is complete before we may reuse those slots.
    auto [steal, real] = unpack(head_.load(std::memory_order_acquire));
    (void)real;
    if (tail - steal >= capacity) {
      return false;
    }
    buf_[tail & mask].store(p, std::memory_order_relaxed);
    // Ordering: release publishes the slot (and the process it names) to pop/steal.
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  process* pop_ring() noexcept {
    std::uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      auto [steal, real] = unpack(head);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (real == tail) {
        return nullptr;
      }
      std::uint32_t next_real = real + 1;
      std::uint64_t next = steal == real ? pack(next_real, next_real) : pack(steal, next_real);
      // Ordering: acq_rel: we race thieves for slot `real`; winning the CAS gives us the slot.
      if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        return buf_[real & mask].load(std::memory_order_relaxed);
      }
    }
  }

  void refill_from_overflow() noexcept {
    while (overflow_head_ != nullptr) {
      process* p = overflow_head_;
      process* nx = p->next_run;
      if (!push_ring(p)) {
        return;
      }
      unlink_overflow_head(nx);
    }
  }

  // Drops the overflow's head; `nx` is its successor, read before the head was handed on (once
  // in the ring, a process may be stolen, run and queued elsewhere, through next_run too).
  void unlink_overflow_head(process* nx) noexcept {
    overflow_head_ = nx;
    --overflow_len_;
    if (nx == nullptr) {
      overflow_tail_ = nullptr;
    }
  }

  std::atomic<std::uint64_t> head_{0};
  std::atomic<std::uint32_t> tail_{0};
  std::array<std::atomic<process*>, capacity> buf_;
  // owner only
  process* next_ = nullptr;
  std::uint32_t next_in_a_row_ = 0;
  process* overflow_head_ = nullptr;
  process* overflow_tail_ = nullptr;
  std::size_t overflow_len_ = 0;

  friend class run_queue_peer;
};

inline process* run_queue::steal_into(run_queue& dst) noexcept {
  std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);  // dst is ours
  auto [dst_steal, dst_real] = unpack(dst.head_.load(std::memory_order_acquire));
  (void)dst_real;
  if (dst_tail - dst_steal > capacity / 2) {
    return nullptr;  // no room for half a ring
  }
  // Step 1: claim [real, real + n) by moving real; steal stays behind as a fence for the owner.
  std::uint64_t prev = head_.load(std::memory_order_acquire);
  std::uint64_t next = 0;
  std::uint32_t n = 0;
  for (;;) {
    auto [src_steal, src_real] = unpack(prev);
    if (src_steal != src_real) {
      return nullptr;  // another thief is copying
    }
    // Ordering: acquire pairs with the owner's release store of tail_: the slots are written.
    std::uint32_t src_tail = tail_.load(std::memory_order_acquire);
    n = src_tail - src_real;
    // Leave a lone process to its owner, which will run it at its next pick: a process spawned
    // (or woken) by a running process then runs after its creator's next suspension, as on the
    // BEAM, instead of racing it from another thread. A lone entry waits at most one slice.
    if (n < min_stealable) {
      return nullptr;
    }
    n -= n / 2;
    next = pack(src_steal, src_real + n);
    if (head_.compare_exchange_weak(prev, next, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      break;
    }
  }
  // Step 2: copy. Safety: slots [first, first + n) are ours until step 3; the owner will not
  // overwrite them (invariant 3) and no other thief can claim (invariant 2).
  std::uint32_t first = unpack(next).first;
  for (std::uint32_t i = 0; i < n; ++i) {
    process* p = buf_[(first + i) & mask].load(std::memory_order_relaxed);
    dst.buf_[(dst_tail + i) & mask].store(p, std::memory_order_relaxed);
  }
  // Step 3: release the fence: steal catches up with real (which the owner may have moved on).
  prev = next;
  for (;;) {
    auto [steal, real] = unpack(prev);
    (void)steal;
    // Ordering: release: our reads of the slots happen before the owner may reuse them.
    if (head_.compare_exchange_weak(prev, pack(real, real), std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      break;
    }
  }
  // Keep the last one to run now; publish the rest in our ring.
  --n;
  process* ret = dst.buf_[(dst_tail + n) & mask].load(std::memory_order_relaxed);
  if (n > 0) {
    // Ordering: release publishes the copied slots to our own pops and to other thieves.
    dst.tail_.store(dst_tail + n, std::memory_order_release);
  }
  return ret;
}

}  // namespace otter::detail
