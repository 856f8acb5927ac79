#include "notifier/domain/payload.hpp"

#include <nlohmann/json.hpp>

namespace notifier {

std::string_view to_string(reminder_reason r) noexcept {
  switch (r) {
    case reminder_reason::scheduled:
      return "scheduled";
    case reminder_reason::requested:
      return "requested";
  }
  return "unknown";
}

std::string reminder_payload(const task& t, reminder_reason reason, timestamp at) {
  nlohmann::ordered_json task_json{
      {"id", t.id.value},
      {"title", t.title},
      {"details", t.details ? nlohmann::ordered_json(*t.details) : nlohmann::ordered_json()},
      {"created_at", to_millis(t.created_at)},
  };
  nlohmann::ordered_json body{
      {"event", "task.reminder"}, {"reason", to_string(reason)},  {"at", to_millis(at)},
      {"user_id", t.user.value},  {"task", std::move(task_json)},
  };
  // replace: bad UTF-8 becomes U+FFFD instead of an exception (titles come from users).
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace notifier
