// The table of a unique registry's shard: key -> entry, open addressing.
//
// Linear probing over a power-of-two array of slots that hold the hash, the key and the entry
// inline, so a lookup touches one slot run (usually one cache line) where a node-based map
// reads a bucket and then a node. Deletion shifts the following run back (no tombstones), so
// probe runs only ever end at an empty slot. A stored hash of 0 marks an empty slot; a real
// hash of 0 is stored as 1 (it only has to agree with itself).
//
// Thread safety: none; the shard's lock guards it (registry_state.hpp).

#pragma once

#include "otter/core/term.hpp"
#include "otter/otp/registry.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace otter::registry::detail {

class unique_table {
public:
  [[nodiscard]] const entry* find(const term& key, std::uint64_t h) const noexcept {
    if (slots_.empty()) {
      return nullptr;
    }
    const std::uint64_t sh = stored(h);
    for (std::size_t i = home(sh);; i = (i + 1) & mask()) {
      const slot& s = slots_[i];
      if (s.hash == 0) {
        return nullptr;
      }
      if (s.hash == sh && s.key == key) {
        return &s.value;
      }
    }
  }
  [[nodiscard]] entry* find(const term& key, std::uint64_t h) noexcept {
    return const_cast<entry*>(std::as_const(*this).find(key, h));
  }

  /// Inserts `key` -> `e` unless the key is there: the entry, and whether it was inserted.
  std::pair<entry*, bool> insert(const term& key, std::uint64_t h, entry e) {
    if ((size_ + 1) * 4 > slots_.size() * 3) {  // load factor at most 3/4
      grow();
    }
    const std::uint64_t sh = stored(h);
    for (std::size_t i = home(sh);; i = (i + 1) & mask()) {
      slot& s = slots_[i];
      if (s.hash == 0) {
        s.hash = sh;
        s.key = key;
        s.value = std::move(e);
        ++size_;
        return {&s.value, true};
      }
      if (s.hash == sh && s.key == key) {
        return {&s.value, false};
      }
    }
  }

  /// Removes `key`; its entry is moved to `out` (so that the caller destroys it outside its
  /// lock). False when the key is not there.
  bool erase(const term& key, std::uint64_t h, entry& out) noexcept {
    if (slots_.empty()) {
      return false;
    }
    const std::uint64_t sh = stored(h);
    std::size_t i = home(sh);
    for (;; i = (i + 1) & mask()) {
      if (slots_[i].hash == 0) {
        return false;
      }
      if (slots_[i].hash == sh && slots_[i].key == key) {
        break;
      }
    }
    out = std::move(slots_[i].value);
    // Backward shift: move each following slot of the run into the hole when its home does
    // not lie cyclically in (hole, slot].
    for (std::size_t j = (i + 1) & mask(); slots_[j].hash != 0; j = (j + 1) & mask()) {
      const std::size_t k = home(slots_[j].hash);
      const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = slot{};
    --size_;
    return true;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  void swap(unique_table& other) noexcept {
    slots_.swap(other.slots_);
    std::swap(size_, other.size_);
    std::swap(shift_, other.shift_);
  }
  /// Calls f(key, entry) for every entry, in slot order.
  template <class F>
  void for_each(F&& f) const {
    for (const slot& s : slots_) {
      if (s.hash != 0) {
        f(s.key, s.value);
      }
    }
  }

private:
  struct slot {
    std::uint64_t hash = 0;
    term key;
    entry value;
  };

  static std::uint64_t stored(std::uint64_t h) noexcept { return h != 0 ? h : 1; }
  // Fibonacci hashing: the shard and the partition were chosen from bits of the same hash,
  // so the slot is taken from all of them, mixed.
  [[nodiscard]] std::size_t home(std::uint64_t sh) const noexcept {
    return static_cast<std::size_t>((sh * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  [[nodiscard]] std::size_t mask() const noexcept { return slots_.size() - 1; }

  void grow() {
    const std::size_t cap = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<slot> old(cap);
    old.swap(slots_);
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(cap));
    for (slot& s : old) {
      if (s.hash == 0) {
        continue;
      }
      std::size_t i = home(s.hash);
      while (slots_[i].hash != 0) {
        i = (i + 1) & mask();
      }
      slots_[i] = std::move(s);
    }
  }

  std::vector<slot> slots_;
  std::size_t size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace otter::registry::detail
