#include "notifier/channels/log_channel.hpp"

#include "otter/core/logger.hpp"
#include "otter/core/term.hpp"

namespace notifier::channels {

new_attempt deliver_log(const notification& n, timestamp now) {
  otter::log_event event{
      .level = otter::log_level::info, .kind = std::string(log_event_kind), .fields = {}};
  event.fields.reserve(4);
  event.fields.emplace_back("id", otter::term(static_cast<long long>(n.id.value)));
  event.fields.emplace_back("task", otter::term(static_cast<long long>(n.task.value)));
  event.fields.emplace_back("user", otter::term(static_cast<long long>(n.user.value)));
  event.fields.emplace_back("payload", otter::term::opaque(n.payload));
  otter::log(event);
  return new_attempt{.notification = n.id,
                     .attempted_at = now,
                     .outcome = attempt_outcome::delivered,
                     .detail = "logged"};
}

}  // namespace notifier::channels
