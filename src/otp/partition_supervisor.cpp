// PartitionSupervisor: the partitions' pid table, the table of names, routing, start_link.
//
// Name table protocol (the registry's, registry_names.cpp):
//   1. publish/unpublish change `names` under mu, then bump `version` (release).
//   2. find() loads `version` (acquire); when it equals the version its per-thread cache was
//      filled at, a cached entry is current (the table has not changed since). Otherwise it
//      drops the cache and reads the table under mu.
// Cached entries hold a shared_ptr, so a table stays alive while a thread may use it.

#include "otter/otp/partition_supervisor.hpp"

#include "otter/core/exit_watch.hpp"
#include "otter/core/process.hpp"
#include "otter/core/term_hash.hpp"
#include "otter/detail/process_api.hpp"

#include <atomic>
#include <bit>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace otter::partition_supervisor {

namespace {

const atom& module_atom() {
  static const atom m("Elixir.PartitionSupervisor");
  return m;
}

/// The running partition supervisor's table: partition -> pid of its current start.
class partition_table {
public:
  explicit partition_table(std::int64_t n) : pids_(static_cast<std::size_t>(n)) {}
  [[nodiscard]] std::int64_t partitions() const noexcept {
    return static_cast<std::int64_t>(pids_.size());
  }
  void set(std::int64_t partition, pid p) noexcept {
    // Ordering: release pairs with the acquire in get(); the pid is a plain value, so this
    // only orders the write after the start that produced it.
    pids_[static_cast<std::size_t>(partition)].store(p.value(), std::memory_order_release);
  }
  [[nodiscard]] pid get(std::int64_t partition) const noexcept {
    const std::uint64_t v =
        pids_[static_cast<std::size_t>(partition)].load(std::memory_order_acquire);
    return {static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
  }

private:
  std::vector<std::atomic<std::uint64_t>> pids_;
};

using runtime_key = const otter::detail::runtime_impl*;
using table_ptr = std::shared_ptr<partition_table>;

struct name_table {
  std::mutex mu;
  std::map<std::pair<runtime_key, term>, table_ptr> names;
  std::atomic<std::uint64_t> version{1};
};

name_table& names() {
  static auto* t = new name_table;  // never destroyed: threads may look names up during exit
  return *t;
}

struct cache {
  std::uint64_t version = 0;
  std::vector<std::pair<std::pair<runtime_key, term>, table_ptr>> entries;
};

constexpr std::size_t cache_limit = 16;

cache& my_cache() {
  thread_local cache c;
  return c;
}

void publish(runtime_key rt, const term& name, table_ptr t) {
  name_table& n = names();
  {
    std::lock_guard<std::mutex> lock(n.mu);
    n.names[{rt, name}] = std::move(t);
  }
  // Ordering: release pairs with the acquire in find().
  n.version.fetch_add(1, std::memory_order_release);
}

void unpublish(runtime_key rt, const term& name, const partition_table* t) noexcept {
  name_table& n = names();
  table_ptr dropped;  // released outside the lock
  {
    std::lock_guard<std::mutex> lock(n.mu);
    auto it = n.names.find({rt, name});
    if (it == n.names.end() || it->second.get() != t) {
      return;  // a newer supervisor of the same name was published first
    }
    dropped = std::move(it->second);
    n.names.erase(it);
  }
  n.version.fetch_add(1, std::memory_order_release);
}

/// The table `name` stands for in the calling runtime; throws when there is none.
table_ptr find(const term& name) {
  const runtime_key rt = &otter::detail::current_runtime("PartitionSupervisor");
  name_table& n = names();
  cache& c = my_cache();
  // Ordering: acquire pairs with the release in publish/unpublish.
  const std::uint64_t v = n.version.load(std::memory_order_acquire);
  if (v == c.version) {
    for (const auto& [key, t] : c.entries) {
      if (key.first == rt && key.second == name) {
        return t;
      }
    }
  } else {
    c.entries.clear();
  }
  table_ptr found;
  std::uint64_t seen = 0;
  {
    std::lock_guard<std::mutex> lock(n.mu);
    seen = n.version.load(std::memory_order_relaxed);
    auto it = n.names.find({rt, name});
    if (it != n.names.end()) {
      found = it->second;
    }
  }
  if (seen != c.version) {
    c.entries.clear();
    c.version = seen;
  }
  if (!found) {
    throw std::invalid_argument("could not find PartitionSupervisor " + name.to_string());
  }
  if (c.entries.size() >= cache_limit) {
    c.entries.clear();
  }
  c.entries.emplace_back(std::make_pair(rt, name), found);
  return found;
}

/// The supervisor has exited: its name no longer routes.
class supervisor_down final : public exit_watch {
public:
  supervisor_down(runtime_key rt, term name, table_ptr t)
      : rt_(rt), name_(std::move(name)), table_(std::move(t)) {}
  void process_exited(pid /*who*/, const term& /*reason*/) noexcept override {
    unpublish(rt_, name_, table_.get());
  }

private:
  runtime_key rt_;
  term name_;
  table_ptr table_;
};

// -- {:via, PartitionSupervisor, {name, key}} -------------------------------------------------

class via_registry final : public name_registry {
public:
  bool register_name(const term& /*name*/, pid /*p*/) override {
    throw std::invalid_argument("{:via, PartitionSupervisor, _} cannot be given on registration");
  }
  void unregister_name(const term& /*name*/) override {
    throw std::invalid_argument("{:via, PartitionSupervisor, _} cannot be given on registration");
  }
  pid whereis_name(const term& name) override {
    if (!name.is_tuple() || name.size() != 2) {
      throw std::invalid_argument("a PartitionSupervisor via name is {name, key}, got: "
                                  + name.to_string());
    }
    table_ptr t = find(name[0]);
    return t->get(partition_of(name[1], t->partitions()));
  }
  [[nodiscard]] term module() const override { return term(module_atom()); }
};

// -- starting ---------------------------------------------------------------------------------

/// One partition's start: the spec's start with its arguments for `partition`, recording the
/// pid. A free coroutine: its frame owns copies of everything it uses.
co<start_result> start_partition(start_fn start, with_arguments_fn with, table_ptr table,
                                 std::int64_t partition, std::vector<term> args) {
  if (with) {
    args = with(std::move(args), partition);
  }
  start_result r = co_await start(args);
  if (r) {
    table->set(partition, *r);
  }
  co_return r;
}

void check(const child_spec& /*spec*/, const options& opts) {
  if (!opts.name) {
    throw std::invalid_argument("the :name option must be given to PartitionSupervisor");
  }
  if (opts.partitions && *opts.partitions <= 0) {
    throw std::invalid_argument("the :partitions option must be a positive integer, got: "
                                + std::to_string(*opts.partitions));
  }
}

std::int64_t partitions_of(const options& opts) {
  if (opts.partitions) {
    return *opts.partitions;
  }
  return static_cast<std::int64_t>(schedulers_online());
}

child_spec partition_spec(const child_spec& spec, const options& opts, const table_ptr& table,
                          std::int64_t partition) {
  child_spec p = spec;
  p.id = term(partition);
  p.modules = spec.modules_term();  // kept: the rewritten mfa below is not the child's module
  if (spec.mfa.is_tuple() && spec.mfa.size() == 3) {
    p.mfa = tuple(module_atom(), atom("start_child"),
                  list(spec.mfa[0], spec.mfa[1], spec.mfa[2], opts.name->to_term(), partition));
  }
  p.start = [start = spec.start, with = opts.with_arguments, table,
             partition](const std::vector<term>& args) {
    return start_partition(start, with, table, partition, args);
  };
  return p;
}

}  // namespace

std::int64_t partition_of(const term& key, std::int64_t partitions) {
  if (key.is_integer()) {
    const std::int64_t k = key.as_int();
    // rem(abs(key), n) without overflowing on INT64_MIN.
    const std::uint64_t mag =
        k < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(k) : static_cast<std::uint64_t>(k);
    return static_cast<std::int64_t>(mag % static_cast<std::uint64_t>(partitions));
  }
  // :erlang.phash2(key, partitions), whose range is at most 2^32 (badarg beyond).
  constexpr std::int64_t max_range = std::int64_t{1} << 32;
  if (partitions == max_range) {
    return phash2_32(key);
  }
  if (partitions > max_range) {
    throw std::invalid_argument("a non-integer key routes among at most 2^32 partitions, got: "
                                + std::to_string(partitions));
  }
  return phash2(key, static_cast<std::uint32_t>(partitions));
}

std::shared_ptr<name_registry> via_module() {
  static const auto m = std::make_shared<via_registry>();
  return m;
}

server_ref via(const server_ref& name, term key) {
  return server_ref::via(via_module(), tuple(name.to_term(), std::move(key)));
}

std::int64_t partitions(const server_ref& name) {
  return find(name.to_term())->partitions();
}

co<start_result> start_link(child_spec spec, options opts) {
  check(spec, opts);
  const runtime_key rt = &otter::detail::current_runtime("PartitionSupervisor.start_link");
  const std::int64_t n = partitions_of(opts);
  auto table = std::make_shared<partition_table>(n);
  std::vector<child_spec> children;
  children.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    children.push_back(partition_spec(spec, opts, table, i));
  }
  supervisor::options so;
  so.strategy = opts.strategy;
  so.max_restarts = opts.max_restarts;
  so.max_seconds = opts.max_seconds;
  so.name = opts.name;
  start_result r = co_await supervisor::start_link(std::move(children), std::move(so));
  if (!r) {
    co_return r;
  }
  // Published once the name is ours (the supervisor registered it) and the partitions run.
  term name = opts.name->to_term();
  publish(rt, name, table);
  auto down = std::make_shared<supervisor_down>(rt, name, table);
  if (!watch_exit(*r, down)) {
    down->process_exited(*r, term());  // it has exited already
  }
  co_return r;
}

child_spec supervisor_spec(child_spec spec, options opts) {
  check(spec, opts);
  child_spec s;
  s.id = opts.name->to_term();
  s.type = child_type::supervisor;
  s.shutdown = otter::infinity;
  s.mfa = tuple(module_atom(), atom("start_link"), list());
  s.start = start_with([spec = std::move(spec), opts = std::move(opts)]() {
    return partition_supervisor::start_link(spec, opts);
  });
  return s;
}

co<std::vector<supervisor::child_info>> which_children(server_ref name) {
  co_return co_await supervisor::which_children(std::move(name));
}

co<supervisor::child_counts> count_children(server_ref name) {
  co_return co_await supervisor::count_children(std::move(name));
}

co<atom> stop(server_ref name, term reason, std::int64_t timeout) {
  co_return co_await supervisor::stop(std::move(name), std::move(reason), timeout);
}

}  // namespace otter::partition_supervisor
