// src/ets/hash_store.hpp: the objects of a set, bag or duplicate_bag.
//
// Layout (docs/design/ets.md has the pictures and the measurements behind them):
//   - The table is split into `stripe_count` stripes by the top bits of the key's hash; each
//     stripe is an independent open-addressing hash table with its own stripe_lock, so
//     writers of different stripes never meet and a stripe's arrays grow on their own.
//   - A stripe holds a control byte per cell (0: empty, 4: deleted, else a 6-bit slice of
//     the hash and the cell's kind in the low two bits) and an array of 32-byte cells, probed
//     linearly from the key's home cell. Both are found from the hash alone, so a lookup
//     usually costs one cache miss in each, issued together.
//   - A cell stores a set's object of one or two elements inline (kinds 1 and 2: the elements
//     themselves, which update_counter changes in place), and anything else as kind 3: the
//     key, then either the whole object as a term (set) or a pointer to the vector of the
//     key's objects in insertion order (bag, duplicate_bag).
//   - Capacities follow 8, 12, 16, 24, 32, ... (powers of two and their halfway points); a
//     stripe grows when cells in use (deleted ones included) would pass 80%, to a load of at
//     most 60%, and shrinks when it falls under 10%.
//
// Concurrency: every field of a stripe except the two counters is guarded by its lock
// (stripe_lock.hpp): reads under the shared lock, changes under the exclusive one. The
// counters `objects` and `bytes` are atomics written under the lock and read without it by
// size() and memory(). Operations on several stripes lock them in increasing order.

#pragma once

#include "otter/ets/table.hpp"

#include "ets/store.hpp"
#include "ets/stripe_lock.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace otter::ets::detail {

class hash_store final : public store {
public:
  // 16 stripes (behaviour at the time of writing): enough that two writers rarely meet, and
  // few enough that a big table's stripe arrays reach the 2 MiB of a huge page (big_alloc.hpp)
  // - with 64 stripes a 1M-object table's lookups cost a third more, in TLB misses.
  static constexpr unsigned stripe_bits = 4;
  static constexpr std::size_t stripe_count = std::size_t{1} << stripe_bits;

  hash_store(table_type type, std::uint32_t keypos);
  ~hash_store() override;

  void lookup(const term& key, std::vector<term>& out) const override;
  [[nodiscard]] bool member(const term& key) const override;
  bool scan(scan_cursor& c, bool reverse,
            function_ref<void(const object_view&)> visit) const override;
  [[nodiscard]] std::optional<term> first() const override;
  [[nodiscard]] std::optional<term> last() const override { return first(); }
  [[nodiscard]] std::optional<term> next(const term& key) const override;
  [[nodiscard]] std::optional<term> prev(const term& key) const override { return next(key); }
  [[nodiscard]] std::size_t size() const noexcept override;
  [[nodiscard]] std::size_t memory() const noexcept override;

  void insert(std::span<const term> objects) override;
  bool insert_new(std::span<const term> objects) override;
  void erase(const term& key, std::vector<term>* taken) override;
  void erase_object(const term& object) override;
  std::size_t erase_each(std::span<const term> objects) override;
  bool update(const term& key, const term* default_object,
              function_ref<void(std::span<term>)> f) override;
  void clear() override;
  void close() noexcept override;

  struct cell;
  struct stripe;

private:
  [[nodiscard]] stripe& stripe_of(std::uint64_t h) const noexcept;
  [[nodiscard]] const term& key_of(const cell& c, std::uint8_t ctrl) const noexcept;
  [[nodiscard]] std::uint32_t find(const stripe& s, std::uint64_t h, const term& key) const;
  void put(stripe& s, std::uint64_t h, const term& object);
  void fill(stripe& s, std::uint32_t i, std::uint64_t h, const term& object);
  void remove_cell(stripe& s, std::uint32_t i) noexcept;
  void destroy_cell(stripe& s, std::uint32_t i) noexcept;
  void reserve_one(stripe& s);
  void rehash(stripe& s, std::uint32_t capacity);
  void maybe_shrink(stripe& s) noexcept;
  void free_all(stripe& s) noexcept;
  void visit_cell(const stripe& s, std::uint32_t i,
                  function_ref<void(const object_view&)> visit) const;
  std::size_t remove_equal(stripe& s, std::uint32_t i, const term& object, bool one);
  [[nodiscard]] static std::size_t estimate(const term& object) noexcept;

  const bool bag_;         // bag or duplicate_bag: kind-3 cells hold a vector of objects
  const bool duplicates_;  // duplicate_bag
  const std::uint32_t keypos_;
  std::unique_ptr<stripe[]> stripes_;
};

}  // namespace otter::ets::detail
