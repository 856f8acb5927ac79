// src/core/process/dictionary.hpp: a process dictionary in one allocation.
//
// Most processes have no dictionary; a proc_lib process has one or two keys ($ancestors,
// $initial_call), and a million idle workers each have theirs. A std::map costs two
// allocations and ~130 bytes for one key; this is a pointer in the control block and, once a
// key is put, one block of {size, capacity, entries...} searched linearly (dictionaries are
// small; erlang:get/1 on a big one is rare). Order is insertion order, changed by erase;
// erlang:get/0 does not promise one. Owner-only (no synchronisation).

#pragma once

#include "otter/core/term.hpp"

#include <cstdint>
#include <new>
#include <utility>

namespace otter::detail {

class dictionary {
public:
  using entry = std::pair<term, term>;

  dictionary() = default;
  dictionary(const dictionary&) = delete;
  dictionary& operator=(const dictionary&) = delete;
  ~dictionary() { clear(); }

  [[nodiscard]] bool empty() const noexcept { return b_ == nullptr || b_->size == 0; }
  [[nodiscard]] const entry* begin() const noexcept { return b_ ? b_->entries() : nullptr; }
  [[nodiscard]] const entry* end() const noexcept {
    return b_ ? b_->entries() + b_->size : nullptr;
  }

  [[nodiscard]] term* find(const term& key) noexcept {
    entry* e = find_entry(key);
    return e != nullptr ? &e->second : nullptr;
  }

  /// Sets `key` to `value`. When the key was there, `had` is set and the old value returned.
  term put(term key, term value, bool& had) {
    if (term* v = find(key)) {
      had = true;
      return std::exchange(*v, std::move(value));
    }
    had = false;
    if (b_ == nullptr || b_->size == b_->capacity) {
      grow();
    }
    new (b_->entries() + b_->size) entry(std::move(key), std::move(value));
    ++b_->size;
    return term();
  }

  /// Removes `key`; true (and its value in `out`) when it was there.
  bool erase(const term& key, term& out) {
    entry* e = find_entry(key);
    if (e == nullptr) {
      return false;
    }
    out = std::move(e->second);
    entry* last = b_->entries() + b_->size - 1;
    if (e != last) {
      *e = std::move(*last);
    }
    last->~entry();
    --b_->size;
    return true;
  }

  void clear() noexcept {
    if (b_ == nullptr) {
      return;
    }
    for (std::uint32_t i = 0; i < b_->size; ++i) {
      b_->entries()[i].~entry();
    }
    ::operator delete(b_);
    b_ = nullptr;
  }

private:
  entry* find_entry(const term& key) noexcept {
    if (b_ != nullptr) {
      for (entry* e = b_->entries(); e != b_->entries() + b_->size; ++e) {
        if (e->first == key) {
          return e;
        }
      }
    }
    return nullptr;
  }

  struct block {
    std::uint32_t size;
    std::uint32_t capacity;
    entry* entries() noexcept { return reinterpret_cast<entry*>(this + 1); }
  };
  static_assert(sizeof(block) % alignof(entry) == 0);

  void grow() {
    const std::uint32_t cap = b_ == nullptr ? 1 : b_->capacity * 2;
    auto* nb = static_cast<block*>(::operator new(sizeof(block) + cap * sizeof(entry)));
    nb->size = 0;
    nb->capacity = cap;
    if (b_ != nullptr) {
      for (std::uint32_t i = 0; i < b_->size; ++i) {
        new (nb->entries() + i) entry(std::move(b_->entries()[i]));
        b_->entries()[i].~entry();
      }
      nb->size = b_->size;
      ::operator delete(b_);
    }
    b_ = nb;
  }

  block* b_ = nullptr;
};

}  // namespace otter::detail
