// otter/testing/trace.hpp: the trace format of the conformance suite, and scenario helpers.
//
// A conformance test replays one Elixir scenario with Otter's primitives and prints the same
// lines: `label: term`, with pids and refs shown by the names the scenario gives them
// (`#PID<echo>`), or `pid1`, `ref1`, ... in order of first appearance otherwise; the trace
// ends with `end`. The helpers mirror lib/trace.exs of the suite: recv(), flush(), mailbox(),
// wait_down(), links(), eventually().
//
//   otter::testing::trace t;
//   t.name(otter::self(), "main");
//   t.log("reply", co_await otter::testing::recv());
//   EXPECT_TRUE(otter::testing::same_trace(expected, t.text()));
//
// Thread safety: a trace may be written from several processes at once (a mutex orders the
// lines); the helpers are @in_process.

#pragma once

#include "otter/core/co.hpp"
#include "otter/core/logger.hpp"
#include "otter/core/term.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace otter::testing {

class trace {
public:
  /// Gives `p` (or `r`) a stable printed name. Returns it.
  pid name(pid p, std::string name);
  ref name(ref r, std::string name);
  /// Appends `label: <term>`.
  void log(std::string_view label, const term& t);
  /// Appends a bare line (`end`, or a label without a term). After `end` nothing is appended.
  void log(std::string_view line);
  /// The term as this trace prints it.
  [[nodiscard]] std::string print(const term& t);
  /// Everything logged, one line each, each ending with '\n'.
  [[nodiscard]] std::string text() const;

private:
  std::string pid_name(pid p);
  std::string ref_name(ref r);

  mutable std::mutex mu_;
  std::map<pid, std::string> pids_;
  std::map<ref, std::string> refs_;
  int next_pid_ = 0;
  int next_ref_ = 0;
  std::vector<std::string> lines_;
  bool ended_ = false;
};

/// While alive, error reports (otter/core/logger.hpp) are appended to `t` as the suite's
/// `T.start(capture_logs: true)` prints them: `LOG[error] <kind> k=v ...`, with the trace's
/// names for pids and refs; a "report" shows its label only. Other levels, and free-text
/// "message" events, are dropped. Restores the previous sink when destroyed.
class log_capture {
public:
  explicit log_capture(trace& t);
  ~log_capture();
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

private:
  log_sink previous_;
};

/// Compares two traces line by line; on a difference the message shows both in full and
/// marks the first line that differs.
[[nodiscard]] bool same_trace(std::string_view expected, std::string_view actual,
                              std::string* diff);

// -- scenario helpers (lib/trace.exs) -------------------------------------------------------

/// The next message as a term, or `:no_message` after `timeout_ms`.
co<term> recv(std::int64_t timeout_ms = 1000);
/// Removes and returns every message in the mailbox, without waiting (as a list term).
co<term> flush();
/// The mailbox as a list term, without removing anything.
term mailbox();
/// Monitors `p`, waits for its DOWN and returns the reason (`:still_alive` after timeout).
co<term> wait_down(pid p, std::int64_t timeout_ms = 5000);
/// Links of `p` as a list sorted by printed name (`:dead` when p is dead).
co<term> links(trace& t, pid p);
/// Calls `f` every 10 ms (up to ~2 s of runtime clock) until it returns a value other than
/// nil/false; returns that value (or the last one).
co<term> eventually(std::function<co<term>()> f, int tries = 200);

/// `{:ok, v}`-style helpers for catching like the suite's `catching/1`: runs `f`, returning
/// `{:ok, value}`, `{:exit, reason}`, `{:throw, value}` or `{:error, reason}` (an
/// error_exception's reason, or the exception's type name for other exceptions).
co<term> catching(std::function<co<term>()> f);

}  // namespace otter::testing
