// The shared state of one registry: its partitions' tables, meta data and options.
//
// Layout
//   registry_state         one per started registry (per incarnation of its supervisor)
//     partition[P]         one per partition process; lives as long as the registry_state
//       key_shard[S]       key -> entry (unique) or key -> [entry] (duplicate)
//       pid_shard[S]       pid -> owner_record: the keys a process registered here
//
// A unique key lives in partition hash(key) % P; a duplicate key's entries live in the
// partition of the registering process, hash(pid) % P (Elixir's choice: registration by
// different processes then touches different partitions). A process's owner_record lives in
// its pid's partition in both kinds, so one process has one record, one link and one exit
// watch per registry. Within a partition, the shard is chosen by other bits of the same hash.
//
// Thread roles and invariants
//   (1) Only process P adds or removes P's entries and record while P runs (register_key,
//       unregister, unregister_match, update_value act on self()). P's exit watch runs on P's
//       exit, after P's code has stopped: it never overlaps P's own operations. The only other
//       writer is a partition's clear (its process exited), on another thread.
//   (2) An entry (key, P) in a key shard is listed in P's owner_record: register_key adds the
//       key to the record before the entry, and whoever removes a record (P's exit watch, or
//       the clear of its partition) removes the entries it lists, wherever they live; the
//       clear removes them BEFORE it takes the record, so P's exit watch finding no record
//       means no entry of P is left, and no entry outlives its process's DOWN. (A record may
//       list keys whose entries are gone: cleared with another partition, as Elixir's pid
//       tables may.)
//   (3) partition::owner_ is the pid of the partition's running process, or 0 while it is
//       down. A clear stores 0 BEFORE locking the shards it empties; a registration reads the
//       owners of its record's and its key's partitions first and checks both again under
//       each shard lock it writes under. So a registration either precedes the clear of a
//       shard (and is cleared) or sees an owner changed (and fails), and never leaves an entry
//       or a record in a table whose process has gone.
//   (4) Locks: at most one shard lock is held at a time; user code (predicates, dispatch
//       functions, listeners' sends) never runs under one.
//
// Protocols with their orderings: docs/design/registry.md.

#pragma once

#include "otter/core/exit_watch.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/registry.hpp"

#include "otp/registry_table.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace otter::registry::detail {

/// A key with its hash computed already (for lookups: the shard and the map use one hash).
struct hashed_key {
  const term& key;
  std::uint64_t hash;
};

/// A hash consistent with term's exact equality (operator==); hash_of() as a size_t.
struct term_hash {
  using is_transparent = void;
  std::size_t operator()(const term& t) const noexcept;
  std::size_t operator()(const hashed_key& k) const noexcept {
    return static_cast<std::size_t>(k.hash);
  }
};
struct term_equal {
  using is_transparent = void;
  bool operator()(const term& a, const term& b) const noexcept { return a == b; }
  bool operator()(const hashed_key& a, const term& b) const noexcept { return a.key == b; }
  bool operator()(const term& a, const hashed_key& b) const noexcept { return a == b.key; }
};
[[nodiscard]] std::uint64_t hash_of(const term& t) noexcept;
[[nodiscard]] std::uint64_t hash_of(pid p) noexcept;

/// Shards per partition (a power of two).
inline constexpr std::size_t shard_count = 32;

/// The shard of a hash within a partition; the partition uses the high bits.
[[nodiscard]] inline std::size_t shard_of(std::uint64_t h) noexcept {
  return static_cast<std::size_t>(h & (shard_count - 1));
}
[[nodiscard]] inline std::size_t partition_of(std::uint64_t h, std::size_t partitions) noexcept {
  return static_cast<std::size_t>((h >> 32) % partitions);
}

/// Entries under keys, for one shard of one partition. Cache-line aligned: a writer locking
/// one shard must not disturb readers of its neighbour.
struct alignas(64) key_shard {
  mutable std::shared_mutex mu;
  // Guarded by mu. Only the table of the registry's kind is used.
  unique_table unique;
  std::unordered_map<term, std::vector<entry>, term_hash, term_equal> duplicate;
  std::size_t entries = 0;

  /// Removes the unique `key` when `owner` holds it, moving its entry to `gone`. @pre mu held
  bool take_unique(const term& key, std::uint64_t h, pid owner, std::vector<entry>& gone) {
    const entry* e = unique.find(key, h);
    if (e == nullptr || e->owner != owner) {
      return false;
    }
    gone.emplace_back();
    unique.erase(key, h, gone.back());
    --entries;
    return true;
  }
};

/// What one process registered in this registry: its keys in registration order (a duplicate
/// key once per registration).
struct owner_record {
  std::vector<term> keys;
  bool watched = false;  // an exit watch is armed for this record
};

struct alignas(64) pid_shard {
  mutable std::mutex mu;
  std::unordered_map<pid, owner_record> owners;  // guarded by mu
};

