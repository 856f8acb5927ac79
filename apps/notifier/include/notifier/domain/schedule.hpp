// notifier/domain/schedule.hpp: the durable schedule rule.
//
// A task's next reminder time (task::next_notify_at) is stored. When a reminder that was due at
// `due` is sent at `now` (now >= due), the next one is due one interval after it was sent:
//
//   next = max(due, now) + interval
//
// so two reminders of a task are never less than one interval apart, whatever happened in
// between: a late timer, a crash and restart a moment after a reminder, an outage. A restart
// after any downtime sends one reminder per overdue task, never one per missed interval (no
// burst), and never skips one (the stored time is in the past, hence due at once). The price is
// drift: a timer that fires late moves the cadence by its lateness (milliseconds), as an Elixir
// worker that re-arms Process.send_after after each tick does. Keeping the phase instead
// (due + interval) would let a reminder that came late be followed by the next one less than
// an interval later, which is exactly what a restart must not do.
// Details and the crash argument: docs/design/notifier_store.md#durable-schedule.
//
// Thread safety: pure functions.

#pragma once

#include "notifier/domain/clock.hpp"
#include "notifier/domain/task.hpp"

#include <chrono>

namespace notifier {

/// The interval between two reminders of an open task, unless configured otherwise.
inline constexpr std::chrono::milliseconds default_notify_interval = std::chrono::minutes{5};

/// The next due time after the reminder due at `due` was sent at `now` (rule above).
/// Throws std::invalid_argument when interval is not positive.
[[nodiscard]] timestamp next_notify_at(timestamp due, std::chrono::milliseconds interval,
                                       timestamp now);

/// Whether `t` should be reminded of at `now`: it is open and its next reminder is due.
[[nodiscard]] bool is_due(const task& t, timestamp now) noexcept;

}  // namespace notifier
