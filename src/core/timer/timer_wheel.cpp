// src/core/timer/timer_wheel.cpp: hierarchical timing wheel (see timer_wheel.hpp).
//
// Layout. Write a time t in base 64: digit L (bits 6L..6L+5) is t's slot at level L. An entry
// whose deadline first differs from elapsed_ at digit L (below the top level) sits in slot
// digit_L(deadline) of level L; all its higher digits equal elapsed_'s. The top level is a ring
// over the 64 top-level slots that follow elapsed_'s own, and deadlines past the last of them
// are parked in that last one. This gives the invariants the code relies on:
//   (a) below the top level, every occupied slot's digit is greater than elapsed_'s digit at that
//       level, so every slot's range starts after elapsed_ (nothing in a slot is due yet);
//   (b) level L's slots all lie inside elapsed_'s current level-(L+1) slot, while level L+1's
//       lie after it: the ranges never overlap and the lowest non-empty level comes first;
//   (c) every entry's deadline is >= its slot's start (parked entries lie beyond their slot).
// elapsed_ only ever moves to the start of the earliest occupied slot (which is then emptied) or
// to a time before it, which is what keeps (a) and (b) true as time advances.

#include "core/timer/timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>

namespace otter::detail {
namespace {

constexpr unsigned bits_per_level = 6;  // slots_per_level == 1 << bits_per_level
constexpr unsigned slot_mask = timer_wheel::slots_per_level - 1;
constexpr unsigned top_level = timer_wheel::levels - 1;
constexpr unsigned top_shift = top_level * bits_per_level;

static_assert(timer_wheel::slots_per_level == 1u << bits_per_level);
static_assert(timer_wheel::levels < std::numeric_limits<std::uint8_t>::max());

constexpr unsigned shift_of(unsigned level) noexcept {
  return level * bits_per_level;
}

// The base-64 digit of `t` at `level`.
constexpr unsigned digit(std::uint64_t t, unsigned level) noexcept {
  return static_cast<unsigned>(t >> shift_of(level)) & slot_mask;
}

void push_back(timer_entry*& head, timer_entry*& tail, timer_entry* e) noexcept {
  e->prev = tail;
  e->next = nullptr;
  if (tail != nullptr) {
    tail->next = e;
  } else {
    head = e;
  }
  tail = e;
}

void unlink(timer_entry*& head, timer_entry*& tail, timer_entry* e) noexcept {
  if (e->prev != nullptr) {
    e->prev->next = e->next;
  } else {
    head = e->next;
  }
  if (e->next != nullptr) {
    e->next->prev = e->prev;
  } else {
    tail = e->prev;
  }
  e->prev = nullptr;
  e->next = nullptr;
}

}  // namespace

timer_wheel::timer_wheel(std::uint64_t now) noexcept : elapsed_(now) {}

void timer_wheel::insert(timer_entry* e) noexcept {
  assert(e != nullptr && !e->linked());
  // The cache stays exact: a new entry can only lower the minimum.
  if (size_ == 0 || (min_valid_ && e->deadline < min_deadline_)) {
    min_deadline_ = e->deadline;
    min_valid_ = true;
  }
  e->in_wheel = true;
  ++size_;
  file(e);
}

void timer_wheel::remove(timer_entry* e) noexcept {
  assert(e != nullptr && e->linked());
  if (e->level == expired_level) {
    unlink(expired_.head, expired_.tail, e);
  } else {
    entry_list& list = slots_[e->level][e->slot];
    unlink(list.head, list.tail, e);
    if (list.head == nullptr) {
      occupied_[e->level] &= ~(std::uint64_t{1} << e->slot);
    }
  }
  release(e);
}

std::optional<std::uint64_t> timer_wheel::next_deadline() const noexcept {
  if (size_ == 0) {
    return std::nullopt;
  }
  if (!min_valid_) {
    min_deadline_ = compute_min_deadline();
    min_valid_ = true;
  }
  return min_deadline_;
}

timer_entry* timer_wheel::poll(std::uint64_t now) noexcept {
  for (;;) {
    // Already-due entries first: each has deadline <= elapsed_ < every slotted deadline, and
    // expired_ is sorted. They fire even when `now` < elapsed_: time does not go back, so an
    // advance() to an earlier time acts as an advance() to elapsed_.
    if (timer_entry* e = expired_.head) {
      unlink(expired_.head, expired_.tail, e);
      release(e);
      return e;
    }
    const std::optional<slot_ref> next = earliest_slot();
    if (!next || next->start > now) {
      elapsed_ = std::max(elapsed_, now);
      return nullptr;
    }
    // Nothing is filed before next->start (invariant (b)), so time can jump there. The slot is
    // detached first because re-filing may put a parked entry back into this very slot index
    // (the top level's ring reuses it for the range 64 slots later).
    elapsed_ = next->start;
    entry_list& slot = slots_[next->level][next->slot];
    timer_entry* e = slot.head;
    slot = entry_list{};
    occupied_[next->level] &= ~(std::uint64_t{1} << next->slot);
    // Cascade: re-file front to back, so equal deadlines keep their insertion order. A level-0
    // slot's entries all have deadline == next->start == elapsed_ and so move to expired_ (which
    // is empty here) as a whole; callbacks that add an entry due now queue it behind them.
    while (e != nullptr) {
      timer_entry* following = e->next;
      file(e);
      e = following;
    }
  }
}

void timer_wheel::file(timer_entry* e) noexcept {
  const std::uint64_t deadline = e->deadline;
  if (deadline <= elapsed_) {
    file_expired(e);
    return;
  }
  // Why the highest differing bit picks the level: above that bit deadline and elapsed_ agree,
  // so at that bit's level the deadline's slot lies inside elapsed_'s current slot one level up,
  // and its digit there is greater than elapsed_'s (deadline > elapsed_): a range that has not
  // started yet. One level lower, the slot index would drop a digit in which the two differ;
  // one level higher, the deadline would share elapsed_'s own, already started, slot.
  const auto highest_bit = static_cast<unsigned>(std::bit_width(deadline ^ elapsed_) - 1);
  const unsigned level = std::min(highest_bit / bits_per_level, top_level);
  unsigned slot = 0;
  if (level < top_level) {
    slot = digit(deadline, level);
  } else {
    // Why the top level is a ring: with top-level slot numbers n = t >> top_shift, the top level
    // holds n in (n(elapsed_), n(elapsed_) + 64], each at index n % 64. The last one shares
    // elapsed_'s own index (it is the range one full turn ahead) and also takes every deadline
    // beyond the wheel's span, clamped; when reached, those are re-filed by their true deadline,
    // so they fire exactly on time, never early.
    const std::uint64_t base = elapsed_ >> top_shift;
    const std::uint64_t n = std::min(deadline >> top_shift, base + slots_per_level);
    slot = static_cast<unsigned>(n & slot_mask);
  }
  e->level = static_cast<std::uint8_t>(level);
  e->slot = static_cast<std::uint8_t>(slot);
  entry_list& list = slots_[level][slot];
  push_back(list.head, list.tail, e);
  occupied_[level] |= std::uint64_t{1} << slot;
}

void timer_wheel::file_expired(timer_entry* e) noexcept {
  // Walk back from the tail past later deadlines: O(1) when deadlines arrive in order (an entry
  // due exactly now, or a whole level-0 slot), and "<=" keeps ties in insertion order.
  timer_entry* before = expired_.tail;
  while (before != nullptr && before->deadline > e->deadline) {
    before = before->prev;
  }
  e->level = expired_level;
  e->slot = 0;
  if (before == expired_.tail) {
    push_back(expired_.head, expired_.tail, e);
    return;
  }
  timer_entry* after = before != nullptr ? before->next : expired_.head;
  e->prev = before;
  e->next = after;
  after->prev = e;
  if (before != nullptr) {
    before->next = e;
  } else {
    expired_.head = e;
  }
}

void timer_wheel::release(timer_entry* e) noexcept {
  e->in_wheel = false;
  --size_;
  if (e->deadline == min_deadline_) {
    min_valid_ = false;  // maybe the last holder of the minimum: recompute when asked
  }
}

std::uint64_t timer_wheel::slot_start(unsigned level, unsigned slot) const noexcept {
  if (level < top_level) {
    // Invariant (b): the slot is inside elapsed_'s current level-(level + 1) slot, so it keeps
    // elapsed_'s digits above `level` and has zeros below.
    const std::uint64_t parent_mask = (std::uint64_t{1} << shift_of(level + 1)) - 1;
    return (elapsed_ & ~parent_mask) | (std::uint64_t{slot} << shift_of(level));
  }
  // The ring position after elapsed_'s own top-level slot, 1..64 (64 is elapsed_'s own index).
  const std::uint64_t base = elapsed_ >> top_shift;
  const std::uint64_t ahead = ((slot - base - 1) & slot_mask) + 1;
  return (base + ahead) << top_shift;
}

std::optional<timer_wheel::slot_ref> timer_wheel::earliest_slot() const noexcept {
  // Invariant (b): the lowest non-empty level holds the earliest slot.
  for (unsigned level = 0; level < levels; ++level) {
    const std::uint64_t bits = occupied_[level];
    if (bits == 0) {
      continue;
    }
    // Why rotate: slots come in time order starting just after elapsed_'s digit. Below the top
    // level no occupied digit is <= elapsed_'s (invariant (a)), so this is the lowest set bit;
    // at the top level the order wraps around and elapsed_'s own digit comes last.
    const unsigned from = (digit(elapsed_, level) + 1) & slot_mask;
    assert(level == top_level || (from != 0 && (bits & ((std::uint64_t{1} << from) - 1)) == 0));
    const unsigned slot =
        (static_cast<unsigned>(std::countr_zero(std::rotr(bits, static_cast<int>(from)))) + from)
        & slot_mask;
    return slot_ref{level, slot, slot_start(level, slot)};
  }
  return std::nullopt;
}

std::uint64_t timer_wheel::compute_min_deadline() const noexcept {
  if (expired_.head != nullptr) {
    return expired_.head->deadline;  // sorted, and every slotted deadline is later
  }
  const std::optional<slot_ref> first = earliest_slot();
  assert(first.has_value());
  if (first->level == 0) {
    return first->start;  // a level-0 slot holds exactly one deadline: its start
  }
  // A slot above level 0 holds a range: scan its list. Cost: that slot's length (short in
  // practice; a burst of timers armed together can share one), paid again by next_deadline()
  // only after the entry holding the cached minimum is unlinked. A later slot can only matter
  // when the best deadline so far is past its start, i.e. when this slot holds only parked
  // beyond-span entries (top level), so visit slots in time order until one starts at or after
  // the best deadline found (invariant (c)). Below the top level that stops after one slot.
  const unsigned level = first->level;
  const unsigned from = (digit(elapsed_, level) + 1) & slot_mask;
  std::uint64_t remaining = std::rotr(occupied_[level], static_cast<int>(from));
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  while (remaining != 0) {
    const unsigned slot = (static_cast<unsigned>(std::countr_zero(remaining)) + from) & slot_mask;
    if (slot_start(level, slot) >= best) {
      break;
    }
    for (const timer_entry* e = slots_[level][slot].head; e != nullptr; e = e->next) {
      best = std::min(best, e->deadline);
    }
    remaining &= remaining - 1;
  }
  return best;
}

}  // namespace otter::detail
