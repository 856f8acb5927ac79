// Registry functions (Elixir 1.14's registry.ex, function by function). The tables and their
// invariants (numbered) are in registry_state.hpp; the protocols in docs/design/registry.md.

#include "otter/otp/registry.hpp"

#include "otter/core/exit_watch.hpp"
#include "otter/core/process.hpp"
#include "otter/otp/task.hpp"

#include "otp/registry_match.hpp"
#include "otp/registry_state.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace otter::registry {

using detail::hash_of;
using detail::key_shard;
using detail::owner_record;
using detail::partition;
using detail::pid_shard;
using detail::registry_state;

namespace {

pid pid_of_value(std::uint64_t v) noexcept {
  return {static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
}

/// A registration found a partition down. Elixir links to the partition's old pid and writes
/// to its deleted table: the link fails with :noproc (a trapping caller gets {:EXIT, old,
/// :noproc} instead), then the write raises :badarg.
[[noreturn]] void partition_down(partition& p) {
  if (const std::uint64_t last = p.last_owner(); last != 0) {
    otter::link(pid_of_value(last));
  }
  otter::error(atoms::badarg);
}

/// A partition went down while a registration was under way: the caller is linked to its old
/// process already (and got :noproc, or {:EXIT, old, _}); the write to its table fails.
[[noreturn]] void partition_went_down() {
  otter::error(atoms::badarg);
}

/// Removes every occurrence of `key` from `p`'s record in `part`; when the record is left
/// empty it is dropped, and so are the exit watch and the link (Elixir's
/// unlink_if_unregistered). @pre p == self()
void drop_key_from_record(partition& part, pid p, const term& key, std::size_t keep_count = 0) {
  bool emptied = false;
  bool was_watched = false;
  {
    pid_shard& ps = part.pids_for(hash_of(p));
    std::lock_guard<std::mutex> lock(ps.mu);
    auto it = ps.owners.find(p);
    if (it != ps.owners.end()) {
      auto& ks = it->second.keys;
      ks.erase(std::remove(ks.begin(), ks.end(), key), ks.end());
      // unregister_match moves the remaining registrations of the key to the end, as Elixir
      // re-inserts them in its pid table.
      ks.insert(ks.end(), keep_count, key);
      if (ks.empty()) {
        was_watched = it->second.watched;
        ps.owners.erase(it);
        emptied = true;
      }
    } else {
      emptied = true;
    }
  }
  if (!emptied) {
    return;
  }
  if (was_watched) {
    unwatch_exit(p, &part);
  }
  if (const std::uint64_t o = part.owner(); o != 0) {
    otter::unlink(pid_of_value(o));
  }
}

void tell_listeners(const registry_state& s, const term& event) {
  for (atom l : s.listeners()) {
    otter::send(l, event);  // an unregistered listener raises :badarg, as Kernel.send/2
  }
}

/// Copies the entries under `key` in one partition's shard.
void copy_entries(const registry_state& s, partition& part, const term& key, std::uint64_t kh,
                  std::vector<entry>& out) {
  const key_shard& ks = part.keys_for(kh);
  const detail::hashed_key hk{key, kh};  // the hash is computed once per call
  std::shared_lock<std::shared_mutex> lock(ks.mu);
  if (s.unique()) {
    if (const entry* e = ks.unique.find(key, kh)) {
      out.push_back(*e);
    }
  } else {
    auto it = ks.duplicate.find(hk);
    if (it != ks.duplicate.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
}

std::vector<entry> lookup_in(registry_state& s, const term& key) {
  std::vector<entry> out;
  const std::uint64_t kh = hash_of(key);
  if (s.unique()) {
    copy_entries(s, s.part(detail::partition_of(kh, s.partitions())), key, kh, out);
  } else {
    for (std::size_t i = 0; i < s.partitions(); ++i) {
      copy_entries(s, s.part(i), key, kh, out);
    }
  }
  return out;
}

/// A matcher for a value: the pattern and guards of Registry.match, whose `:"$_"` is the
/// stored object {key, {pid, value}}.
bool matches(const term& key, const entry& e, const term& pattern,
             const std::vector<term>& guards) {
  detail::bindings b;
  if (!detail::match_pattern(pattern, e.value, b)) {
    return false;
  }
  if (guards.empty()) {
    return true;
  }
  return detail::guards_hold(guards, b, tuple(key, tuple(e.owner, e.value)));
}

/// unregister_match's core: removes the caller's entries under `key` for which `decide`
/// says so, then updates the record and tells the listeners as Elixir 1.14 does.
void unregister_where(registry_state& s, const term& key,
                      const std::function<bool(const entry&)>& decide) {
  const pid me = self();
  const std::uint64_t kh = hash_of(key);
  partition& pp = s.pid_partition(me);
  key_shard& ks = s.key_partition(kh, me).keys_for(kh);
  // 1. The caller's entries, copied: `decide` may be user code, which never runs under a
  //    lock (invariant (4)). Only the caller changes them (invariant (1)).
  std::vector<entry> mine;
  {
    std::shared_lock<std::shared_mutex> lock(ks.mu);
    if (s.unique()) {
      const entry* e = ks.unique.find(key, kh);
      if (e != nullptr && e->owner == me) {
        mine.push_back(*e);
      }
    } else if (auto it = ks.duplicate.find(key); it != ks.duplicate.end()) {
      for (const entry& e : it->second) {
        if (e.owner == me) {
          mine.push_back(e);
        }
      }
    }
  }
  std::vector<bool> remove(mine.size());
  std::size_t deleted = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    remove[i] = decide(mine[i]);
    deleted += remove[i] ? 1 : 0;
  }
  const std::size_t total = mine.size();
  // 2. Remove the chosen ones, walking the caller's entries in the same order.
  if (deleted > 0) {
    std::vector<entry> gone;
    std::unique_lock<std::shared_mutex> lock(ks.mu);
    if (s.unique()) {
      (void)ks.take_unique(key, kh, me, gone);
    } else if (auto it = ks.duplicate.find(key); it != ks.duplicate.end()) {
      std::vector<entry>& v = it->second;
      std::size_t i = 0;
      auto keep = std::stable_partition(v.begin(), v.end(), [&](const entry& e) {
        if (e.owner != me) {
          return true;
        }
        return i >= remove.size() || !remove[i++];
      });
      ks.entries -= static_cast<std::size_t>(v.end() - keep);
      gone.assign(std::make_move_iterator(keep), std::make_move_iterator(v.end()));
      v.erase(keep, v.end());
      if (v.empty()) {
        ks.duplicate.erase(it);
      }
    }
  }
  // 3. Elixir: all of them (also none of none) -> the key leaves the pid table, the link may
  //    go, listeners are told; some -> the remaining ones move to the end; none -> nothing.
  if (deleted == total) {
    drop_key_from_record(pp, me, key);
    tell_listeners(s, tuple(atom("unregister"), s.name(), key, me));
  } else if (deleted > 0) {
    drop_key_from_record(pp, me, key, total - deleted);
  }
}

/// Parses a Registry.select specification: `[{{k, p, v}, guards, body}]` into clauses over
/// the stored object `{k, {p, v}}` (Elixir's group_match_headers).
std::vector<detail::spec_clause> parse_spec(const term& spec, const char* function) {
  auto invalid = [&]() {
    throw std::invalid_argument(std::string("invalid match specification in Registry.") + function
                                + ": " + spec.to_string());
  };
  if (!spec.is_list()) {
    invalid();
  }
  std::vector<detail::spec_clause> out;
  for (const term& c : spec.elements()) {
    if (!c.is_tuple() || c.size() != 3 || !c[0].is_tuple() || c[0].size() != 3 || !c[1].is_list()
        || !c[2].is_list()) {
      invalid();
    }
    const term& head = c[0];
    detail::spec_clause clause;
    clause.pattern = tuple(head[0], tuple(head[1], head[2]));
    clause.guards.assign(c[1].elements().begin(), c[1].elements().end());
    clause.body.assign(c[2].elements().begin(), c[2].elements().end());
    out.push_back(std::move(clause));
  }
  return out;
}

/// Runs `spec` over every stored object, partition by partition; `f` gets each result.
template <class F>
void for_each_selected(registry_state& s, const std::vector<detail::spec_clause>& spec, F f) {
  for (std::size_t i = 0; i < s.partitions(); ++i) {
    for (key_shard& ks : s.part(i).key_shards()) {
      std::vector<term> results;
      {
        std::shared_lock<std::shared_mutex> lock(ks.mu);
        auto run = [&](const term& key, const entry& e) {
          if (auto r = detail::run_spec(spec, tuple(key, tuple(e.owner, e.value)))) {
            results.push_back(std::move(*r));
          }
        };
        if (s.unique()) {
          ks.unique.for_each(run);
        } else {
          for (const auto& [key, v] : ks.duplicate) {
            for (const entry& e : v) {
              run(key, e);
            }
          }
        }
      }
      for (term& r : results) {
        f(std::move(r));
      }
    }
  }
}

/// The entries of one partition under `key`, for dispatch.
std::vector<entry> partition_entries(registry_state& s, std::size_t i, const term& key) {
  std::vector<entry> out;
  copy_entries(s, s.part(i), key, hash_of(key), out);
  return out;
}

}  // namespace

// -- printing -----------------------------------------------------------------------------------

term to_term(const register_result& r) {
  if (r) {
    return tuple(atoms::ok, *r);
  }
  return tuple(atoms::error, r.error().to_term());
}

term to_term(const std::vector<entry>& entries) {
  std::vector<term> out;
  out.reserve(entries.size());
  for (const entry& e : entries) {
    out.push_back(e.to_term());
  }
  return term::list(std::move(out));
}

handle find(atom name) {
  handle h(name);
  h.state_ = detail::resolve_shared(h);
  return h;
}

// -- registering --------------------------------------------------------------------------------

// Registration (Elixir's register/3 and register_key/4), by the calling process P:
//   1. read the owners of P's partition (record, link) and of the key's partition;
//   2. link to P's partition (Elixir links first too);
//   3. add the key to P's record, arming P's exit watch with the first key (invariant (1):
//      one watch per (registry, process)), checking the partition's owner under the lock;
//   4. insert the entry, checking the key partition's owner under the lock. A unique key held
//      by a live process (P included) is an error, then step 3 is undone; held by a dead one
//      (its exit has not run its watch yet) it is taken over;
//   5. tell the listeners.
register_result register_key(const handle& reg, term key, term value) {
  registry_state& s = detail::resolve(reg);
  const pid me = self();
  const std::uint64_t kh = hash_of(key);
  partition& pp = s.pid_partition(me);
  partition& kp = s.key_partition(kh, me);
  const std::uint64_t p_owner = pp.owner();
  const std::uint64_t k_owner = kp.owner();
  if (p_owner == 0) {
    partition_down(pp);
  }
  if (k_owner == 0) {
    partition_down(kp);
  }
  const pid partition_pid = pid_of_value(p_owner);
  otter::link(partition_pid);

  bool arm_watch = false;
  {
    pid_shard& ps = pp.pids_for(hash_of(me));
    std::lock_guard<std::mutex> lock(ps.mu);
    if (pp.owner() != p_owner) {  // invariant (3): the partition went down since step 1
      partition_went_down();
    }
    owner_record& rec = ps.owners[me];
    rec.keys.push_back(key);
    arm_watch = !rec.watched;
    rec.watched = true;
  }
  if (arm_watch) {
    // Cannot fail: the caller is alive.
    (void)watch_exit(me, s.watch_of(pp.index()));
  }

  std::optional<pid> taken;
  bool gone = false;
  {
    key_shard& ks = kp.keys_for(kh);
    std::unique_lock<std::shared_mutex> lock(ks.mu);
    // Invariant (3), for both partitions: a clear of the record's partition that took the
    // record before this insert must not leave the entry behind.
    if (kp.owner() != k_owner || pp.owner() != p_owner) {
      gone = true;
    } else if (s.unique()) {
      auto [e, inserted] = ks.unique.insert(key, kh, entry{me, value});
      if (inserted) {
        ++ks.entries;
      } else if (e->owner == me || otter::alive(e->owner)) {
        taken = e->owner;
      } else {
        *e = entry{me, value};  // the owner is dead: its watch will leave this alone
      }
    } else {
      ks.duplicate[key].push_back(entry{me, value});
      ++ks.entries;
    }
  }
  if (taken || gone) {
    // Undo step 3: drop the occurrence added there (the last one).
    bool emptied = false;
    {
      pid_shard& ps = pp.pids_for(hash_of(me));
      std::lock_guard<std::mutex> lock(ps.mu);
      auto it = ps.owners.find(me);
      if (it != ps.owners.end()) {
        auto& ks = it->second.keys;
        auto last = std::find(ks.rbegin(), ks.rend(), key);
        if (last != ks.rend()) {
          ks.erase(std::next(last).base());
        }
        if (ks.empty()) {
          ps.owners.erase(it);
          emptied = true;
        }
      }
    }
    if (emptied) {
      unwatch_exit(me, &pp);
      otter::unlink(partition_pid);
    }
    if (gone) {
      partition_went_down();
    }
    return unexpected(already_registered{*taken});
  }
  tell_listeners(s, tuple(atom("register"), s.name(), key, me, value));
  return partition_pid;
}

atom unregister(const handle& reg, const term& key) {
  registry_state& s = detail::resolve(reg);
  const pid me = self();
  const std::uint64_t kh = hash_of(key);
  {
    key_shard& ks = s.key_partition(kh, me).keys_for(kh);
    std::vector<entry> gone;  // destroyed outside the lock
    std::unique_lock<std::shared_mutex> lock(ks.mu);
    if (s.unique()) {
      (void)ks.take_unique(key, kh, me, gone);
    } else if (auto it = ks.duplicate.find(key); it != ks.duplicate.end()) {
      auto& v = it->second;
      auto keep =
          std::stable_partition(v.begin(), v.end(), [me](const entry& e) { return e.owner != me; });
      ks.entries -= static_cast<std::size_t>(v.end() - keep);
      gone.assign(std::make_move_iterator(keep), std::make_move_iterator(v.end()));
      v.erase(keep, v.end());
      if (v.empty()) {
        ks.duplicate.erase(it);
      }
    }
  }
  drop_key_from_record(s.pid_partition(me), me, key);
  tell_listeners(s, tuple(atom("unregister"), s.name(), key, me));
  return atoms::ok;
}

atom unregister_match(const handle& reg, const term& key, const term& pattern,
                      const std::vector<term>& guards) {
  registry_state& s = detail::resolve(reg);
  unregister_where(s, key, [&](const entry& e) { return matches(key, e, pattern, guards); });
  return atoms::ok;
}

atom unregister_match(const handle& reg, const term& key,
                      const std::function<bool(const term& value)>& pred) {
  std::shared_ptr<registry_state> s = detail::resolve_shared(reg);  // pred is user code
  unregister_where(*s, key, [&](const entry& e) { return pred(e.value); });
  return atoms::ok;
}

std::optional<std::pair<term, term>> update_value(const handle& reg, const term& key,
                                                  const std::function<term(const term&)>& f) {
  std::shared_ptr<registry_state> s = detail::resolve_shared(reg);  // f is user code
  if (!s->unique()) {
    throw std::invalid_argument(
        "Registry.update_value/3 is not supported for duplicate registries");
  }
  const pid me = self();
  const std::uint64_t kh = hash_of(key);
  key_shard& ks = s->key_partition(kh, me).keys_for(kh);
  term old;
  {
    std::shared_lock<std::shared_mutex> lock(ks.mu);
    const entry* e = ks.unique.find(key, kh);
    if (e == nullptr || e->owner != me) {
      return std::nullopt;
    }
    old = e->value;
  }
  term updated = f(old);    // outside the lock (invariant (4)); only the caller changes its entry
  term replaced = updated;  // the stored value it replaces is destroyed outside the lock
  {
    std::unique_lock<std::shared_mutex> lock(ks.mu);
    entry* e = ks.unique.find(key, kh);
    if (e != nullptr && e->owner == me) {
      std::swap(e->value, replaced);
    }
  }
  return std::pair<term, term>(std::move(updated), std::move(old));
}

// -- reading ------------------------------------------------------------------------------------

std::vector<entry> lookup(const handle& reg, const term& key) {
  return lookup_in(detail::resolve(reg), key);
}

std::vector<entry> match(const handle& reg, const term& key, const term& pattern,
                         const std::vector<term>& guards) {
  std::vector<entry> found = lookup_in(detail::resolve(reg), key);
  std::erase_if(found, [&](const entry& e) { return !matches(key, e, pattern, guards); });
  return found;
}

std::vector<entry> match(const handle& reg, const term& key,
                         const std::function<bool(const term& value)>& pred) {
  std::vector<entry> found = lookup_in(*detail::resolve_shared(reg), key);
  std::erase_if(found, [&](const entry& e) { return !pred(e.value); });
  return found;
}

std::int64_t count_match(const handle& reg, const term& key, const term& pattern,
                         const std::vector<term>& guards) {
  return static_cast<std::int64_t>(match(reg, key, pattern, guards).size());
}

std::int64_t count_match(const handle& reg, const term& key,
                         const std::function<bool(const term& value)>& pred) {
  return static_cast<std::int64_t>(match(reg, key, pred).size());
}

std::int64_t count(const handle& reg) {
  registry_state& s = detail::resolve(reg);
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.partitions(); ++i) {
    for (const key_shard& ks : s.part(i).key_shards()) {
      std::shared_lock<std::shared_mutex> lock(ks.mu);
      n += ks.entries;
    }
  }
  return static_cast<std::int64_t>(n);
}

std::vector<term> keys(const handle& reg, pid p) {
  registry_state& s = detail::resolve(reg);
  std::vector<term> out;
  {
    pid_shard& ps = s.pid_partition(p).pids_for(hash_of(p));
    std::lock_guard<std::mutex> lock(ps.mu);
    auto it = ps.owners.find(p);
    if (it != ps.owners.end()) {
      out.assign(it->second.keys.rbegin(), it->second.keys.rend());  // newest first
    }
  }
  if (s.unique()) {
    // Enum.uniq: the first occurrence stays.
    std::vector<term> seen;
    std::erase_if(out, [&](const term& k) {
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
        return true;
      }
      seen.push_back(k);
      return false;
    });
  }
  return out;
}

