// otter/core/exit_watch.hpp: run code when a process exits (for shared structures that a
// process owns or appears in: tables, registries).
//
// A process's ETS-like tables die with it and its registry entries vanish with it; on the BEAM
// the emulator does this as part of the exit itself, before the process's links and monitors
// fire. An exit_watch is that hook: watch_exit(p, w) makes p's exit call
// w->process_exited(p, reason)
//   - exactly once, on the scheduler thread that runs p's exit;
//   - after p is dead to senders and its registered name is free;
//   - before p's exit signals are sent, so a process that receives p's DOWN or EXIT already
//     sees the effect (the table gone, the entry removed).
// process_exited must not block or wait for another process; it may send messages, spawn and
// watch other processes. It runs with no runtime lock held.
//
// A watch may be dropped with unwatch_exit(). If p's exit is running concurrently, the watch
// may still fire (or be firing) after unwatch_exit returns: the process holds a shared_ptr to
// the watch, so it stays valid, and process_exited must check, under the watcher's own lock,
// whether it still has anything to do.
//
// Thread safety: watch_exit and unwatch_exit are @threadsafe inside the runtime and take only
// the target's own small lock (never a global one).

#pragma once

#include "otter/core/pid.hpp"
#include "otter/core/term.hpp"

#include <memory>

namespace otter {

/// Code to run when a watched process exits.
class exit_watch {
public:
  virtual ~exit_watch() = default;
  /// `who` exited with `reason`; see the header's contract for when this runs.
  virtual void process_exited(pid who, const term& reason) noexcept = 0;
};

/// Makes `target`'s exit call `w`. False when `target` is not alive (it has exited or is
/// exiting): then `w` will never be called for it. Watching one process twice with the same
/// watch calls it twice. @in_process
bool watch_exit(pid target, std::shared_ptr<exit_watch> w);

/// Forgets one watch of `w` on `target`, if it has not fired. @in_process
void unwatch_exit(pid target, const exit_watch* w) noexcept;

}  // namespace otter
