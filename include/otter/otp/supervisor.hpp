// otter/otp/supervisor.hpp: supervisors (Elixir's Supervisor, Erlang's supervisor).
//
//   std::vector<otter::child_spec> children{cache_spec, worker_spec};
//   otter::start_result sup = co_await otter::supervisor::start_link(
//       children, {.strategy = otter::supervisor::strategy::one_for_all, .max_restarts = 5});
//   auto kids = co_await otter::supervisor::which_children(*sup);   // newest first
//   auto r = co_await otter::supervisor::terminate_child(*sup, otter::atom("cache"));
//   co_await otter::supervisor::stop(*sup);
//
// A supervisor is a GenServer (so :sys works on it, and its API calls are GenServer calls
// with timeout infinity) that traps exits and keeps its children in start order. Semantics
// are OTP 25's supervisor.erl as Elixir 1.14 uses it (Supervisor.start_link/2):
//   - start_link starts the children in list order inside the new process and returns when
//     all have started. A child whose start fails (an error, or an exception) stops the
//     others (reverse order) and the supervisor: {:error, {:shutdown, {:failed_to_start_child,
//     id, reason}}}; a start returning :ignore leaves the child in the list with pid
//     :undefined (a temporary one is dropped).
//   - A child's {:EXIT} is handled by its restart type: permanent children are always
//     restarted; transient ones only after an abnormal reason (not :normal, :shutdown,
//     {:shutdown, _}), else they stay with pid :undefined; temporary ones are never restarted
//     and leave the list. A supervisor_report `child_terminated` is logged unless the reason
//     is normal for a transient or temporary child (a permanent child's :normal is logged).
//   - Strategies: one_for_one restarts the child; one_for_all stops all the others (reverse
//     start order, with their shutdown) and restarts all in start order; rest_for_one does
//     the same for the children started after it. Stopped temporary children are dropped.
//   - Intensity: more than max_restarts restarts within max_seconds (OTP counts in whole
//     seconds of the runtime clock, otter::now_ms, so the deterministic runtime is exact)
//     stops the supervisor: a supervisor_report `shutdown` (reason
//     :reached_max_restart_intensity), the other children stopped in reverse start order,
//     exit reason :shutdown. A parent supervisor sees that as a child's exit (escalation).
//   - A restart whose start fails leaves the child :restarting, logs `start_error`, and is
//     tried again after the supervisor has looked at its mailbox (OTP's try_again_restart
//     cast); every attempt counts against the intensity.
//   - Children are stopped with otter::shutdown_child (otter/otp/child_shutdown.hpp): monitor,
//     exit(child, :shutdown), wait `shutdown` ms, then :kill. An unexpected end is logged as
//     `shutdown_error`.
//   - The supervisor stops, its children first in reverse start order, on gen_server stop or
//     on an exit signal from its parent; exit signals from other processes are ignored;
//     :kill kills it at once and its children get :killed through their links.
//
// Results are values: expected<...> with OTP's error terms (errc::running, errc::not_found,
// errc::restarting, errc::already_present, errc::already_started, errc::invalid_child_spec,
// errc::exit for {reason, child}), printed as OTP's tuples by to_term(). A bad child spec is
// rejected with the reason check_child_spec gives, before any child starts: by start_child in
// the caller, and by start_link in the new supervisor process, which then stops with
// {:start_spec, reason} (or {:supervisor_data, reason} for bad options), as OTP's does: a
// crash report, {:error, reason} from start_link, and the EXIT for the linked caller. Calling
// a supervisor that does not exist exits the caller, as GenServer.call does:
// `{:noproc, {GenServer, :call, [sup, :which_children, :infinity]}}`; the try_ forms return
// that reason as a failure instead.
//
// Differences from OTP: progress reports (info) are not logged.
//
// Reports: otter::log events of kind "supervisor_report" with the fields context,
// supervisor (`{pid, Supervisor.Default}`, or `{:local, name}` when named), child_id and reason.
//
// Thread safety: every function is @in_process; the supervisor's state belongs to its process.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"
#include "otter/otp/server_ref.hpp"
#include "otter/otp/start_result.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace otter::supervisor {

enum class strategy : std::uint8_t { one_for_one, one_for_all, rest_for_one };

/// Elixir's Supervisor.start_link/2 options.
struct options {
  supervisor::strategy strategy = supervisor::strategy::one_for_one;
  /// At most this many restarts ...
  int max_restarts = 3;
  /// ... within this many seconds.
  int max_seconds = 5;
  /// Registers the supervisor (an atom, or {:via, ...} / {:global, ...}); none when unset.
  std::optional<server_ref> name{};
};

/// One entry of which_children: `{id, child, type, modules}`, child being the pid,
/// `:undefined` or `:restarting`.
struct child_info {
  term id;
  term child;
  child_type type = child_type::worker;
  term modules;
  [[nodiscard]] term to_term() const;
};