std::vector<term> values(const handle& reg, const term& key, pid p) {
  registry_state& s = detail::resolve(reg);
  std::vector<entry> found;
  const std::uint64_t kh = hash_of(key);
  copy_entries(s, s.key_partition(kh, p), key, kh, found);
  std::vector<term> out;
  for (entry& e : found) {
    if (e.owner == p) {
      out.push_back(std::move(e.value));
    }
  }
  return out;
}

std::vector<term> select(const handle& reg, const term& spec) {
  std::vector<detail::spec_clause> clauses = parse_spec(spec, "select/2");
  registry_state& s = detail::resolve(reg);
  std::vector<term> out;
  for_each_selected(s, clauses, [&](term r) { out.push_back(std::move(r)); });
  return out;
}

std::int64_t count_select(const handle& reg, const term& spec) {
  std::vector<detail::spec_clause> clauses = parse_spec(spec, "count_select/2");
  registry_state& s = detail::resolve(reg);
  std::int64_t n = 0;
  for_each_selected(s, clauses, [&](const term& r) { n += r.is(atoms::true_) ? 1 : 0; });
  return n;
}

// -- dispatching ----------------------------------------------------------------------------------

atom dispatch(const handle& reg, const term& key,
              const std::function<void(const std::vector<entry>&)>& f) {
  std::shared_ptr<registry_state> s = detail::resolve_shared(reg);  // f is user code
  if (s->unique() || s->partitions() == 1) {
    std::vector<entry> found = lookup_in(*s, key);
    if (!found.empty()) {
      f(found);
    }
    return atoms::ok;
  }
  // Elixir's dispatch_serial: from the last partition to the first.
  for (std::size_t i = s->partitions(); i-- > 0;) {
    std::vector<entry> found = partition_entries(*s, i, key);
    if (!found.empty()) {
      f(found);
    }
  }
  return atoms::ok;
}

