// src/core/timer/timer_table.hpp: the user timers of one registry shard, by ref id.
//
// An open-addressing hash table (linear probing, backward-shift deletion, so no tombstones) of
// timer_node pointers keyed by the node's own ref id (timer_node::id), filed by timer_hash().
// A slot is one pointer, and nothing is allocated per timer: at a load factor between 3/8 and
// 3/4 a timer costs 11 to 21 bytes of table, where a std::unordered_map cost a 32-byte heap node
// plus its bucket. Probing reads the ids of the nodes it passes, so every node in the table must
// be alive: the registry holds a reference to each (timer_service.hpp).
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

/// make_ref() hands each scheduler its ids 2^ref_block_bits at a time (runtime_impl.cpp).
inline constexpr unsigned ref_block_bits = 10;
/// Ids are filed in groups of 2^timer_group_bits consecutive ids (below).
inline constexpr unsigned timer_group_bits = 4;

// Where a timer is filed keeps the order in which its scheduler made the refs. A million
// workers each arming a timer in init made every insert a cache miss (and a TLB miss) when each
// id had a slot of its own anywhere in a 16 MB registry: a tenth of the start of a worker.
//
// - The shard is a hash of the id's block of make_ref() ids, so a scheduler arming timers keeps
//   to one shard, whose lock and table stay in its cache, until its next block.
// - In the table, the ids of a group of 16 consecutive ids have 16 consecutive home slots from
//   a place picked by a hash of the group: timers armed one after the other share cache lines,
//   and groups are still spread over the whole table (splitmix64's finalizer mixes sequential
//   numbers well).

/// The registry shard (of `shards`, a power of two) of ref id `id`.
[[nodiscard]] constexpr std::size_t timer_shard(std::uint64_t id, std::size_t shards) noexcept {
  return static_cast<std::size_t>(mix_bits(id >> ref_block_bits)) & (shards - 1);
}
/// The hash whose low bits pick the home slot of ref id `id` in a table.
[[nodiscard]] constexpr std::uint64_t timer_hash(std::uint64_t id) noexcept {
  constexpr std::uint64_t group_mask = (std::uint64_t{1} << timer_group_bits) - 1;
  // Added, not or-ed into the low bits: ids that share their low bits (every 16th id) still
  // get homes all over the table.
  return mix_bits(id >> timer_group_bits) + (id & group_mask);
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
