// The state of a dynamic supervisor and the helpers its callbacks share. Private to
// src/otp/dynamic_supervisor*.cpp; the design is in docs/design/dynamic_supervisor.md.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"
#include "otter/otp/child_spec.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace otter::dynamic_supervisor::detail {

/// What the supervisor keeps of one child (Elixir's {mfa, restart, shutdown, type, modules}).
struct child_entry {
  /// Empty for a temporary child: it is never restarted (Elixir drops its arguments too).
  start_fn start;
  std::int64_t shutdown = 5000;  // ms, infinity or brutal_kill
  /// As which_children reports them (child_spec::modules_term()).
  term modules;
  otter::restart restart = otter::restart::permanent;
  child_type type = child_type::worker;
  /// The start of a restart failed; a retry is queued in the supervisor's mailbox. The map
  /// key is still the pid of the child that died.
  bool restarting = false;
};

using child_map = std::unordered_map<pid, child_entry>;

struct sup_state {
  child_map children;
  std::vector<term> extra_arguments;
  std::int64_t max_children = 0;  // or infinity
  std::int64_t max_restarts = 3;
  std::int64_t max_seconds = 5;
  /// Times of the recent restarts (seconds on the runtime clock), newest first.
  std::deque<std::int64_t> restarts;
  /// The supervisor as reports name it: {pid, Supervisor.Default} or {:local, name}.
  term name;
};

/// The reason start_child rejects `spec` with, or none when it is valid (validate_child/5).
std::optional<term> invalid_child(const child_spec& spec);

/// Logs a "supervisor_report" with `context` (:child_terminated, :start_error, :shutdown,
/// :shutdown_error) about a child of the supervisor `s`.
void report(std::string_view context, const term& reason, const sup_state& s);

/// Stops one child as OTP does (monitor, unlink, exit :shutdown, wait, :kill) and reports a
/// stop with an unexpected reason. The entry stays in the map.
co<void> stop_child(pid child, const child_entry& c, const sup_state& s);

/// Stops every running child in parallel: all exit signals first, then the DOWNs, each child
/// against its own deadline. The map is left as it is.
co<void> shutdown_all(const sup_state& s);

}  // namespace otter::dynamic_supervisor::detail
