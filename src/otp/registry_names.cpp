// Registry names: the global table and the per-thread caches (registry_names.hpp).
//
// Protocol
//   1. publish/unpublish change the table under mu, then bump `version` (release).
//   2. find() loads `version` (acquire). When it equals the version its cache was filled at,
//      a cached entry is the table's current entry: the table has not changed since. Otherwise
//      it drops the cache, reads the table under mu together with the version, and caches the
//      entry found.
//   A cache entry filled at version v holds a shared_ptr, so the state stays alive however
//   the table changes; the version check only decides whether it is still the current one.
//   A change that happens between the version load and the use of the entry races with the
//   operation, exactly as a registry stopping during an Elixir call does.

#include "otp/registry_names.hpp"

#include "otp/registry_state.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace otter::registry::detail {

namespace {

using runtime_key = const otter::detail::runtime_impl*;

struct table {
  std::mutex mu;
  std::map<std::pair<runtime_key, std::uint32_t>, std::shared_ptr<registry_state>> names;
  std::atomic<std::uint64_t> version{1};
};

table& names() {
  static table* t = new table;  // never destroyed: threads may look names up during exit
  return *t;
}

struct cached {
  runtime_key rt;
  atom name;
  std::shared_ptr<registry_state> state;
};

struct cache {
  std::uint64_t version = 0;
  std::vector<cached> entries;
};

// A handful of registries per thread is the common case; more just refill the cache.
constexpr std::size_t cache_limit = 16;

cache& my_cache() {
  thread_local cache c;
  return c;
}

void changed(table& t) {
  // Ordering: release pairs with the acquire in find(): a thread that sees the new version
  // also sees the change (it reads the table under mu anyway).
  t.version.fetch_add(1, std::memory_order_release);
}

}  // namespace

void publish(runtime_key rt, atom name, std::shared_ptr<registry_state> state) {
  table& t = names();
  {
    std::lock_guard<std::mutex> lock(t.mu);
    t.names[{rt, name.index()}] = std::move(state);
  }
  changed(t);
}

void unpublish(runtime_key rt, atom name, const registry_state* state) noexcept {
  table& t = names();
  std::shared_ptr<registry_state> dropped;  // released outside the lock
  {
    std::lock_guard<std::mutex> lock(t.mu);
    auto it = t.names.find({rt, name.index()});
    if (it == t.names.end() || it->second.get() != state) {
      return;  // a newer registry of the same name was published first
    }
    dropped = std::move(it->second);
    t.names.erase(it);
  }
  changed(t);
}

registry_state* find(runtime_key rt, atom name) {
  table& t = names();
  cache& c = my_cache();
  // Ordering: acquire pairs with the release in changed().
  const std::uint64_t v = t.version.load(std::memory_order_acquire);
  if (v == c.version) {
    for (const cached& e : c.entries) {
      if (e.rt == rt && e.name == name) {
        return e.state.get();
      }
    }
  } else {
    c.entries.clear();
  }
  std::shared_ptr<registry_state> found;
  {
    std::lock_guard<std::mutex> lock(t.mu);
    // Read under mu: the version and the table agree (changes bump it after unlocking, so a
    // version read here is at most one change old, which only makes the next find refill).
    c.version = t.version.load(std::memory_order_relaxed);
    auto it = t.names.find({rt, name.index()});
    if (it != t.names.end()) {
      found = it->second;
    }
  }
  if (c.version != v) {
    c.entries.clear();
  }
  if (c.entries.size() >= cache_limit) {
    c.entries.erase(c.entries.begin());
  }
  // Misses are cached too (a null state): repeated calls on a stopped name stay cheap.
  c.entries.push_back(cached{rt, name, found});
  return c.entries.back().state.get();
}

std::shared_ptr<registry_state> find_shared(runtime_key rt, atom name) {
  registry_state* s = find(rt, name);
  return s != nullptr ? s->shared_from_this() : nullptr;
}

}  // namespace otter::registry::detail