/// count_children: `%{active: .., specs: .., supervisors: .., workers: ..}`.
struct child_counts {
  std::int64_t specs = 0;
  std::int64_t active = 0;
  std::int64_t supervisors = 0;
  std::int64_t workers = 0;
  [[nodiscard]] term to_term() const;
};

/// What start_child and restart_child return: `{:ok, pid}`, or `{:ok, pid, info}` when the
/// start function returned an info; `{:ok, :undefined}` (nullopt) when the start returned
/// :ignore; or `{:error, reason}`.
using child_result = basic_start_result<std::optional<pid>>;

/// `:one_for_one`, `:one_for_all`, `:rest_for_one`
[[nodiscard]] term to_term(supervisor::strategy s);
/// `{:ok, pid}`, `{:ok, pid, info}`, `{:ok, :undefined}` or `{:error, reason}`.
[[nodiscard]] term to_term(const child_result& r);
/// `:ok` or `{:error, reason}`.
[[nodiscard]] term to_term(const expected<void>& r);
/// which_children as OTP returns it: a list of `{id, child, type, modules}`.
[[nodiscard]] term to_term(const std::vector<child_info>& children);

/// Checks a list of specs as start_link does: each with check_child_spec, and the ids unique
/// (`{:duplicate_child_name, id}`, OTP's term). The failure has code errc::invalid_child_spec.
[[nodiscard]] expected<void> check_child_specs(const std::vector<child_spec>& specs);

/// Starts a supervisor linked to the caller (see the top of this file). Returns
/// `{:ok, pid}`; `{:error, {:already_started, pid}}` when the name is taken;
/// `{:error, {:shutdown, {:failed_to_start_child, id, reason}}}` when a child failed to start
/// (the supervisor has then exited with that reason: a caller that does not trap exits dies
/// with it, as in OTP); `{:error, {:start_spec, reason}}` for a bad spec and
/// `{:error, {:supervisor_data, reason}}` for bad options (nothing started). @in_process
co<start_result> start_link(std::vector<child_spec> children, options opts = {});

/// A child spec that starts a supervisor of `children` with `opts`: type supervisor,
/// shutdown infinity, modules [Supervisor] (Elixir's `{Supervisor, opts}` child).
[[nodiscard]] child_spec supervisor_spec(term id, std::vector<child_spec> children,
                                         options opts = {});

/// The children, in REVERSE start order (as Elixir returns them). @in_process
co<std::vector<child_info>> which_children(server_ref sup);
/// Counts of specs, running children, supervisors and workers. @in_process
co<child_counts> count_children(server_ref sup);

/// Adds `spec` and starts it (last in start order). Errors: `{:already_started, pid}` (id in
/// use by a running child), `:already_present` (id in use, not running), the
/// check_child_spec reason (errc::invalid_child_spec), `{reason, child_record}` when the
/// start failed (errc::exit; the spec is not kept). @in_process
co<child_result> start_child(server_ref sup, child_spec spec);
/// Stops the child with its shutdown and keeps its spec (pid :undefined; a temporary child's
/// spec is dropped); `:ok` also when it was not running. Error: `:not_found`. @in_process
co<expected<void>> terminate_child(server_ref sup, term id);
/// Starts a stopped child again. Errors: `:running`, `:restarting`, `:not_found`, or the
/// start's own error reason. @in_process
co<child_result> restart_child(server_ref sup, term id);
/// Removes the spec of a stopped child. Errors: `:running`, `:restarting`, `:not_found`.
/// @in_process
co<expected<void>> delete_child(server_ref sup, term id);
/// The spec of a child. Error: `:not_found`. @in_process
co<expected<child_spec>> get_childspec(server_ref sup, term id);

// -- the same calls, returning a failed call instead of exiting -----------------------------
// When the supervisor is not running or dies while answering, the plain forms exit the caller
// (see the top of this file); these return that exit reason as a failure (errc::noproc for
// `{:noproc, {GenServer, :call, ...}}`). Their other results are the plain forms'.

co<expected<std::vector<child_info>>> try_which_children(server_ref sup);
co<expected<child_counts>> try_count_children(server_ref sup);
co<child_result> try_start_child(server_ref sup, child_spec spec);
co<expected<void>> try_terminate_child(server_ref sup, term id);
co<child_result> try_restart_child(server_ref sup, term id);
co<expected<void>> try_delete_child(server_ref sup, term id);
co<expected<child_spec>> try_get_childspec(server_ref sup, term id);

/// Stops the supervisor (gen_server::stop): its children stop first, in reverse start order.
/// @in_process
co<atom> stop(server_ref sup, term reason = term(atoms::normal),
              std::int64_t timeout = otter::infinity);

}  // namespace otter::supervisor
