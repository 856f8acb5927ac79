// src/core/timer/timer_table.hpp: the user timers of one registry shard, by ref id.
//
// An open-addressing hash table (linear probing, backward-shift deletion, so no tombstones) of
// timer_node pointers keyed by the node's own ref id (timer_node::id). A slot is one pointer,
// and nothing is allocated per timer: at a load factor between 3/8 and 3/4 a timer costs 11 to
// 21 bytes of table, where a std::unordered_map cost a 32-byte heap node plus its bucket.
// Probing reads the ids of the nodes it passes, so every node in the table must be alive: the
// registry holds a reference to each (timer_service.hpp).
//
// The table grows (doubling) when it passes 3/4 full and shrinks (halving) when it falls under
// 1/8, so a burst of timers does not pin its peak size forever. Resizing is O(n) and rare.
//
// Thread safety: none; the registry guards each table with its shard's mutex.

#pragma once

#include "otter/core/term_hash.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace otter::detail {

struct timer_node;

/// The hash of a ref id: the registry picks the shard with its top bits and the table the slot
/// with its low bits (splitmix64's finalizer, so both are well mixed even for sequential ids).
[[nodiscard]] constexpr std::uint64_t timer_hash(std::uint64_t id) noexcept {
  return mix_bits(id);
}

class timer_table {
public:
  timer_table() noexcept = default;
  timer_table(const timer_table&) = delete;
  timer_table& operator=(const timer_table&) = delete;

  /// Adds `t`, found afterwards by t->id. @pre no node with that id is in the table (refs are
  /// unique, and a timer is inserted once).
  void insert(timer_node* t);
  /// The node with ref id `id`, or nullptr.
  [[nodiscard]] timer_node* find(std::uint64_t id) const noexcept;
  /// Removes the node with ref id `id`; returns it, or nullptr when absent.
  timer_node* erase(std::uint64_t id) noexcept;

  /// Calls f(timer_node*) for every node, then empties the table (the runtime's shutdown).
  template <class F>
  void drain(F&& f) {
    for (std::size_t i = 0; i < capacity_; ++i) {
      if (timer_node* t = slots_[i]) {
        f(t);
      }
    }
    slots_.reset();
    capacity_ = 0;
    size_ = 0;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Slots allocated (a power of two, or 0 before the first insert).
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

private:
  static constexpr std::size_t min_capacity = 16;

  [[nodiscard]] std::size_t home(std::uint64_t id) const noexcept {
    return static_cast<std::size_t>(timer_hash(id)) & (capacity_ - 1);
  }
  // The slot holding `id`, or capacity_ when absent.
  [[nodiscard]] std::size_t position(std::uint64_t id) const noexcept;
  // Re-files every node into a table of `capacity` slots (a power of two > size_).
  void rehash(std::size_t capacity);

  std::unique_ptr<timer_node*[]> slots_;  // null: empty
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

}  // namespace otter::detail
