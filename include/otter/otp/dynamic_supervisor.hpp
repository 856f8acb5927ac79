// otter/otp/dynamic_supervisor.hpp: a supervisor that starts children on demand (Elixir's
// DynamicSupervisor).
//
//   otter::dynamic_supervisor::options opts;
//   opts.max_restarts = 10;
//   otter::start_result sup = co_await otter::dynamic_supervisor::start_link(opts);
//   otter::child_spec spec;
//   spec.start = otter::start_with([] { return otter::gen_server::start_link<worker>(); });
//   otter::start_result child = co_await otter::dynamic_supervisor::start_child(*sup, spec);
//   co_await otter::dynamic_supervisor::terminate_child(*sup, *child);
//
// (GCC 12 miscompiles a braced temporary, e.g. `options{...}`, inside a co_await expression:
// build such arguments in their own statement, as above.)
//
// A dynamic supervisor starts with no children; start_child() starts one and returns once the
// child's start function has returned (for a GenServer: once its init has run). Children have
// no order and no id (a spec's id is ignored), and are kept in a hash map by pid, so a
// supervisor of 100,000 children costs about 100 bytes per child beyond the children themselves.
//
// Semantics are Elixir 1.14's (dynamic_supervisor.ex):
//   - the supervisor is a GenServer that traps exits; start_link links it to the caller, and it
//     stops when its parent exits;
//   - the start function runs inside the supervisor and receives the extra_arguments, on start
//     and on every restart (they come before the spec's own arguments in Elixir);
//   - start_child returns {:ok, pid}; :ignore (errc::ignore, nothing is kept); {:error,
//     :max_children} (errc::max_children) when max_children children exist; {:error, reason}
//     when the start function failed, with {exception, stacktrace} or the exit reason when it
//     raised. A spec is checked in the caller, before the supervisor is asked, as Elixir's
//     validate_child does: the failure has errc::invalid_child_spec and the reason
//     {:invalid_mfa, mfa}, {:invalid_restart_type, r}, {:invalid_shutdown, s} (a shutdown
//     must be > 0, brutal_kill or infinity), {:invalid_child_type, t}, {:invalid_modules, m},
//     or {:invalid_child_spec, spec} for a spec without a start function;
//   - a child that exits is restarted (permanent: always; transient: unless the reason is
//     :normal, :shutdown or {:shutdown, _}; temporary: never) and forgotten otherwise. Each
//     restart counts against the intensity: more than max_restarts restarts within max_seconds
//     (on the runtime's clock, in whole seconds as Erlang's monotonic_time(:second)) stop the
//     supervisor with :shutdown after stopping its other children. A restart whose start fails
//     leaves the child :restarting and is retried through the supervisor's mailbox;
//   - terminate_child and shutdown stop a child as OTP does: monitor it, unlink, exit(child,
//     :shutdown), wait `shutdown` ms for its DOWN, then exit(child, :kill) (brutal_kill kills at
//     once; infinity waits for ever). When the supervisor stops, every child is sent its exit
//     signal first and the DOWNs are then collected together (in parallel), each child against
//     its own deadline;
//   - reports: "supervisor_report" (otter/core/logger.hpp) with context :child_terminated when
//     a child exits and is restarted (any reason for a permanent child) or exits abnormally,
//     :start_error when a restart fails, :shutdown (reason :reached_max_restart_intensity) when
//     the supervisor gives up, :shutdown_error when a child stops with an unexpected reason
//     during shutdown. The supervisor field is {pid, module} for an unnamed supervisor
//     (options::module: Supervisor.Default, or Task.Supervisor), {:local, name} for a named
//     one.
//
// Calls exit the caller as GenServer.call with an infinite timeout does: `{:noproc,
// {GenServer, :call, [sup, request, :infinity]}}` when the supervisor is not running.
//
// Thread safety: every function is @in_process; a supervisor may be called from any process.

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

namespace otter::dynamic_supervisor {

/// The only strategy a dynamic supervisor supports.
enum class strategy : std::uint8_t { one_for_one };

/// The options of start_link, with Elixir's defaults.
struct options {
  dynamic_supervisor::strategy strategy = strategy::one_for_one;
  /// More than this many restarts within max_seconds stop the supervisor (>= 0).
  std::int64_t max_restarts = 3;
  /// The window of max_restarts, in seconds (> 0).
  std::int64_t max_seconds = 5;
  /// At most this many children (running or restarting); `infinity` for no limit.
  std::int64_t max_children = infinity;
  /// Passed to every start function (on start and on restart).
  std::vector<term> extra_arguments;
  /// Registers the supervisor under this name (an atom, or via / global).
  std::optional<server_ref> name;
  /// The callback module that reports and `$initial_call` name, as Elixir's: an unnamed
  /// supervisor reports as `{pid, module}`. Task.Supervisor sets `Task.Supervisor`.
  term module{atom("Elixir.Supervisor.Default")};
};

/// One child, as which_children reports it: `{:undefined, pid | :restarting, type, modules}`.
struct child_info {
  /// The child, or the null pid while it is being restarted.
  pid child;
  child_type type = child_type::worker;
  /// The child's modules: child_spec::modules_term() of its spec.
  term modules;
  [[nodiscard]] bool restarting() const noexcept { return child.is_null(); }
  [[nodiscard]] term to_term() const;
};

/// count_children: `%{active: .., specs: .., supervisors: .., workers: ..}`.
struct child_counts {
  /// Children known to the supervisor (running or restarting).
  std::int64_t specs = 0;
  /// Children running now.
  std::int64_t active = 0;
  std::int64_t supervisors = 0;
  std::int64_t workers = 0;
  [[nodiscard]] term to_term() const;
  friend bool operator==(const child_counts&, const child_counts&) = default;
};

/// Starts a dynamic supervisor linked to the caller: {:ok, pid}, or {:error, {:already_started,
/// pid}} when the name is taken, or {:error, {:supervisor_data, reason}} for invalid options
/// ({:invalid_intensity, n}, {:invalid_period, n}, {:invalid_max_children, n}). @in_process
co<start_result> start_link(options opts = {});

/// Starts `spec` under `sup` (see the top of this file for the results). @in_process
co<start_result> start_child(server_ref sup, child_spec spec);

/// Stops the child `child` and forgets it: :ok, or errc::not_found ({:error, :not_found}) when
/// it is not a child of `sup`. @in_process
co<expected<void>> terminate_child(server_ref sup, pid child);

/// Every child, in no particular order. @in_process
co<std::vector<child_info>> which_children(server_ref sup);

/// The counts of children. @in_process
co<child_counts> count_children(server_ref sup);

/// Stops the supervisor with `reason` (its children first, in parallel) and returns :ok; exits
/// the caller as GenServer.stop does when it is not running or stops with another reason.
/// @in_process
co<atom> stop(server_ref sup, term reason = term(atoms::normal), std::int64_t timeout = infinity);

/// A child spec that starts a dynamic supervisor with `opts` under another supervisor: type
/// supervisor, permanent, shutdown infinity.
[[nodiscard]] child_spec supervisor_spec(term id = term(atom("Elixir.DynamicSupervisor")),
                                         options opts = {});

}  // namespace otter::dynamic_supervisor
