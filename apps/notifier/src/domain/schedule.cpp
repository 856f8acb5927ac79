#include "notifier/domain/schedule.hpp"

#include <stdexcept>

namespace notifier {

timestamp next_notify_at(timestamp due, std::chrono::milliseconds interval, timestamp now) {
  if (interval <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("next_notify_at: the interval must be positive");
  }
  // On time or late by less than one interval: keep the phase (no drift from late timers).
  if (now < due + interval) {
    return due + interval;
  }
  // Overdue by a whole interval or more: this one reminder stands for all the missed ones.
  return now + interval;
}

bool is_due(const task& t, timestamp now) noexcept {
  return t.status == task_status::open && t.next_notify_at <= now;
}

}  // namespace notifier
