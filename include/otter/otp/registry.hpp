// otter/otp/registry.hpp: a local, partitioned key-value store of processes (Elixir's Registry).
//
//   co_await otter::registry::start_link({.keys = otter::registry::kind::unique,
//                                          .name = otter::atom("Elixir.Sessions")});
//   otter::registry::register_key(otter::atom("Elixir.Sessions"), "alice", 42);  // self()
//   auto found = otter::registry::lookup(otter::atom("Elixir.Sessions"), "alice");
//   // found == {{self(), 42}}; the entry vanishes when the process exits
//   auto name = otter::registry::via(otter::atom("Elixir.Sessions"), "bob");
//   co_await otter::gen_server::start_link<session>({.name = name});  // {:via, Registry, ...}
//
// A registry maps keys to the processes that registered them, each entry with a value. With
// `kind::unique` a key has at most one process; with `kind::duplicate` any number (a process
// may register one key many times). A process may register many keys. Keys and values are
// terms; keys compare exactly (===). Semantics are Elixir 1.14's registry.ex, function by
// function, including:
//   - register_key registers the CALLING process: {:ok, partition pid} or, for a unique key
//     held by a live process, {:error, {:already_registered, owner}} (the owner may be the
//     caller). A key whose owner has died is free at once;
//   - the caller is linked to one partition process of the registry (the one chosen by its
//     pid), as in Elixir: stopping or killing the registry sends its registered processes an
//     exit signal (non-trapping ones die with it). The link is dropped when the caller has no
//     entry left in that partition;
//   - unregister removes all the caller's entries under a key and, like Elixir, tells the
//     listeners even when there was none; an exiting process's entries are removed without
//     telling listeners (Elixir 1.14 sends no :unregister for a dead process);
//   - lookup returns [{pid, value}]: for duplicate keys partition by partition, in
//     registration order within a partition; keys(reg, pid) lists the process's keys newest
//     first (a duplicate key once per registration);
//   - match / count_match / unregister_match take an ETS match pattern on the value (`:_`,
//     `:"$1"`, literals, tuples, lists, maps) and a list of match-spec guards
//     (`{:is_integer, :"$1"}`, `{:>, :"$1", 5}`, ...), or a C++ predicate on the value;
//     select / count_select take a match specification over `{key, pid, value}`;
//   - dispatch calls a function once per partition that has entries for the key (from the
//     last partition to the first), in the calling process; dispatch_parallel runs one task
//     per partition and waits for all;
//   - meta / put_meta / delete_meta keep a small table per registry (keys: atoms or tuples);
//   - listeners (named processes) receive {:register, reg, key, pid, value} and
//     {:unregister, reg, key, pid};
//   - a registry name that is not running raises ArgumentError ("unknown registry: Reg") in
//     every function, as does a handle (find()) to a registry that has stopped.
//
// Entries vanish with their process: each (registry, process) pair has one exit watch
// (otter/core/exit_watch.hpp), which removes the process's entries during its exit, BEFORE its
// links and monitors fire. A process that receives the DOWN of a registered process no longer
// finds its entries (stricter than Elixir, where removal is asynchronous). Between the moment
// a process is dead and the moment its exit runs the watch, lookup may still return it, as
// Elixir's lookup may; whereis_name (via names) checks liveness.
//
// The registry is a supervisor named `name` with `partitions` partition processes (GenServers
// named `<name>.PIDPartition<i>`; strategy one_for_all for unique keys, one_for_one for
// duplicate ones, as Elixir). A partition owns its part of the table: when it exits, its
// entries go with it. child_spec() puts a registry under a supervisor; it stops with its
// parent. Unique keys are partitioned by key, duplicate keys by registering process.
//
// Differences from Elixir: a meta key that is neither an atom nor a tuple raises
// ArgumentError (Elixir: FunctionClauseError); dispatch takes a C++ function (no
// {module, function, args}); the `compressed` option does not exist.
//
// Thread safety: every function is @in_process (it names the registry in the calling
// process's runtime, and registration acts on self()). Lookups take no global lock: the
// registry's name is resolved through a per-thread cache, and each partition's table is split
// in shards with their own reader-writer locks, so readers of different keys never share a
// lock and readers of the same key only share it. Registrations by different processes lock
// only the shards of their keys and of their own pid. See docs/design/registry.md.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/process.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace otter::registry {

