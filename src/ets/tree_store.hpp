// src/ets/tree_store.hpp: the objects of an ordered_set, in Erlang term order.
//
// A std::map from key to object, keys compared with compare_keys (term_ops.hpp: == for
// numbers, so 1 and 1.0 are one key), under one stripe_lock: readers never block each other
// and never write shared memory; writers are serialised (as the BEAM's ordered_set without
// write_concurrency). The map's key is the first inserted key of its entry, which compares
// equal to the object's own key element; every key returned to callers is read from the
// object, so `insert({1.0, x})` over `{1, y}` shows 1.0 afterwards, as in Erlang.
//
// Concurrency: map_ and closed_ are guarded by lock_; objects_ and bytes_ are atomics written
// under the lock and read without it.

#pragma once

#include "ets/store.hpp"
#include "ets/stripe_lock.hpp"
#include "ets/term_ops.hpp"

#include <atomic>
#include <cstdint>
#include <map>

namespace otter::ets::detail {

class tree_store final : public store {
public:
  explicit tree_store(std::uint32_t keypos) : keypos_(keypos) {}

  void lookup(const term& key, std::vector<term>& out) const override;
  [[nodiscard]] bool member(const term& key) const override;
  bool scan(scan_cursor& c, bool reverse,
            function_ref<void(const object_view&)> visit) const override;
  [[nodiscard]] std::optional<term> first() const override;
  [[nodiscard]] std::optional<term> last() const override;
  [[nodiscard]] std::optional<term> next(const term& key) const override;
  [[nodiscard]] std::optional<term> prev(const term& key) const override;
  [[nodiscard]] std::size_t size() const noexcept override {
    return objects_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t memory() const noexcept override {
    return sizeof(*this) + bytes_.load(std::memory_order_relaxed);
  }

  void insert(std::span<const term> objects) override;
  bool insert_new(std::span<const term> objects) override;
  void erase(const term& key, std::vector<term>* taken) override;
  void erase_object(const term& object) override;
  std::size_t erase_each(std::span<const term> objects) override;
  bool update(const term& key, const term* default_object,
              function_ref<void(std::span<term>)> f) override;
  void clear() override;
  void close() noexcept override;

  /// Objects a scan copies per lock hold (behaviour at the time of writing).
  static constexpr std::size_t scan_chunk = 256;

private:
  using map_type = std::map<term, term, key_less>;
  void check_open() const;
  void put(const term& object);
  void account(const term& object, int sign) noexcept;
  [[nodiscard]] const term& key_of(const term& object) const noexcept {
    return object[keypos_ - 1];
  }

  const std::uint32_t keypos_;
  stripe_lock lock_;
  bool closed_ = false;  // guarded by lock_
  map_type map_;         // guarded by lock_
  // Ordering: relaxed (written under lock_, read by size() and memory()).
  std::atomic<std::size_t> objects_{0};
  std::atomic<std::size_t> bytes_{0};
};

}  // namespace otter::ets::detail