class registry_state;

/// One partition: its tables and the pid of its process. Also the exit watch of the processes
/// whose records it holds (one per process: see invariant (1)).
class partition final : public exit_watch {
public:
  partition(registry_state& reg, std::size_t index) : reg_(reg), index_(index) {}
  partition(const partition&) = delete;
  partition& operator=(const partition&) = delete;

  /// A registered process exited: removes its record and its entries.
  void process_exited(pid who, const term& reason) noexcept override;

  /// The partition's process started (it calls this in its init). @in_process
  void started(pid self);
  /// The partition's process exited: everything it held goes. Runs in its exit watch.
  void clear() noexcept;

  [[nodiscard]] std::uint64_t owner() const noexcept {
    // Ordering: acquire pairs with the release store in started(); see invariant (3).
    return owner_.load(std::memory_order_acquire);
  }
  /// The pid of the partition's latest process, also after it exited (0 before the first).
  [[nodiscard]] std::uint64_t last_owner() const noexcept {
    // Ordering: relaxed: only used to link to a process known to be gone.
    return last_owner_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  [[nodiscard]] key_shard& keys_for(std::uint64_t h) noexcept { return keys_[shard_of(h)]; }
  [[nodiscard]] pid_shard& pids_for(std::uint64_t h) noexcept { return pids_[shard_of(h)]; }
  [[nodiscard]] std::array<key_shard, shard_count>& key_shards() noexcept { return keys_; }

private:
  registry_state& reg_;
  const std::size_t index_;
  std::atomic<std::uint64_t> owner_{0};
  std::atomic<std::uint64_t> last_owner_{0};
  std::array<key_shard, shard_count> keys_;
  std::array<pid_shard, shard_count> pids_;
};

class registry_state : public std::enable_shared_from_this<registry_state> {
public:
  registry_state(atom name, registry::kind k, std::size_t partitions, std::vector<atom> listeners,
                 const std::vector<std::pair<atom, term>>& meta);
  registry_state(const registry_state&) = delete;
  registry_state& operator=(const registry_state&) = delete;

  // -- constant after construction ------------------------------------------------------------
  [[nodiscard]] atom name() const noexcept { return name_; }
  [[nodiscard]] registry::kind kind() const noexcept { return kind_; }
  [[nodiscard]] bool unique() const noexcept { return kind_ == registry::kind::unique; }
  [[nodiscard]] std::size_t partitions() const noexcept { return parts_.size(); }
  [[nodiscard]] const std::vector<atom>& listeners() const noexcept { return listeners_; }
  [[nodiscard]] partition& part(std::size_t i) noexcept { return *parts_[i]; }
  /// The partition of a key's entries (unique: by key; duplicate: by the owner `p`).
  [[nodiscard]] partition& key_partition(std::uint64_t key_hash, pid p) noexcept;
  /// The partition of `p`'s record (and link).
  [[nodiscard]] partition& pid_partition(pid p) noexcept {
    return part(partition_of(hash_of(p), partitions()));
  }
  /// Removes `who`'s entries under `keys` (from the key partitions they live in).
  void remove_entries(pid who, std::vector<term> keys) noexcept;
  /// The exit watch for processes whose record is in partition `i`: keeps this state alive.
  [[nodiscard]] std::shared_ptr<exit_watch> watch_of(std::size_t i) {
    return {shared_from_this(), parts_[i].get()};
  }

  // -- lifetime ---------------------------------------------------------------------------------
  /// False once the registry's supervisor has exited (then every function raises).
  [[nodiscard]] bool running() const noexcept {
    // Ordering: relaxed: a flag that only ever goes from true to false; an operation that
    // misses the change races with the stop, as it would in Elixir.
    return running_.load(std::memory_order_relaxed);
  }
  void stopped() noexcept { running_.store(false, std::memory_order_relaxed); }

  // -- meta -------------------------------------------------------------------------------------
  [[nodiscard]] std::optional<term> meta(const term& key) const;
  void put_meta(term key, term value);
  void delete_meta(const term& key);

private:
  const atom name_;
  const registry::kind kind_;
  const std::vector<atom> listeners_;
  std::vector<std::unique_ptr<partition>> parts_;
  std::atomic<bool> running_{true};
  mutable std::shared_mutex meta_mu_;
  std::map<term, term> meta_;  // guarded by meta_mu_
};

/// "unknown registry: Reg" (ArgumentError). @noreturn
[[noreturn]] void unknown_registry(atom name);

/// The state `reg` names, running; raises unknown_registry otherwise. The pointer is valid
/// until this thread resolves another registry name (the name cache may drop it), so callers
/// that run user code use resolve_shared(). @in_process
[[nodiscard]] registry_state& resolve(const handle& reg);
[[nodiscard]] std::shared_ptr<registry_state> resolve_shared(const handle& reg);

}  // namespace otter::registry::detail