namespace detail {
class registry_state;
}

enum class kind : std::uint8_t { unique, duplicate };

/// Registry.start_link/1 options. `keys` and `name` are required.
struct options {
  std::optional<registry::kind> keys{};
  /// The registry's name: also the registered name of its supervisor.
  std::optional<atom> name{};
  /// Partition processes, at least 1.
  std::int64_t partitions = 1;
  /// Named processes told of explicit registrations and unregistrations.
  std::vector<atom> listeners{};
  /// Initial meta data (a keyword list).
  std::vector<std::pair<atom, term>> meta{};
};

/// Starts a registry linked to the caller: `{:ok, supervisor}`, or `{:error, {:already_started,
/// pid}}` when the name is taken. Bad options raise ArgumentError (std::invalid_argument) in
/// the caller, with Elixir's messages. @in_process
co<start_result> start_link(options opts);

/// A child spec that starts the registry (Registry.child_spec/1): id = the name, type
/// supervisor, shutdown infinity. Bad options raise ArgumentError when it starts.
[[nodiscard]] otter::child_spec child_spec(options opts);

/// Names a registry. Built from the name (resolved on each call, as Elixir does), or by
/// find() (resolved once: no name lookup on later calls, and an error once that registry
/// has stopped, even if another one takes its name).
class handle {
public:
  handle(atom name) noexcept : name_(name) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] atom name() const noexcept { return name_; }
  /// The registry found by find(); null for a handle built from a name.
  [[nodiscard]] const std::shared_ptr<detail::registry_state>& resolved() const noexcept {
    return state_;
  }

private:
  friend handle find(atom name);
  atom name_;
  std::shared_ptr<detail::registry_state> state_;
};

/// The running registry called `name`; ArgumentError when there is none. @in_process
[[nodiscard]] handle find(atom name);

/// One registration: `{pid, value}`.
struct entry {
  pid owner;
  term value;
  [[nodiscard]] term to_term() const { return tuple(owner, value); }
  friend bool operator==(const entry& a, const entry& b) noexcept {
    return a.owner == b.owner && a.value == b.value;
  }
};

/// A unique key held by a live process: `{:already_registered, owner}`.
struct already_registered {
  pid owner;
  [[nodiscard]] term to_term() const { return tuple(atom("already_registered"), owner); }
  friend bool operator==(already_registered a, already_registered b) noexcept {
    return a.owner == b.owner;
  }
};

/// register_key's result: the partition process, or already_registered.
using register_result = expected<pid, already_registered>;

/// `{:ok, pid}` or `{:error, {:already_registered, pid}}`.
[[nodiscard]] term to_term(const register_result& r);
/// `[{pid, value}, ...]`
[[nodiscard]] term to_term(const std::vector<entry>& entries);

// -- registering (the calling process) --------------------------------------------------------

/// Registers the caller under `key` with `value` (see the top of this file). The listeners
/// are told; a listener name that is not registered raises error(:badarg), as send does.
/// @in_process
register_result register_key(const handle& reg, term key, term value);
/// Removes every entry of the caller under `key`; tells the listeners. Returns :ok.
atom unregister(const handle& reg, const term& key);
/// Removes the caller's entries under `key` whose value matches `pattern` and `guards`. When
/// that was all of them (or there were none), tells the listeners as unregister does.
/// Returns :ok.
atom unregister_match(const handle& reg, const term& key, const term& pattern,
                      const std::vector<term>& guards = {});
/// unregister_match() with a predicate on the value.
atom unregister_match(const handle& reg, const term& key,
                      const std::function<bool(const term& value)>& pred);
/// Replaces the value of the caller's unique `key` by f(old): {new, old}, or nullopt (Elixir's
/// :error) when the key is not the caller's. ArgumentError for a duplicate registry.
std::optional<std::pair<term, term>> update_value(const handle& reg, const term& key,
                                                  const std::function<term(const term&)>& f);

