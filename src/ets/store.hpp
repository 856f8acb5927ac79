// src/ets/store.hpp: what a table keeps its objects in. hash_store (set, bag, duplicate_bag)
// and tree_store (ordered_set) implement it; table_impl checks access and arguments first,
// so a store sees only well-formed objects (tuples of at least keypos elements).
//
// Every function locks what it touches for its own duration and never calls user code under
// a lock (the callbacks here are the library's own). After close() every function raises
// badarg: a table being deleted is never read or written half-way.

#pragma once

#include "otter/core/term.hpp"

#include "ets/function_ref.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace otter::ets::detail {

/// One stored object: its elements, and the object as a term when the store keeps it as one
/// (copying `whole` costs a reference count; otherwise a tuple is built from `elements`).
struct object_view {
  std::span<const term> elements;
  const term* whole = nullptr;
  [[nodiscard]] term to_term() const {
    return whole != nullptr ? *whole
                            : term::tuple(std::vector<term>(elements.begin(), elements.end()));
  }
};

/// Where a scan continues: a stripe of a hash_store, a key of a tree_store.
struct scan_cursor {
  std::size_t stripe = 0;
  std::optional<term> last_key;
  bool done = false;
};

class store {
public:
  store() = default;
  store(const store&) = delete;
  store& operator=(const store&) = delete;
  virtual ~store() = default;

  // -- reads ----------------------------------------------------------------------------------
  virtual void lookup(const term& key, std::vector<term>& out) const = 0;
  [[nodiscard]] virtual bool member(const term& key) const = 0;
  /// Calls `visit` on a consistent part of the table (one stripe, or a run of keys), under
  /// its read lock, and advances `c`; false when nothing was left. `visit` must not call
  /// into any table.
  virtual bool scan(scan_cursor& c, bool reverse,
                    function_ref<void(const object_view&)> visit) const = 0;

  [[nodiscard]] virtual std::optional<term> first() const = 0;
  [[nodiscard]] virtual std::optional<term> last() const = 0;
  [[nodiscard]] virtual std::optional<term> next(const term& key) const = 0;
  [[nodiscard]] virtual std::optional<term> prev(const term& key) const = 0;

  /// Objects, and bytes held (table.hpp: `memory`), read without locks.
  [[nodiscard]] virtual std::size_t size() const noexcept = 0;
  [[nodiscard]] virtual std::size_t memory() const noexcept = 0;

  // -- writes ---------------------------------------------------------------------------------
  /// Inserts all objects atomically (objects.hpp has the rules for several of them).
  virtual void insert(std::span<const term> objects) = 0;
  /// insert() unless a key is present; atomic.
  virtual bool insert_new(std::span<const term> objects) = 0;
  /// Deletes the objects with `key`, appending them to `taken` if given.
  virtual void erase(const term& key, std::vector<term>* taken) = 0;
  /// Deletes this exact object (all copies of it in a duplicate_bag).
  virtual void erase_object(const term& object) = 0;
  /// Deletes one stored instance per entry of `objects`, when still there; returns how many.
  virtual std::size_t erase_each(std::span<const term> objects) = 0;
  /// Rewrites the object with `key`: `f` gets its elements, validates everything before it
  /// changes anything (it may throw, leaving the object as it was). With `default_object`
  /// (already validated, its key element already `key`), a missing key inserts it, updated
  /// by `f`, if `f` succeeds. False when the key is missing and there is no default.
  /// Only for set and ordered_set.
  virtual bool update(const term& key, const term* default_object,
                      function_ref<void(std::span<term>)> f) = 0;
  /// Deletes every object atomically.
  virtual void clear() = 0;
  /// clear(), then every later call raises badarg (the table is being deleted).
  virtual void close() noexcept = 0;
};

/// Raises error(:badarg) (what every ets misuse raises).
[[noreturn]] void badarg();

}  // namespace otter::ets::detail
