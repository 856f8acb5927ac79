// otter/otp/child_spec.hpp: how a supervisor starts, restarts and stops one child.
//
//   otter::child_spec spec{.id = otter::atom("cache"),
//                          .start = otter::start_with([]() {
//                            return otter::gen_server::start_link<cache>();
//                          }),
//                          .restart = otter::restart::transient};
//
// The fields and their defaults are Elixir's (Supervisor.child_spec/2):
//   id        any term, unique within a Supervisor (DynamicSupervisor ignores it)
//   start     runs inside the supervisor and returns start_result ({:ok, pid} | :ignore |
//             {:error, reason}); it receives the DynamicSupervisor's extra_arguments (empty
//             under a Supervisor); the child must be linked to the supervisor (start_link)
//   restart   permanent (always restarted), transient (only after an abnormal exit: not
//             :normal, :shutdown or {:shutdown, _}), temporary (never)
//   shutdown  milliseconds to wait after exit(child, :shutdown) before killing it, `infinity`,
//             or `brutal_kill` (exit(child, :kill) at once); 5000 for workers, infinity for
//             supervisors unless set
//   type      worker or supervisor
//   mfa       optional: how OTP would write the start, `{Module, :function, args}`; shown in
//             reports and error terms, and the default of `modules` ([Module])
//   modules   optional: `[Module, ...]` or `:dynamic`, as which_children reports it
//
// check_child_spec() validates a spec as OTP's supervisor does (check_childspec), with OTP's
// error terms: a spec without `start` is `:missing_start`, an `mfa` that is not a {module,
// function, list} tuple `{:invalid_mfa, mfa}`, a negative shutdown `{:invalid_shutdown, n}`,
// ... Supervisors reject a bad spec when it is given (start_link, start_child), never later.
//
// Thread safety: values.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/expected.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/start_result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace otter {

enum class restart : std::uint8_t { permanent, transient, temporary };
enum class child_type : std::uint8_t { worker, supervisor };

/// The shutdown value that kills a child at once (exit(child, :kill)).
inline constexpr std::int64_t brutal_kill = -2;

/// Starts a child inside its supervisor; receives the extra_arguments of a DynamicSupervisor.
using start_fn = std::function<co<start_result>(const std::vector<term>& extra_arguments)>;

/// Wraps a start function that takes no extra arguments.
template <class F>
requires std::is_invocable_r_v<co<start_result>, F&> start_fn start_with(F f) {
  return [f = std::move(f)](const std::vector<term>&) mutable {
    return f();
  };
}

struct child_spec {
  term id{};
  start_fn start{};
  otter::restart restart = otter::restart::permanent;
  /// Milliseconds, `infinity` or `brutal_kill`; unset means 5000 for a worker and infinity for
  /// a supervisor.
  std::optional<std::int64_t> shutdown{};
  child_type type = child_type::worker;
  /// `{Module, :function, args}` as OTP would write `start`; nil when not given.
  term mfa{};
  /// `[Module, ...]` or `:dynamic`; unset means [Module] of `mfa`, or [] without one.
  std::optional<term> modules{};

  /// The shutdown in effect (the default filled in).
  [[nodiscard]] std::int64_t shutdown_ms() const {
    return shutdown ? *shutdown : (type == child_type::supervisor ? infinity : 5000);
  }
  /// The modules in effect (the default filled in).
  [[nodiscard]] term modules_term() const;
};

/// `:permanent`, `:transient`, `:temporary`
[[nodiscard]] term to_term(otter::restart r);
/// `:worker`, `:supervisor`
[[nodiscard]] term to_term(child_type t);
/// A shutdown value as OTP writes it: `:brutal_kill`, `:infinity` or the milliseconds.
[[nodiscard]] term shutdown_term(std::int64_t shutdown);
/// The spec as supervisor:get_childspec/2 returns it: `%{id: .., start: .., restart: ..,
/// significant: false, shutdown: .., type: .., modules: ..}` (start is `mfa`, or `#Fun`).
[[nodiscard]] term to_term(const child_spec& spec);

/// Whether `spec` is valid (OTP's check_childspec); the failure has code
/// errc::invalid_child_spec and OTP's reason term (see the top of this file).
[[nodiscard]] expected<void> check_child_spec(const child_spec& spec);

}  // namespace otter
