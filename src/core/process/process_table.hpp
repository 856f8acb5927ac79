// src/core/process/process_table.hpp: pid -> process control block.
//
// Slots are grouped in chunks allocated on demand and never freed while the runtime lives, and
// each slot's control block is dedicated to that slot (type-stable memory). A lookup is
// therefore two array reads, and a stale pid can always be checked safely.
//
// Each control block has one word, rc_gen = generation (high 32) | alive (bit 31) |
// references (bits 0..30):
//   acquire(pid)  CAS +1 reference only while generation == pid's and alive is set. While a
//                 reference is held the slot cannot be reused, so a sender that acquired may
//                 push into the mailbox without reaching a later incarnation.
//   mark_dead     clears alive (the process is exiting): no new acquire succeeds.
//   release       -1 reference; the release that leaves zero references on a dead block
//                 finalises it (answers signals still in its mailbox, then recycles the slot
//                 with generation + 1).
// The process holds one reference on itself from spawn until its exit is complete.
// A slot whose generation would wrap is retired, never reused: a pid is never ambiguous.
// Protocol write-up: docs/design/process_table.md.
//
// Free slots are cached per scheduler (no lock on spawn); the shared free list behind the caches
// takes a lock once per batch of `batch` slots.
//
// Chunks are published by a compare-and-swap from null: ensure_chunks() (under mu_, when a
// batch needs them) and prepare_chunk() (on the blocking pool, ahead of need) may both build
// one; the first to publish wins and the other deletes its copy before anyone saw it.

#pragma once

#include "core/process/process.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace otter::detail {

class process_table {
public:
  static constexpr std::uint32_t chunk_bits = 12;
  static constexpr std::uint32_t chunk_size = 1U << chunk_bits;
  static constexpr std::uint32_t max_chunks = 1U << 16;  // 268M slots
  static constexpr std::uint64_t alive_bit = 1ULL << 31;
  static constexpr std::uint64_t refs_mask = alive_bit - 1;
  static constexpr std::uint32_t batch = 256;

  explicit process_table(runtime_impl* rt);
  ~process_table();
  process_table(const process_table&) = delete;
  process_table& operator=(const process_table&) = delete;

  /// The block of slot `index`, or nullptr when that slot was never allocated. @threadsafe
  [[nodiscard]] process* slot(std::uint32_t index) const noexcept {
    std::uint32_t c = index >> chunk_bits;
    if (c >= max_chunks) {
      return nullptr;
    }
    // Ordering: acquire pairs with the release store that published the chunk.
    process* chunk = chunks_[c].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : chunk + (index & (chunk_size - 1));
  }

  /// Pins the incarnation `p` names; nullptr when it is dead or stale. @threadsafe
  [[nodiscard]] process* acquire(pid p) const noexcept {
    process* b = slot(p.index());
    if (b == nullptr) {
      return nullptr;
    }
    std::uint64_t w = b->rc_gen.load(std::memory_order_acquire);
    for (;;) {
      if ((w >> 32) != p.generation() || (w & alive_bit) == 0) {
        return nullptr;
      }
      // Ordering: acquire: the incarnation's fields written before it was published (release
      // store in publish()) are visible to the holder.
      if (b->rc_gen.compare_exchange_weak(w, w + 1, std::memory_order_acquire,
                                          std::memory_order_acquire)) {
        return b;
      }
    }
  }
  /// Whether `p` names a live incarnation (a snapshot). @threadsafe
  [[nodiscard]] bool alive(pid p) const noexcept {
    process* b = slot(p.index());
    if (b == nullptr) {
      return false;
    }
    std::uint64_t w = b->rc_gen.load(std::memory_order_seq_cst);
    return (w >> 32) == p.generation() && (w & alive_bit) != 0;
  }
  /// Drops a reference taken by acquire() (or the process's own). @threadsafe
  void release(process* b) noexcept;
  /// Clears alive. @owner
  static void mark_dead(process* b) noexcept {
    // Ordering: seq_cst: ordered with name registration (names.cpp) and alive() checks.
    b->rc_gen.fetch_and(~alive_bit, std::memory_order_seq_cst);
  }

  /// A free block for a new incarnation (not yet alive); `cache` is the caller's per-scheduler
  /// free-slot cache, or nullptr from outside the schedulers.
  [[nodiscard]] process* allocate(std::vector<std::uint32_t>* cache);
  /// Makes the incarnation alive with one reference (its own). @owner of the new process
  static void publish(process* b) noexcept {
    // Ordering: seq_cst (release at least: every field initialised before is visible to
    // acquire()). seq_cst also orders it before spawn()'s seq_cst load of `stopping`, against
    // shutdown's seq_cst store of `stopping` and its seq_cst scan (shutdown step 1): a store
    // followed by a load may otherwise pass each other, and both sides would miss.
    b->rc_gen.store((std::uint64_t{b->generation} << 32) | alive_bit | 1,
                    std::memory_order_seq_cst);
  }
  /// Returns slot `index` to a free list (`cache` when on a scheduler).
  void free_slot(std::uint32_t index, std::vector<std::uint32_t>* cache);

  /// Highest slot index ever handed out + 1 (for scans at shutdown). @threadsafe
  [[nodiscard]] std::uint32_t high_water() const noexcept {
    // Ordering: seq_cst, so that the shutdown scan is ordered with publish() (seq_cst).
    return next_index_.load(std::memory_order_seq_cst);
  }

  /// Builds chunk `c` unless it exists. allocate() has the blocking pool run it for the next
  /// chunk once half of the last one is handed out, so that the scheduler spawning does not
  /// stop to fault in and initialise a megabyte (62,000 page faults per million processes).
  /// @threadsafe
  void prepare_chunk(std::uint32_t c) noexcept;

private:
  // Creates the missing chunks up to `end_index`. @pre mu_ held
  void ensure_chunks(std::uint32_t end_index);
  [[nodiscard]] process* make_chunk(std::uint32_t c) const;
  // Publishes `chunk` as chunk `c` unless another was published first (then deletes it).
  bool publish_chunk(std::uint32_t c, process* chunk) noexcept;

  runtime_impl* rt_;
  std::unique_ptr<std::atomic<process*>[]> chunks_;
  std::atomic<std::uint32_t> next_index_{0};
  std::mutex mu_;  // guards free_, prepared_ and ensure_chunks()
  std::vector<std::uint32_t> free_;
  std::uint32_t prepared_ = 0;  // the last chunk handed to prepare_chunk()
};

}  // namespace otter::detail
