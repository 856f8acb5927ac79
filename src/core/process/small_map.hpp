// src/core/process/small_map.hpp: a map that is a small array while small and a hash table
// beyond, in one pointer.
//
// Links, monitors, watchers, aliases and the process dictionary are per process, five maps in
// every control block. Most processes have none or a handful (a proc_lib process has one
// dictionary key, $ancestors); a supervisor may have a million links. The map is one tagged
// pointer (8 bytes: a million idle processes pay for five of them each): null when empty, a
// block {size, capacity, entries...} searched linearly while small, and beyond small_limit an
// open-addressing table (tag bit set), so the supervisor's case stays O(1). clear() keeps a
// small block for the slot's next incarnation, which then links or monitors without
// allocating. Owner-only (no synchronisation).
//
// The table is one block {size, capacity, entries[capacity], dist[capacity]}: an entry costs
// its own size plus two bytes, at a load between 3/16 and 3/4, where a node-based hash map cost
// a heap node per entry (a malloc per link, and a cache miss per insert into a million). It is
// a Robin Hood table (linear probing; along a run, entries are ordered by home slot), so that
// an erase shifts back only the entries after it that are not in their home slot.
//
// Where a key's home slot is (home_slot) has two modes per table. In order, the home is the low
// bits of the key's std::hash: pids and refs are counted up, so a supervisor's children, which
// link one after the other, fill the table front to back, one cache line after another, each
// in its home slot. A random home instead made starting a million workers 15-25% slower (a
// cache and TLB miss per link, and twice the table's pages touched). But keys do not always
// come in order: make_ref() hands out ids in blocks of 1,024 per scheduler, the process table
// hands out slots in batches of 256 per scheduler and reuses freed ones. Wrapped around a
// table in order, such patterns collide block against block into runs thousands of slots
// long. (With one mode, the low bits xor-ed with a hash of the bits above, a dynamic
// supervisor with a million children took 4 to 54 s to stop, monitoring them; and a million
// consecutive refs from three million overflowed a probe distance, which stops the node.) So
// an insert that walks more than probe_limit slots turns its table to mixed mode for good:
// re-filed with homes from splitmix64's finalizer, where any pattern spreads like random keys.
// In order, no probe is longer than probe_limit; the work of an erase's shift is bounded by
// the inserts' walks that displaced the entries it moves back.

#pragma once

#include "otter/core/term_hash.hpp"
#include "otter/detail/assert.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <utility>

namespace otter::detail {

/// The home slot of hash `h` in a table of 2^bits slots (0 < bits < 64): its low bits in order,
/// the high bits of splitmix64's finalizer of it when mixed.
[[nodiscard]] constexpr std::size_t home_slot(std::size_t h, unsigned bits, bool mixed) noexcept {
  return mixed ? static_cast<std::size_t>(mix_bits(h) >> (64 - bits))
               : h & ((std::size_t{1} << bits) - 1);
}

template <class K, class V>
class small_map {
public:
  static constexpr std::size_t small_limit = 16;
  using entry = std::pair<K, V>;

  small_map() = default;
  small_map(const small_map&) = delete;
  small_map& operator=(const small_map&) = delete;
  ~small_map() {
    clear();
    if (block* b = small()) {
      ::operator delete(b);
    }
  }

  [[nodiscard]] std::size_t size() const noexcept {
    if (table* t = big()) {
      return t->size;
    }
    block* b = small();
    return b != nullptr ? b->size : 0;
  }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  V* find(const K& k) noexcept {
    if (table* t = big()) {
      const std::size_t i = t->position(k);
      return i == t->capacity ? nullptr : &t->slots()[i].second;
    }
    entry* e = find_small(k);
    return e != nullptr ? &e->second : nullptr;
  }
  [[nodiscard]] bool contains(const K& k) noexcept { return find(k) != nullptr; }

  /// Inserts when absent; returns false when `k` was already there (value unchanged).
  bool insert(const K& k, V v) {
    if (table* t = big()) {
      return big_insert(t, k, std::move(v));
    }
    if (find_small(k) != nullptr) {
      return false;
    }
    block* b = small();
    if (b == nullptr || b->size == b->capacity) {
      if (b != nullptr && b->size >= small_limit) {
        return big_insert(to_big(), k, std::move(v));
      }
      b = grow(b);
    }
    new (b->entries() + b->size) entry(k, std::move(v));
    ++b->size;
    return true;
  }

  /// Removes `k`; returns its value if it was there.
  bool erase(const K& k, V* out = nullptr) {
    if (table* t = big()) {
      const std::size_t i = t->position(k);
      if (i == t->capacity) {
        return false;
      }
      if (out != nullptr) {
        *out = std::move(t->slots()[i].second);
      }
      t->erase_at(i);
      maybe_shrink(t);
      return true;
    }
    entry* e = find_small(k);
    if (e == nullptr) {
      return false;
    }
    if (out != nullptr) {
      *out = std::move(e->second);
    }
    block* b = small();
    entry* last = b->entries() + b->size - 1;
    if (e != last) {
      *e = std::move(*last);
    }
    last->~entry();
    --b->size;
    return true;
  }

