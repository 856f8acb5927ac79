// src/core/timer/timer_wheel.hpp: hierarchical timing wheel (one per scheduler).
//
// Six levels of 64 slots at 1 ms resolution: level L's slot covers 64^L ms, so the wheel spans
// 64^6 ms (about 2.2 years); a later deadline is parked in the last level and re-filed as time
// advances. Entries are intrusive and doubly linked, so insert() and remove() are O(1) and the
// wheel allocates nothing: a million armed timers cost only the memory of their entries.
// Occupancy bitmaps find the earliest occupied slot in O(levels); next_deadline() is exact, so
// when that slot is above level 0 (it holds a range) it also scans the slot's list, and caches
// the answer until the entry holding it is unlinked.
//
// Costs worth knowing: an already-due deadline (<= elapsed()) inserted behind a later already-due
// one walks back along the expired list to keep deadline order (O(1) in the usual case); an
// advance() that jumps k wheel spans past a parked deadline re-files it k times. Times are ms
// counts below 2^63.
//
// Thread roles
//   owner: the scheduler worker that owns the wheel. Every member function is owner-only.
//   Cross-thread arming and cancelling are marshalled to the owner (timer_service.hpp).
//
// Invariants
//   (1) An entry is linked in at most one slot (or the expired list), and linked() says whether.
//   (2) An entry with deadline <= elapsed() is never left in a slot after advance() returns.
//   (3) advance() never moves time backwards; a deadline in the past fires on the next advance().

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace otter::detail {

/// An intrusive wheel entry. Embed it (or derive from it); the wheel never owns entries.
struct timer_entry {
  timer_entry* prev = nullptr;
  timer_entry* next = nullptr;
  std::uint64_t deadline = 0;  // absolute, in ms of the wheel's clock
  std::uint8_t level = 0;      // where it is linked (valid while linked)
  std::uint8_t slot = 0;
  bool in_wheel = false;

  [[nodiscard]] bool linked() const noexcept { return in_wheel; }
};

class timer_wheel {
public:
  static constexpr unsigned levels = 6;
  static constexpr unsigned slots_per_level = 64;

  /// A wheel whose time starts at `now` ms.
  explicit timer_wheel(std::uint64_t now = 0) noexcept;
  timer_wheel(const timer_wheel&) = delete;
  timer_wheel& operator=(const timer_wheel&) = delete;

  /// Files `e` by e->deadline. @pre !e->linked()
  void insert(timer_entry* e) noexcept;
  /// Unlinks `e`. @pre e->linked()
  void remove(timer_entry* e) noexcept;

  /// The earliest deadline of any linked entry (exact, not rounded to a slot), if any.
  [[nodiscard]] std::optional<std::uint64_t> next_deadline() const noexcept;
  /// Moves time to `now` and calls on_expire(timer_entry*) once for every entry whose deadline
  /// is <= now, in deadline order (ties in insertion order). Each entry is unlinked before its
  /// callback runs; callbacks may insert or remove other entries (an entry inserted with a
  /// deadline <= now fires in this same call). A `now` before elapsed() leaves time where it is
  /// (entries already due still fire).
  template <class F>
  void advance(std::uint64_t now, F&& on_expire);

  [[nodiscard]] std::uint64_t elapsed() const noexcept { return elapsed_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

private:
  // Returns one entry whose deadline <= now (unlinked), or nullptr when none is left; moves
  // elapsed_ forward, cascading higher-level slots into lower ones as it goes.
  timer_entry* poll(std::uint64_t now) noexcept;

  // A slot's (or the expired list's) entries, oldest first; empty when head is null.
  struct entry_list {
    timer_entry* head = nullptr;
    timer_entry* tail = nullptr;
  };
  // One occupied slot and the first ms of the range it covers.
  struct slot_ref {
    unsigned level;
    unsigned slot;
    std::uint64_t start;
  };

  // timer_entry::level of an entry on the expired list (not in any slot).
  static constexpr std::uint8_t expired_level = levels;

  // Puts `e` in the slot its deadline calls for relative to elapsed_, or on the expired list;
  // size_, in_wheel and the min cache are the caller's business.
  void file(timer_entry* e) noexcept;
  // Inserts into expired_, keeping it sorted by deadline (stable for ties).
  void file_expired(timer_entry* e) noexcept;
  // Marks a just-unlinked entry as out of the wheel and updates size_ and the min cache.
  void release(timer_entry* e) noexcept;
  // The first ms of slot `slot` at `level`, relative to elapsed_.
  [[nodiscard]] std::uint64_t slot_start(unsigned level, unsigned slot) const noexcept;
  // The occupied slot whose range starts first, if any slot is occupied.
  [[nodiscard]] std::optional<slot_ref> earliest_slot() const noexcept;
  // The exact earliest deadline: scans the earliest slot's list when that slot is above level 0
  // (and further top-level slots while it holds only parked beyond-span entries). @pre !empty()
  [[nodiscard]] std::uint64_t compute_min_deadline() const noexcept;

  std::array<std::array<entry_list, slots_per_level>, levels> slots_{};
  std::array<std::uint64_t, levels> occupied_{};  // bit s of [L]: slots_[L][s] is non-empty
  entry_list expired_;                            // deadline <= elapsed_, sorted by deadline
  std::uint64_t elapsed_ = 0;
  std::size_t size_ = 0;
  // next_deadline()'s answer, cached because it can cost a list scan; valid only while
  // min_valid_ (insert() keeps it exact, unlinking the entry that holds it invalidates it).
  mutable std::uint64_t min_deadline_ = 0;
  mutable bool min_valid_ = false;
};

template <class F>
void timer_wheel::advance(std::uint64_t now, F&& on_expire) {
  while (timer_entry* e = poll(now)) {
    on_expire(e);
  }
}

}  // namespace otter::detail