co<atom> dispatch_parallel(const handle& reg, term key,
                           std::function<void(const std::vector<entry>&)> f) {
  std::shared_ptr<registry_state> s = detail::resolve_shared(reg);
  if (s->unique() || s->partitions() == 1) {
    co_return dispatch(reg, key, f);
  }
  // Elixir's dispatch_parallel: a task per partition, from the last to the first, each
  // unlinking from the caller when done; then every task is awaited in that order.
  const pid parent = self();
  std::vector<task<atom>> tasks;
  for (std::size_t i = s->partitions(); i-- > 0;) {
    auto work = [s, key, f, i, parent]() {
      std::vector<entry> found = partition_entries(*s, i, key);
      if (!found.empty()) {
        f(found);
      }
      otter::unlink(parent);
      return atoms::ok;
    };
    tasks.push_back(async(std::move(work)));
  }
  for (task<atom>& t : tasks) {
    (void)co_await await(std::move(t), infinity);
  }
  co_return atoms::ok;
}

// -- meta -----------------------------------------------------------------------------------------

namespace {
void check_meta_key(const term& key) {
  if (!key.is_atom() && !key.is_tuple()) {
    throw std::invalid_argument("a Registry meta key is an atom or a tuple, got: "
                                + key.to_string());
  }
}
}  // namespace

std::optional<term> meta(const handle& reg, const term& key) {
  check_meta_key(key);
  return detail::resolve(reg).meta(key);
}

atom put_meta(const handle& reg, term key, term value) {
  check_meta_key(key);
  detail::resolve(reg).put_meta(std::move(key), std::move(value));
  return atoms::ok;
}

atom delete_meta(const handle& reg, const term& key) {
  check_meta_key(key);
  detail::resolve(reg).delete_meta(key);
  return atoms::ok;
}

// -- sending
// ----------------------------------------------------------------------------------------

pid detail::send_target(const handle& reg, const term& key) {
  std::vector<entry> found = lookup_in(detail::resolve(reg), key);
  if (found.size() == 1) {
    return found[0].owner;
  }
  if (found.empty()) {
    otter::error(atoms::badarg);
  }
  // Elixir's `case lookup(...) do [{pid, _}] -> ...; [] -> ... end` has no clause for more.
  otter::error(tuple(atom("case_clause"), to_term(found)));
}

}  // namespace otter::registry