  /// The longest probe a lookup of a present key takes (1 when every entry is in its home
  /// slot, 0 when small or empty): what tests check the hashing of key patterns by.
  [[nodiscard]] std::size_t longest_probe() const noexcept {
    std::size_t longest = 0;
    if (table* t = big()) {
      for (std::size_t i = 0; i < t->capacity; ++i) {
        longest = std::max<std::size_t>(longest, t->dist()[i]);
      }
    }
    return longest;
  }

  template <class F>
  void for_each(F&& f) {
    if (table* t = big()) {
      for (std::size_t i = 0; i < t->capacity; ++i) {
        if (t->dist()[i] != 0) {
          f(t->slots()[i].first, t->slots()[i].second);
        }
      }
    } else if (block* b = small()) {
      for (std::uint32_t i = 0; i < b->size; ++i) {
        f(b->entries()[i].first, b->entries()[i].second);
      }
    }
  }

  /// Empties the map; a small block is kept for reuse.
  void clear() noexcept {
    if (table* t = big()) {
      table::destroy(t);
      p_ = 0;
    } else if (block* b = small()) {
      for (std::uint32_t i = 0; i < b->size; ++i) {
        b->entries()[i].~entry();
      }
      b->size = 0;
    }
  }

private:
  struct block {
    std::uint32_t size;
    std::uint32_t capacity;
    entry* entries() noexcept { return reinterpret_cast<entry*>(this + 1); }
  };
  static_assert(sizeof(block) % alignof(entry) == 0 && alignof(entry) <= sizeof(block));

  // The Robin Hood table. dist[i] is 0 for an empty slot, else 1 + the distance of slot i's
  // entry from its home slot. Invariant: probing from any home, the entries met are those of
  // homes at or before it (cyclically, within the run), so a key is absent once the probe meets
  // an empty slot or an entry closer to its home than the probe is (dist < the probe's).
  struct alignas(std::max(alignof(entry), alignof(std::uint64_t))) table {
    std::uint32_t size;
    std::uint32_t capacity;  // a power of two
    bool mixed;              // the home of a key: in order, or mixed (home_slot)

    entry* slots() noexcept { return reinterpret_cast<entry*>(this + 1); }
    std::uint16_t* dist() noexcept { return reinterpret_cast<std::uint16_t*>(slots() + capacity); }
    [[nodiscard]] std::size_t home(const K& k) const noexcept {
      return home_slot(std::hash<K>{}(k), static_cast<unsigned>(std::countr_zero(capacity)), mixed);
    }

    static table* make(std::uint32_t capacity, bool mixed) {
      void* raw =
          ::operator new(sizeof(table) + capacity * (sizeof(entry) + sizeof(std::uint16_t)));
      auto* t = static_cast<table*>(raw);
      t->size = 0;
      t->capacity = capacity;
      t->mixed = mixed;
      std::fill_n(t->dist(), capacity, std::uint16_t{0});
      return t;
    }
    static void destroy(table* t) noexcept {
      for (std::size_t i = 0; i < t->capacity; ++i) {
        if (t->dist()[i] != 0) {
          t->slots()[i].~entry();
        }
      }
      ::operator delete(static_cast<void*>(t));
    }

    // The slot holding `k`, or capacity when absent.
    std::size_t position(const K& k) noexcept {
      const std::size_t mask = capacity - 1;
      std::size_t i = home(k);
      for (std::uint32_t d = 1; dist()[i] >= d; i = (i + 1) & mask, ++d) {
        if (dist()[i] == d && slots()[i].first == k) {  // same distance: the same home
          return i;
        }
      }
      return capacity;
    }
    // Files `e` unless its key is present (then returns false): the probe takes the slot of the
    // first entry closer to its home than the probe is and carries that entry on, so runs stay
    // ordered by home. Until then it passes the slots position() would look at, so it finds a
    // present key on the way, with one probe for both. `walked` is set to the number of slots
    // it looked at. @pre size < capacity
    bool put(entry&& e, std::uint32_t& walked) noexcept {
      const std::size_t mask = capacity - 1;
      std::size_t i = home(e.first);
      std::uint32_t d = 1;
      entry carried(std::move(e));
      bool own = true;  // `carried` is still `e` (not an entry it displaced)
      for (walked = 1;; i = (i + 1) & mask, ++d, ++walked) {
        // A distance stays far below 2^16 - 1: in order, every entry is within probe_limit of
        // its home (beyond, the carried entry is swapped at the next slot); mixed homes spread
        // like random keys in a table at most 3/4 full.
        OTTER_CHECK(d < 0xffff, "small_map: a probe distance overflowed");
        std::uint16_t& di = dist()[i];
        if (di == 0) {
          new (slots() + i) entry(std::move(carried));
          di = static_cast<std::uint16_t>(d);
          ++size;
          return true;
        }
        if (own && di == d && slots()[i].first == carried.first) {
          return false;
        }
        if (di < d) {
          std::swap(carried, slots()[i]);
          d = std::exchange(di, static_cast<std::uint16_t>(d));
          own = false;
        }
      }
    }
    // Removes the entry at `hole`: the entries after it move back one slot each, up to an empty
    // slot or an entry in its home slot (which, by the ordering, is the start of the entries
    // whose homes lie after the hole).
    void erase_at(std::size_t hole) noexcept {
      const std::size_t mask = capacity - 1;
      slots()[hole].~entry();
      for (std::size_t j = (hole + 1) & mask; dist()[j] > 1; hole = j, j = (j + 1) & mask) {
        new (slots() + hole) entry(std::move(slots()[j]));
        slots()[j].~entry();
        dist()[hole] = static_cast<std::uint16_t>(dist()[j] - 1);
      }
      dist()[hole] = 0;
      --size;
    }
  };
  static_assert(sizeof(table) % alignof(entry) == 0 && alignof(entry) <= sizeof(table));
  static constexpr std::uintptr_t big_tag = 1;
  static constexpr std::uint32_t min_table = small_limit * 4;
  // An insert into a table in order that looks at more slots than this mixes the table. Keys
  // in order walk one slot; random keys at 3/4 load, a handful (and tens, rarely).
  static constexpr std::uint32_t probe_limit = 64;

