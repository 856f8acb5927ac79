// src/ets/stripe_lock.hpp: the lock of one stripe of a table: readers that never write
// shared memory, writers that exclude readers and each other.
//
// A reader announces itself in its own thread's slot of a process-wide array (one cache line
// per thread), not in the lock: concurrent readers of the same stripe, on different cores,
// never bounce a cache line between them, which a reader count in the lock would. A writer
// takes the lock's flag, then waits until no slot names this lock.
//
// Thread roles
//   reader: lock_shared() / unlock_shared(); writes only its own thread's slot
//   writer: lock() / unlock(); CAS on writer_, reads every slot
//
// Invariants
//   (1) A thread holds at most one shared lock at a time (its slot holds one lock's address),
//       and never takes a lock it already holds. Nothing in src/ets nests locks, and no user
//       code runs under one (docs/design/ets.md).
//   (2) A reader waits for a writer only with its slot cleared, so a writer never waits for a
//       reader that waits for it; writers that take several locks take them in increasing
//       stripe order, so writers never wait for each other in a cycle.
//   (3) Dekker's pattern, with seq_cst on both sides: the reader stores its slot, then loads
//       writer_; the writer stores writer_, then loads the slots. In the single total order
//       of these seq_cst operations one of the two sees the other, so a reader and a writer
//       are never both inside.
//
// Threads beyond the slot array's capacity (256 at once) read by taking the lock as a writer:
// correct, only slower.

#pragma once

#include <atomic>
#include <cstdint>

namespace otter::ets::detail {

class stripe_lock {
public:
  stripe_lock() noexcept = default;
  stripe_lock(const stripe_lock&) = delete;
  stripe_lock& operator=(const stripe_lock&) = delete;

  void lock_shared() const noexcept;
  void unlock_shared() const noexcept;
  void lock() const noexcept;
  void unlock() const noexcept;

private:
  // 0: free; 1: a writer holds the lock (or is waiting for the readers to leave).
  mutable std::atomic<std::uint32_t> writer_{0};
};

/// Holds a shared lock for a scope.
class read_guard {
public:
  explicit read_guard(const stripe_lock& l) noexcept : l_(l) { l_.lock_shared(); }
  ~read_guard() { l_.unlock_shared(); }
  read_guard(const read_guard&) = delete;
  read_guard& operator=(const read_guard&) = delete;

private:
  const stripe_lock& l_;
};

/// Holds an exclusive lock for a scope.
class write_guard {
public:
  explicit write_guard(const stripe_lock& l) noexcept : l_(l) { l_.lock(); }
  ~write_guard() { l_.unlock(); }
  write_guard(const write_guard&) = delete;
  write_guard& operator=(const write_guard&) = delete;

private:
  const stripe_lock& l_;
};

}  // namespace otter::ets::detail
