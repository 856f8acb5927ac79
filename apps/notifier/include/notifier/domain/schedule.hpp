// notifier/domain/schedule.hpp: the durable schedule rule.
//
// A task's next reminder time (task::next_notify_at) is stored. When a reminder that was due at
// `due` is sent at `now`, the next one is due at
//
//   due + interval   when now < due + interval   (on time, or late by less than one interval:
//                                                  the cadence keeps its phase, so a timer that
//                                                  fires a little late does not shift it)
//   now + interval   otherwise                    (overdue by one interval or more, e.g. the
//                                                  service was down: one reminder now, then the
//                                                  cadence resumes from now)
//
// so a restart after any downtime sends one reminder per overdue task, never one per missed
// interval (no burst), and never skips one (the stored time is in the past, hence due at once).
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
