// src/core/memory/page_reserve.hpp: address space handed out front to back, with its pages
// faulted in ahead of use by a thread of its own.
//
// A million processes started on one scheduler touch about 0.9 GB of fresh memory there, and
// every first touch of a 4 KiB page is a page fault on the scheduler thread: about a sixth of
// the start of a GenServer. A reserve is one large mapping, advised to use transparent huge
// pages, that a scheduler's malloc arena grows into (scheduler_arena.hpp). Each time the arena
// takes memory, the populator thread is asked to fault in the pages past the front
// (MADV_POPULATE_WRITE), so the scheduler finds them present, on 2 MiB pages where the kernel
// has them. Whatever compaction the kernel does to find a huge page happens on the populator,
// never on a scheduler, unless the front overtakes it; the scheduler then faults the page in
// itself, as without a reserve.
//
// Memory is never given back to the reserve (its owner keeps what it took, and may release the
// pages with madvise); the populated part past the front is bounded by `ahead()`.
//
// Thread safety: take(), populate() and the accessors are @threadsafe (one mutex per reserve,
// held only to move the front and the populated mark, never across a system call).

#pragma once

#include "core/memory/huge_map.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace otter::detail {

class page_reserve {
public:
  static constexpr std::size_t huge_page = huge_page_size;
  /// Populated memory past the front: at least this much once anything was taken...
  static constexpr std::size_t min_ahead = std::size_t{4} << 20;
  /// ...an eighth of what was taken, at most this much.
  static constexpr std::size_t max_ahead = std::size_t{16} << 20;

  /// Reserves `bytes` of address space (rounded up to huge pages; no memory until used).
  /// valid() is false when the kernel refused the mapping.
  explicit page_reserve(std::size_t bytes) noexcept;
  ~page_reserve();
  page_reserve(const page_reserve&) = delete;
  page_reserve& operator=(const page_reserve&) = delete;

  [[nodiscard]] bool valid() const noexcept { return base_ != nullptr; }
  /// Whether `p` lies in the reservation.
  [[nodiscard]] bool contains(const void* p) const noexcept {
    const char* c = static_cast<const char*>(p);
    return c >= base_ && c < base_ + size_;
  }

  /// `size` bytes aligned to `alignment` (a power of two), zeroed, from the front; nullptr
  /// when the reservation cannot hold them. Asks the populator to run when the populated
  /// memory past the new front falls under half of ahead(). @threadsafe
  [[nodiscard]] void* take(std::size_t size, std::size_t alignment) noexcept;

  /// Faults in the pages from the populated mark up to the front plus ahead(). Returns the
  /// bytes it populated (0 when there was nothing to do or populating is not supported).
  /// Called by the populator thread; tests call it directly. @threadsafe
  std::size_t populate() noexcept;

  /// Bytes handed out so far (the front's offset).
  [[nodiscard]] std::size_t taken() const noexcept;
  /// Bytes populated so far (never more than the reservation).
  [[nodiscard]] std::size_t populated() const noexcept;
  /// How far past the front populate() goes.
  [[nodiscard]] std::size_t ahead() const noexcept;

private:
  [[nodiscard]] bool behind() const noexcept;  // mu_ held

  char* base_ = nullptr;
  std::size_t size_ = 0;
  mutable std::mutex mu_;
  std::size_t front_ = 0;     // guarded by mu_
  std::size_t ready_ = 0;     // guarded by mu_: populated below this offset
  bool running_ = false;      // guarded by mu_: a populate() is between its two locks
  bool unsupported_ = false;  // guarded by mu_: the kernel refused to populate (before 5.14)
};

/// The program's populator thread: populates the registered reserves whenever take() finds
/// one behind. Started by the first registration; lives as long as the program.
class populator {
public:
  /// Starts populating `r` when asked. @threadsafe
  static void add(page_reserve* r);
  /// Stops populating `r`; returns once no populate() of `r` runs. @threadsafe
  static void remove(page_reserve* r) noexcept;
  /// Asks the thread for a pass over the reserves. Takes no lock (take() calls it with the
  /// malloc arena's locks held). @threadsafe
  static void wake() noexcept;
  /// Blocks until a pass that began after the last wake() has ended (tests). @threadsafe
  static void wait_idle() noexcept;

private:
  populator() = default;
  static populator& instance();
  void run() noexcept;

  std::atomic<std::uint32_t> wakes_{0};  // wake() calls so far; the thread waits on it
  std::mutex list_mu_;                   // held for a whole pass
  std::condition_variable idle_cv_;      // with list_mu_: a pass ended
  std::vector<page_reserve*> reserves_;  // guarded by list_mu_
  std::uint32_t done_ = 0;               // guarded by list_mu_: wakes_ as a pass began
  bool started_ = false;                 // guarded by list_mu_
};

}  // namespace otter::detail
