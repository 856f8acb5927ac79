// src/ets/registry.hpp: the tables of one runtime: names, and the list that all() returns.
//
// One registry per runtime (Erlang's node), found from the runtime by registry::of(). Names
// and tables are spread over shards, each a reader-writer lock over two hash maps, so looking
// up a name takes one shared lock chosen by the name: there is no global lock, and operations
// through a table handle never come here at all.
//
// Renaming and removing a named table also take rename_mu_ (rare operations), so that a
// rename cannot race with the deletion of the same table and leave its new name behind.

#pragma once

#include "otter/core/atom.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace otter::detail {
class runtime_impl;
}

namespace otter::ets::detail {

class table_impl;

class registry {
public:
  /// The registry of `rt` (created on first use, never destroyed: a runtime that ends has
  /// deleted all its tables, since every table dies with its owner).
  static registry& of(otter::detail::runtime_impl& rt);

  /// Adds a new table; false when it is named and its name is taken.
  bool add(const std::shared_ptr<table_impl>& t);
  /// Removes a table (its name too). Idempotent.
  void remove(table_impl& t) noexcept;
  /// The table registered under `name`, or nullptr.
  [[nodiscard]] std::shared_ptr<table_impl> find(atom name) const;
  /// Renames `t`; false when `to` is taken by another table or `t` was deleted.
  bool rename(table_impl& t, atom to);
  [[nodiscard]] std::vector<std::shared_ptr<table_impl>> all() const;

private:
  struct shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::uint32_t, std::shared_ptr<table_impl>> names;   // guarded by mu
    std::unordered_map<std::uint64_t, std::shared_ptr<table_impl>> tables;  // guarded by mu
  };
  static constexpr std::size_t shard_count = 16;
  shard& name_shard(atom a) const noexcept;
  shard& table_shard(const table_impl& t) const noexcept;

  mutable std::array<shard, shard_count> shards_;
  std::mutex rename_mu_;
};

}  // namespace otter::ets::detail