  [[nodiscard]] table* big() const noexcept {
    return (p_ & big_tag) != 0 ? reinterpret_cast<table*>(p_ & ~big_tag) : nullptr;
  }
  [[nodiscard]] block* small() const noexcept {
    return (p_ & big_tag) == 0 ? reinterpret_cast<block*>(p_) : nullptr;
  }

  entry* find_small(const K& k) noexcept {
    if (block* b = small()) {
      for (std::uint32_t i = 0; i < b->size; ++i) {
        if (b->entries()[i].first == k) {
          return b->entries() + i;
        }
      }
    }
    return nullptr;
  }

  block* grow(block* old) {
    const std::uint32_t cap = old == nullptr ? 1 : old->capacity * 2;
    auto* nb = static_cast<block*>(::operator new(sizeof(block) + cap * sizeof(entry)));
    nb->size = 0;
    nb->capacity = cap;
    if (old != nullptr) {
      for (std::uint32_t i = 0; i < old->size; ++i) {
        new (nb->entries() + i) entry(std::move(old->entries()[i]));
        old->entries()[i].~entry();
      }
      nb->size = old->size;
      ::operator delete(old);
    }
    p_ = reinterpret_cast<std::uintptr_t>(nb);
    return nb;
  }

  table* to_big() {
    block* b = small();
    table* t = table::make(min_table, false);
    for (std::uint32_t i = 0; i < b->size; ++i) {
      std::uint32_t walked = 0;
      (void)t->put(std::move(b->entries()[i]), walked);  // the keys are distinct
      b->entries()[i].~entry();
    }
    ::operator delete(b);
    p_ = reinterpret_cast<std::uintptr_t>(t) | big_tag;
    return t;
  }

  // Moves every entry into a table of `capacity` slots (a power of two > size), mixed or in
  // order; in order, a walk longer than probe_limit makes it mixed.
  table* rehash(table* old, std::uint32_t capacity, bool mixed) {
    table* t = table::make(capacity, mixed);
    std::uint32_t longest = 0;
    for (std::size_t i = 0; i < old->capacity; ++i) {
      if (old->dist()[i] != 0) {
        std::uint32_t walked = 0;
        (void)t->put(std::move(old->slots()[i]), walked);  // the keys are distinct
        longest = std::max(longest, walked);
        old->slots()[i].~entry();
        old->dist()[i] = 0;
      }
    }
    ::operator delete(static_cast<void*>(old));
    p_ = reinterpret_cast<std::uintptr_t>(t) | big_tag;
    if (!mixed && longest > probe_limit) {
      mix(t);
      return big();
    }
    return t;
  }

  // Re-files a table in order as mixed. Best effort: without memory, the table in order is
  // still correct, only slower.
  void mix(table* t) noexcept {
    try {
      rehash(t, t->capacity, true);
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }

  // Grows before passing 3/4 full: probe distances lengthen quickly beyond that. Only then is
  // the key looked up first (a present key must not grow the table); otherwise put() finds it.
  bool big_insert(table* t, const K& k, V&& v) {
    if ((t->size + 1) * 4 > t->capacity * 3) {
      if (t->position(k) != t->capacity) {
        return false;
      }
      t = rehash(t, t->capacity * 2, t->mixed);
    }
    std::uint32_t walked = 0;
    const bool inserted = t->put(entry(k, std::move(v)), walked);
    if (!t->mixed && walked > probe_limit) {
      mix(t);
    }
    return inserted;
  }

  // Halves under 3/16 full (to under 3/8), so growing and shrinking cannot alternate on one
  // insert/erase. Best effort: without memory, the larger table is still correct.
  void maybe_shrink(table* t) noexcept {
    if (t->capacity > min_table && t->size * 16 < t->capacity * 3) {
      try {
        rehash(t, t->capacity / 2, t->mixed);
      } catch (...) {  // NOLINT(bugprone-empty-catch)
      }
    }
  }

  std::uintptr_t p_ = 0;
};

}  // namespace otter::detail
