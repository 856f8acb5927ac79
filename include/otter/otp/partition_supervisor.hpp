// otter/otp/partition_supervisor.hpp: N independent partitions of one child (Elixir 1.14's
// PartitionSupervisor).
//
//   otter::partition_supervisor::options opts;
//   opts.name = otter::server_ref(otter::atom("Elixir.Workers"));
//   opts.partitions = 4;
//   co_await otter::partition_supervisor::start_link(worker_spec, opts);
//   auto w = otter::partition_supervisor::via(otter::atom("Elixir.Workers"), otter::term(user_id));
//   co_await otter::gen_server::call(w, request);   // {:via, PartitionSupervisor, {Workers, id}}
//
// A partition supervisor IS a Supervisor (otter/otp/supervisor.hpp) whose children are the
// partitions: `partitions` copies of the given child spec with ids 0..N-1, started in that
// order, supervised with the given strategy / max_restarts / max_seconds. Each partition's
// start function receives with_arguments(args, partition) (args: the spec's own extra
// arguments, empty under a Supervisor; the default leaves them unchanged), as Elixir applies
// with_arguments to the start's argument list. The spec keeps its type, restart, shutdown and
// modules; its mfa, when given, becomes `{PartitionSupervisor, :start_child, [m, f, a, name,
// partition]}` as Elixir rewrites the start.
//
// Routing never calls the supervisor: every start (and restart) of a partition records its pid
// in the partition supervisor's table, which `{:via, PartitionSupervisor, {name, key}}` reads.
// A key picks the partition:
//   - an integer: rem(abs(key), partitions), as Elixir;
//   - any other term: :erlang.phash2(key, partitions) (otter::phash2, OTP's hash bit for
//     bit), as Elixir: every key lands in the partition it would in Elixir, in every run.
// Between a partition's crash and its restart the table still holds the dead pid, as
// Elixir's ETS table does: a call routed there exits :noproc.
//
// The via names work wherever a server_ref does (gen_server call/cast, dynamic_supervisor
// start_child, agent calls, ...). They only resolve: registering or unregistering a name
// through PartitionSupervisor throws std::invalid_argument, as Elixir raises.
//
// Errors, as Elixir raises ArgumentError (here std::invalid_argument, an exit when thrown in a
// process): start_link without a name or with partitions <= 0 (nothing started); routing or
// partitions() with a name that is not a running partition supervisor ("could not find
// PartitionSupervisor Name"). which_children / count_children / stop of an unknown name exit
// the caller as the Supervisor calls do ({:noproc, ...}).
//
// The table is published under the name once start_link has started all partitions, and is
// withdrawn when the supervisor exits (an exit watch): a via name used from a partition's own
// init does not resolve yet.
//
// Thread safety: start_link, which_children, count_children and stop are @in_process;
// partitions(), via_module()'s whereis_name and partition_of are @threadsafe inside the
// runtime: a lookup reads a per-thread cache of the name table (one atomic load when nothing
// changed) and one atomic pid, with no lock on that path.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"
#include "otter/otp/supervisor.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace otter::partition_supervisor {

/// Elixir's with_arguments: (args, partition) -> args for that partition's start.
using with_arguments_fn =
    std::function<std::vector<term>(std::vector<term> args, std::int64_t partition)>;

/// Elixir's PartitionSupervisor.start_link/1 options.
struct options {
  /// Required: an atom or a {:via, ...} / {:global, ...} name; it names the supervisor too.
  std::optional<server_ref> name{};
  /// How many partitions (> 0); unset means otter::schedulers_online(), as Elixir's
  /// System.schedulers_online().
  std::optional<std::int64_t> partitions{};
  /// Unset leaves each partition's arguments unchanged.
  with_arguments_fn with_arguments{};
  supervisor::strategy strategy = supervisor::strategy::one_for_one;
  int max_restarts = 3;
  int max_seconds = 5;
};

/// Starts the partition supervisor and its partitions, linked to the caller; returns as
/// supervisor::start_link does. Throws std::invalid_argument without a name or with
/// partitions <= 0. @in_process
co<start_result> start_link(child_spec spec, options opts);

/// A child spec that starts it under another supervisor (Elixir's child_spec/1): id the
/// name's term, type supervisor, shutdown infinity.
[[nodiscard]] child_spec supervisor_spec(child_spec spec, options opts);

/// The partitions of the running partition supervisor `name`. Throws std::invalid_argument
/// when there is none. @threadsafe inside the runtime
[[nodiscard]] std::int64_t partitions(const server_ref& name);

/// The partition `key` routes to among `partitions` (see the top of this file). A non-integer
/// key with more than 2^32 partitions throws std::invalid_argument (phash2's badarg).
/// @threadsafe
[[nodiscard]] std::int64_t partition_of(const term& key, std::int64_t partitions);

/// The registry of `{:via, PartitionSupervisor, {name, key}}` names: whereis_name({name, key})
/// is the pid of key's partition. @threadsafe
[[nodiscard]] std::shared_ptr<name_registry> via_module();
/// `{:via, PartitionSupervisor, {name, key}}`
[[nodiscard]] server_ref via(const server_ref& name, term key);

/// Supervisor.which_children of the partition supervisor (ids are the partitions). @in_process
co<std::vector<supervisor::child_info>> which_children(server_ref name);
/// Supervisor.count_children of the partition supervisor. @in_process
co<supervisor::child_counts> count_children(server_ref name);
/// Stops it (Supervisor.stop): the partitions stop first, last one first. @in_process
co<atom> stop(server_ref name, term reason = term(atoms::normal),
              std::int64_t timeout = otter::infinity);

}  // namespace otter::partition_supervisor
