// Open addressing with linear probing (timer_table.hpp).
//
// Invariant: every node sits in its home slot or after it, with no empty slot between the two
// (cyclically). find() therefore stops at the first empty slot, and erase() restores the
// invariant by moving later nodes of the same run back into the hole (backward shift).

#include "core/timer/timer_table.hpp"

#include "core/timer/timer_service.hpp"

namespace otter::detail {

std::size_t timer_table::position(std::uint64_t id) const noexcept {
  if (size_ == 0) {
    return capacity_;
  }
  const std::size_t mask = capacity_ - 1;
  for (std::size_t i = home(id);; i = (i + 1) & mask) {
    timer_node* t = slots_[i];
    if (t == nullptr) {
      return capacity_;
    }
    if (t->id == id) {
      return i;
    }
  }
}

timer_node* timer_table::find(std::uint64_t id) const noexcept {
  std::size_t i = position(id);
  return i == capacity_ ? nullptr : slots_[i];
}

void timer_table::insert(timer_node* t) {
  // Grow before passing 3/4 full: linear probing's runs lengthen quickly beyond that.
  if ((size_ + 1) * 4 > capacity_ * 3) {
    rehash(capacity_ == 0 ? min_capacity : capacity_ * 2);
  }
  const std::size_t mask = capacity_ - 1;
  std::size_t i = home(t->id);
  while (slots_[i] != nullptr) {
    i = (i + 1) & mask;
  }
  slots_[i] = t;
  ++size_;
}

timer_node* timer_table::erase(std::uint64_t id) noexcept {
  std::size_t hole = position(id);
  if (hole == capacity_) {
    return nullptr;
  }
  timer_node* found = slots_[hole];
  const std::size_t mask = capacity_ - 1;
  // Backward shift: a later node of the run moves into the hole unless its home lies
  // cyclically in (hole, j], where it would then sit before its home.
  for (std::size_t j = (hole + 1) & mask; slots_[j] != nullptr; j = (j + 1) & mask) {
    const std::size_t h = home(slots_[j]->id);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (!stays) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = nullptr;
  --size_;
  // Shrink below 1/8 full (to under 1/4 after halving), so growth and shrinking cannot
  // alternate on one insert/erase. Shrinking is best effort: without memory, keep the table.
  if (capacity_ > min_capacity && size_ * 8 < capacity_) {
    try {
      rehash(capacity_ / 2);
    } catch (...) {  // NOLINT(bugprone-empty-catch): a larger table is still correct
    }
  }
  return found;
}

void timer_table::rehash(std::size_t capacity) {
  auto fresh = std::make_unique<timer_node*[]>(capacity);  // value-initialised: all null
  const std::size_t mask = capacity - 1;
  for (std::size_t i = 0; i < capacity_; ++i) {
    if (timer_node* t = slots_[i]) {
      std::size_t j = static_cast<std::size_t>(timer_hash(t->id)) & mask;
      while (fresh[j] != nullptr) {
        j = (j + 1) & mask;
      }
      fresh[j] = t;
    }
  }
  slots_ = std::move(fresh);
  capacity_ = capacity;
}

}  // namespace otter::detail