// -- reading ----------------------------------------------------------------------------------

/// The entries under `key` (see the top of this file for the order). @in_process
[[nodiscard]] std::vector<entry> lookup(const handle& reg, const term& key);
/// The entries under `key` whose value matches `pattern` and `guards`.
[[nodiscard]] std::vector<entry> match(const handle& reg, const term& key, const term& pattern,
                                       const std::vector<term>& guards = {});
/// The entries under `key` whose value satisfies `pred` (called without any lock held).
[[nodiscard]] std::vector<entry> match(const handle& reg, const term& key,
                                       const std::function<bool(const term& value)>& pred);
[[nodiscard]] std::int64_t count_match(const handle& reg, const term& key, const term& pattern,
                                       const std::vector<term>& guards = {});
[[nodiscard]] std::int64_t count_match(const handle& reg, const term& key,
                                       const std::function<bool(const term& value)>& pred);
/// Entries in the registry (for duplicate keys, each registration counts).
[[nodiscard]] std::int64_t count(const handle& reg);
/// The keys `p` has registered, newest first; a unique registry lists each key once.
[[nodiscard]] std::vector<term> keys(const handle& reg, pid p);
/// The values `p` has under `key`, in registration order.
[[nodiscard]] std::vector<term> values(const handle& reg, const term& key, pid p);
/// Registry.select: `spec` is a list of `{{key_pattern, pid_pattern, value_pattern}, guards,
/// body}`; the result of each matching entry's body, partition by partition. `:"$_"` in a body
/// is the stored object `{key, {pid, value}}`, as Elixir's. A clause of another shape raises
/// ArgumentError.
[[nodiscard]] std::vector<term> select(const handle& reg, const term& spec);
/// The entries for which a clause of `spec` returns true.
[[nodiscard]] std::int64_t count_select(const handle& reg, const term& spec);

/// Calls `f(entries)` once per partition that has entries under `key` (one call for a unique
/// or one-partition registry), in the calling process. Returns :ok. @in_process
atom dispatch(const handle& reg, const term& key,
              const std::function<void(const std::vector<entry>&)>& f);
/// dispatch() with `parallel: true`: one linked task per partition, all awaited. @in_process
co<atom> dispatch_parallel(const handle& reg, term key,
                           std::function<void(const std::vector<entry>&)> f);

// -- meta data --------------------------------------------------------------------------------

/// The meta value under `key` (an atom or a tuple), or nullopt (Elixir's :error).
[[nodiscard]] std::optional<term> meta(const handle& reg, const term& key);
/// Stores a meta value; returns :ok.
atom put_meta(const handle& reg, term key, term value);
/// Removes a meta value; returns :ok.
atom delete_meta(const handle& reg, const term& key);

// -- names: {:via, Registry, {reg, key}} -------------------------------------------------------

/// Elixir's Registry module as a via-name registry: names are `{reg, key}` (registered with
/// value nil) or `{reg, key, value}`; whereis_name raises ArgumentError for a duplicate
/// registry (":via is not supported for duplicate registries") or an unknown one.
[[nodiscard]] std::shared_ptr<name_registry> via_module();
/// `{:via, Registry, {reg, key}}`, for gen_server start options, calls, supervisors.
[[nodiscard]] server_ref via(const handle& reg, term key);
/// `{:via, Registry, {reg, key, value}}`: registers with `value`.
[[nodiscard]] server_ref via(const handle& reg, term key, term value);

namespace detail {
/// The process a send to {reg, key} goes to; error(:badarg) when no process has the key.
[[nodiscard]] pid send_target(const handle& reg, const term& key);
}  // namespace detail

/// Registry.send({reg, key}, msg): sends to the process registered under `key`; raises
/// error(:badarg) when there is none. @in_process
template <message_type T>
void send(const handle& reg, const term& key, T msg) {
  otter::send(detail::send_target(reg, key), std::move(msg));
}

}  // namespace otter::registry
