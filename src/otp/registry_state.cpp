// Registry state: term hashing, partitions (clear, exit watch), meta data, name resolution.
// The invariants are numbered in registry_state.hpp.

#include "otp/registry_state.hpp"

#include "otter/core/process.hpp"
#include "otter/core/term_hash.hpp"
#include "otter/detail/process_api.hpp"

#include "otp/registry_names.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace otter::registry::detail {

// -- hashing ----------------------------------------------------------------------------------

std::uint64_t hash_of(const term& t) noexcept {
  return otter::hash_term(t);
}

std::uint64_t hash_of(pid p) noexcept {
  return mix_bits(p.value() ^ 0x5851F42D4C957F2DULL);
}

std::size_t term_hash::operator()(const term& t) const noexcept {
  return static_cast<std::size_t>(otter::hash_term(t));
}

// -- partitions -------------------------------------------------------------------------------

void partition::started(pid self) {
  // Ordering: release pairs with the acquire in owner(): a registration that sees this pid
  // sees the (cleared) tables it will write to.
  last_owner_.store(self.value(), std::memory_order_relaxed);
  owner_.store(self.value(), std::memory_order_release);
}

// The partition process exited (called from its exit watch, before its links fire, so before
// the registered processes linked to it get its exit signal).
//   1. owner_ = 0: registrations that start now fail, and those under way fail at their next
//      locked step (invariant (3));
//   2. every record of this partition is taken, and its entries are removed wherever they are
//      (a unique key may live in another partition): an entry never outlives its record;
//   3. every key shard is emptied (entries of processes whose records are elsewhere; their
//      records keep the key, as Elixir's pid tables do, and find nothing when they exit).
// The exit watches armed for the records taken here stay with their processes and find
// nothing when they run.
void partition::clear() noexcept {
  // Ordering: seq_cst store, before the shard locks below; registrations re-read owner_ under
  // the same locks, whose acquire/release order them against this store.
  owner_.store(0, std::memory_order_seq_cst);
  for (pid_shard& s : pids_) {
    // The records are copied and left in place until their entries are gone: a registered
    // process that exits meanwhile still finds its record in its exit watch and removes its
    // entries itself, before its DOWN fires. (Taking the records first let that watch find
    // nothing and the DOWN fire while this loop had not yet reached its entries.)
    std::vector<std::pair<pid, std::vector<term>>> listed;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      listed.reserve(s.owners.size());
      for (const auto& [who, rec] : s.owners) {
        listed.emplace_back(who, rec.keys);
      }
    }
    for (auto& [who, keys] : listed) {
      reg_.remove_entries(who, std::move(keys));
    }
    // No record was added meanwhile: a registration checks owner_ (now 0) under this lock
    // before it adds one (invariant (3)).
    std::unordered_map<pid, owner_record> owners;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      owners.swap(s.owners);
    }
  }
  for (key_shard& s : keys_) {
    unique_table unique;
    std::unordered_map<term, std::vector<entry>, term_hash, term_equal> duplicate;
    {
      std::unique_lock<std::shared_mutex> lock(s.mu);
      unique.swap(s.unique);
      duplicate.swap(s.duplicate);
      s.entries = 0;
    }
    // The terms are destroyed here, outside the lock.
  }
}

// A registered process exited (its exit watch). By invariant (1) nothing else changes its
// record now except a clear, which removes the entries of every record before it takes the
// records: a record found here still lists entries to remove (the clear may remove them too;
// removing is idempotent), and a record not found has none left.
void partition::process_exited(pid who, const term& /*reason*/) noexcept {
  owner_record rec;
  {
    pid_shard& ps = pids_for(hash_of(who));
    std::lock_guard<std::mutex> lock(ps.mu);
    auto it = ps.owners.find(who);
    if (it == ps.owners.end()) {
      return;  // unregistered everything, or cleared with its partition
    }
    rec = std::move(it->second);
    ps.owners.erase(it);
  }
  reg_.remove_entries(who, std::move(rec.keys));
}

void registry_state::remove_entries(pid who, std::vector<term> keys) noexcept {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const term& key : keys) {
    const std::uint64_t kh = hash_of(key);
    key_shard& ks = key_partition(kh, who).keys_for(kh);
    std::vector<entry> gone;  // values destroyed outside the lock
    std::unique_lock<std::shared_mutex> lock(ks.mu);
    if (unique()) {
      // Another process may hold the key by now (it was free once `who` was dead).
      (void)ks.take_unique(key, kh, who, gone);
    } else {
      auto it = ks.duplicate.find(key);
      if (it != ks.duplicate.end()) {
        auto& v = it->second;
        auto keep = std::stable_partition(v.begin(), v.end(),
                                          [who](const entry& e) { return e.owner != who; });
        ks.entries -= static_cast<std::size_t>(v.end() - keep);
        gone.assign(std::make_move_iterator(keep), std::make_move_iterator(v.end()));
        v.erase(keep, v.end());
        if (v.empty()) {
          ks.duplicate.erase(it);
        }
      }
    }
  }
}

// -- the registry -----------------------------------------------------------------------------

registry_state::registry_state(atom name, registry::kind k, std::size_t partitions,
                               std::vector<atom> listeners,
                               const std::vector<std::pair<atom, term>>& meta)
    : name_(name), kind_(k), listeners_(std::move(listeners)) {
  parts_.reserve(partitions);
  for (std::size_t i = 0; i < partitions; ++i) {
    parts_.push_back(std::make_unique<partition>(*this, i));
  }
  for (const auto& [key, value] : meta) {
    meta_[term(key)] = value;
  }
}

partition& registry_state::key_partition(std::uint64_t key_hash, pid p) noexcept {
  if (unique()) {
    return part(partition_of(key_hash, partitions()));
  }
  return pid_partition(p);
}

std::optional<term> registry_state::meta(const term& key) const {
  std::shared_lock<std::shared_mutex> lock(meta_mu_);
  auto it = meta_.find(key);
  if (it == meta_.end()) {
    return std::nullopt;
  }
  return it->second;
}

void registry_state::put_meta(term key, term value) {
  std::unique_lock<std::shared_mutex> lock(meta_mu_);
  meta_[std::move(key)] = std::move(value);
}

void registry_state::delete_meta(const term& key) {
  std::unique_lock<std::shared_mutex> lock(meta_mu_);
  meta_.erase(key);
}

// -- resolving names --------------------------------------------------------------------------

void unknown_registry(atom name) {
  throw std::invalid_argument("unknown registry: " + term(name).to_string());
}

registry_state& resolve(const handle& reg) {
  if (const auto& s = reg.resolved()) {
    if (!s->running()) {
      unknown_registry(reg.name());
    }
    return *s;
  }
  registry_state* s = find(&otter::detail::current_runtime("registry"), reg.name());
  if (s == nullptr || !s->running()) {
    unknown_registry(reg.name());
  }
  return *s;
}

std::shared_ptr<registry_state> resolve_shared(const handle& reg) {
  if (reg.resolved()) {
    (void)resolve(reg);
    return reg.resolved();
  }
  return resolve(reg).shared_from_this();
}

}  // namespace otter::registry::detail
