#include "notifier/domain/schedule.hpp"

#include <algorithm>
#include <stdexcept>

namespace notifier {

timestamp next_notify_at(timestamp due, std::chrono::milliseconds interval, timestamp now) {
  if (interval <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("next_notify_at: the interval must be positive");
  }
  // One interval after the reminder was sent: never two within an interval (schedule.hpp). An
  // overdue task's one reminder stands for all the missed ones.
  return std::max(due, now) + interval;
}

bool is_due(const task& t, timestamp now) noexcept {
  return t.status == task_status::open && t.next_notify_at <= now;
}

}  // namespace notifier
