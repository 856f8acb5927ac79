// otter/core/process_info.hpp: inspecting a process (erlang:process_info/1,2).
//
// For the calling process the answer is immediate. For another process it is a request signal
// that the target answers between two of its own steps, as in the BEAM, so what it reports is
// consistent with the order of signals: after the target handled a link, its links show it.
//
// Thread safety: @in_process; runtime::process_info() does the same from outside.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/term.hpp"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace otter {

struct process_info_t {
  /// :running (the caller itself), :waiting (suspended in receive) or :runnable (queued to
  /// run). A process that is exiting answers no more: process_info() returns nullopt.
  atom status;
  std::size_t message_queue_len = 0;
  /// The messages in the mailbox, oldest first, as terms.
  std::vector<term> messages;
  /// Sorted by pid.
  std::vector<pid> links;
  /// Monitors this process holds: `{:process, pid}` or `{:process, {name, node}}`.
  std::vector<term> monitors;
  /// Processes monitoring this one, sorted.
  std::vector<pid> monitored_by;
  std::optional<atom> registered_name;
  std::uint64_t reductions = 0;
  bool trap_exit = false;
  std::vector<std::pair<term, term>> dictionary;
};

/// The calling process's info. @in_process
[[nodiscard]] process_info_t self_info();
/// Another process's info, or nullopt when it is dead. @in_process
[[nodiscard]] co<std::optional<process_info_t>> process_info(pid p);

}  // namespace otter
