// otter/core/logger.hpp: reports about processes (crash reports and the like).
//
// The runtime and the behaviours report what OTP's logger reports, at the same moments:
//   - "proc_lib crash_report": a proc_lib process (GenServer, Agent, Task, proc_lib::spawn)
//     ended with an abnormal reason; logged by the dying process before it exits;
//   - "gen_server terminate": a GenServer stopped abnormally (logged before the crash report);
//   - "task terminating": a Task crashed;
//   - "supervisor_report": a supervisor's child terminated abnormally, failed to start, or the
//     supervisor gave up (context child_terminated / start_error / shutdown);
//   - "emulator error_in_process": a plain process (not proc_lib) raised an exception; logged
//     shortly after the process died, as the BEAM does it, asynchronously;
//   - "message": a free-text line where OTP logs a format string instead of a report (a
//     supervisor that received an unexpected message), in the field `text`.
// Nothing is logged for the reasons :normal, :shutdown and {:shutdown, _}.
//
// An event is structured (its fields are terms), so that a sink can print pids with its own
// names; the default sink writes one line per event through spdlog at the event's level.
//
// Thread safety: log() and set_log_sink() may be called from any thread. A sink is called on
// the thread that logs and must be thread-safe itself.

#pragma once

#include "otter/core/term.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace otter {

enum class log_level : std::uint8_t { debug, info, warning, error };

/// One report: `kind` names it ("proc_lib crash_report"), `fields` carry its data in order.
struct log_event {
  log_level level = log_level::error;
  std::string kind;
  std::vector<std::pair<std::string, term>> fields;
};

using log_sink = std::function<void(const log_event&)>;

/// Reports `event` to the current sink. @threadsafe
void log(const log_event& event);

/// Replaces the sink for the whole program and returns the previous one; an empty sink drops
/// every event. The default sink is spdlog's default logger. @threadsafe
log_sink set_log_sink(log_sink sink);

/// The sink in effect when the program started (spdlog).
[[nodiscard]] log_sink default_log_sink();

/// `kind k1=v1 k2=v2`, the terms printed with `printer`.
[[nodiscard]] std::string format(const log_event& event, const term_printer& printer = {});

}  // namespace otter
