// The stored (text) forms of the domain's enums.

#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"

namespace notifier {

std::string_view to_string(task_status s) noexcept {
  return s == task_status::open ? "open" : "completed";
}

std::optional<task_status> parse_task_status(std::string_view text) noexcept {
  if (text == "open") {
    return task_status::open;
  }
  if (text == "completed") {
    return task_status::completed;
  }
  return std::nullopt;
}

std::string_view to_string(channel c) noexcept {
  return c == channel::log ? "log" : "webhook";
}

std::optional<channel> parse_channel(std::string_view text) noexcept {
  if (text == "log") {
    return channel::log;
  }
  if (text == "webhook") {
    return channel::webhook;
  }
  return std::nullopt;
}

channel channel_for(const user& u) noexcept {
  return u.webhook_url ? channel::webhook : channel::log;
}

std::string_view to_string(attempt_outcome o) noexcept {
  return o == attempt_outcome::delivered ? "delivered" : "failed";
}

std::optional<attempt_outcome> parse_attempt_outcome(std::string_view text) noexcept {
  if (text == "delivered") {
    return attempt_outcome::delivered;
  }
  if (text == "failed") {
    return attempt_outcome::failed;
  }
  return std::nullopt;
}

}  // namespace notifier
