// src/core/process/small_map.hpp: a map that is a small array while small and a hash map
// beyond, in one pointer.
//
// Links, monitors, watchers, aliases and the process dictionary are per process, five maps in
// every control block. Most processes have none or a handful (a proc_lib process has one
// dictionary key, $ancestors); a supervisor may have a hundred thousand links. The map is
// one tagged pointer (8 bytes: a million idle processes pay for five of them each): null when
// empty, a block {size, capacity, entries...} searched linearly while small, a hash map
// (tag bit set) beyond small_limit, so the supervisor's case stays O(1). clear() keeps a
// small block for the slot's next incarnation, which then links or monitors without
// allocating. Owner-only (no synchronisation).

#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <unordered_map>
#include <utility>

namespace otter::detail {

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
    if (big_map* m = big()) {
      return m->size();
    }
    block* b = small();
    return b != nullptr ? b->size : 0;
  }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  V* find(const K& k) noexcept {
    if (big_map* m = big()) {
      auto it = m->find(k);
      return it == m->end() ? nullptr : &it->second;
    }
    entry* e = find_small(k);
    return e != nullptr ? &e->second : nullptr;
  }
  [[nodiscard]] bool contains(const K& k) noexcept { return find(k) != nullptr; }

  /// Inserts when absent; returns false when `k` was already there (value unchanged).
  bool insert(const K& k, V v) {
    if (find(k) != nullptr) {
      return false;
    }
    if (big_map* m = big()) {
      m->emplace(k, std::move(v));
      return true;
    }
    block* b = small();
    if (b == nullptr || b->size == b->capacity) {
      if (b != nullptr && b->size >= small_limit) {
        to_big()->emplace(k, std::move(v));
        return true;
      }
      b = grow(b);
    }
    new (b->entries() + b->size) entry(k, std::move(v));
    ++b->size;
    return true;
  }

  /// Removes `k`; returns its value if it was there.
  bool erase(const K& k, V* out = nullptr) {
    if (big_map* m = big()) {
      auto it = m->find(k);
      if (it == m->end()) {
        return false;
      }
      if (out != nullptr) {
        *out = std::move(it->second);
      }
      m->erase(it);
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

  template <class F>
  void for_each(F&& f) {
    if (big_map* m = big()) {
      for (auto& [k, v] : *m) {
        f(k, v);
      }
    } else if (block* b = small()) {
      for (std::uint32_t i = 0; i < b->size; ++i) {
        f(b->entries()[i].first, b->entries()[i].second);
      }
    }
  }

  /// Empties the map; a small block is kept for reuse.
  void clear() noexcept {
    if (big_map* m = big()) {
      delete m;
      p_ = 0;
    } else if (block* b = small()) {
      for (std::uint32_t i = 0; i < b->size; ++i) {
        b->entries()[i].~entry();
      }
      b->size = 0;
    }
  }

private:
  using big_map = std::unordered_map<K, V>;
  struct block {
    std::uint32_t size;
    std::uint32_t capacity;
    entry* entries() noexcept { return reinterpret_cast<entry*>(this + 1); }
  };
  static_assert(sizeof(block) % alignof(entry) == 0 && alignof(entry) <= sizeof(block));
  static constexpr std::uintptr_t big_tag = 1;

  [[nodiscard]] big_map* big() const noexcept {
    return (p_ & big_tag) != 0 ? reinterpret_cast<big_map*>(p_ & ~big_tag) : nullptr;
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

  big_map* to_big() {
    block* b = small();
    auto m = std::make_unique<big_map>();
    m->reserve(small_limit * 4);
    for (std::uint32_t i = 0; i < b->size; ++i) {
      m->emplace(std::move(b->entries()[i].first), std::move(b->entries()[i].second));
      b->entries()[i].~entry();
    }
    ::operator delete(b);
    p_ = reinterpret_cast<std::uintptr_t>(m.get()) | big_tag;
    return m.release();
  }

  std::uintptr_t p_ = 0;
};

}  // namespace otter::detail
