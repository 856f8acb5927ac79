// The per-runtime table registry (registry.hpp).

#include "ets/registry.hpp"

#include "ets/table_impl.hpp"

namespace otter::ets::detail {

namespace {

// The registries of every runtime ever used, by address. Never freed, so a cached pointer
// never dangles; a runtime created later at the same address finds an empty registry (all
// tables of the old one were deleted as its processes exited).
struct directory {
  std::mutex mu;
  std::unordered_map<const otter::detail::runtime_impl*, std::unique_ptr<registry>> map;
};

directory& dir() {
  static auto* d = new directory();  // never destroyed: threads may outlive static destructors
  return *d;
}

}  // namespace

registry& registry::of(otter::detail::runtime_impl& rt) {
  // The last registry this thread used: every scheduler thread runs one runtime.
  thread_local const otter::detail::runtime_impl* cached_rt = nullptr;
  thread_local registry* cached = nullptr;
  if (cached_rt == &rt) {
    return *cached;
  }
  directory& d = dir();
  std::lock_guard<std::mutex> lock(d.mu);
  auto& slot = d.map[&rt];
  if (!slot) {
    slot = std::make_unique<registry>();
  }
  cached_rt = &rt;
  cached = slot.get();
  return *cached;
}

registry::shard& registry::name_shard(atom a) const noexcept {
  return shards_[a.index() % shard_count];
}

registry::shard& registry::table_shard(const table_impl& t) const noexcept {
  return shards_[t.id.id() % shard_count];
}

bool registry::add(const std::shared_ptr<table_impl>& t) {
  if (t->named) {
    shard& s = name_shard(t->name());
    std::unique_lock lock(s.mu);
    if (!s.names.try_emplace(t->name().index(), t).second) {
      return false;
    }
  }
  shard& s = table_shard(*t);
  std::unique_lock lock(s.mu);
  s.tables.emplace(t->id.id(), t);
  return true;
}

void registry::remove(table_impl& t) noexcept {
  if (t.named) {
    std::lock_guard<std::mutex> rename_lock(rename_mu_);
    shard& s = name_shard(t.name());
    std::unique_lock lock(s.mu);
    auto it = s.names.find(t.name().index());
    if (it != s.names.end() && it->second.get() == &t) {
      s.names.erase(it);
    }
  }
  std::shared_ptr<table_impl> dropped;  // released outside the lock
  shard& s = table_shard(t);
  std::unique_lock lock(s.mu);
  auto it = s.tables.find(t.id.id());
  if (it != s.tables.end()) {
    dropped = std::move(it->second);
    s.tables.erase(it);
  }
}

std::shared_ptr<table_impl> registry::find(atom name) const {
  shard& s = name_shard(name);
  std::shared_lock lock(s.mu);
  auto it = s.names.find(name.index());
  return it != s.names.end() ? it->second : nullptr;
}

bool registry::rename(table_impl& t, atom to) {
  std::lock_guard<std::mutex> rename_lock(rename_mu_);
  if (t.deleted()) {
    return false;
  }
  const atom from = t.name();
  if (!t.named) {
    t.set_name(to);
    return true;
  }
  if (from == to) {
    return true;
  }
  shard& a = name_shard(from);
  shard& b = name_shard(to);
  // Two shards: lock them in address order.
  std::unique_lock<std::shared_mutex> first(&a < &b ? a.mu : b.mu);
  std::unique_lock<std::shared_mutex> second;
  if (&a != &b) {
    second = std::unique_lock<std::shared_mutex>(&a < &b ? b.mu : a.mu);
  }
  if (b.names.contains(to.index())) {
    return false;
  }
  auto it = a.names.find(from.index());
  if (it == a.names.end() || it->second.get() != &t) {
    return false;
  }
  std::shared_ptr<table_impl> held = std::move(it->second);
  a.names.erase(it);
  b.names.emplace(to.index(), std::move(held));
  t.set_name(to);
  return true;
}

std::vector<std::shared_ptr<table_impl>> registry::all() const {
  std::vector<std::shared_ptr<table_impl>> out;
  for (const shard& s : shards_) {
    std::shared_lock lock(s.mu);
    for (const auto& [id, t] : s.tables) {
      out.push_back(t);
    }
  }
  return out;
}

}  // namespace otter::ets::detail
