#include "http/json_codec.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>

namespace notifier::detail {

namespace {

json optional_string(const std::optional<std::string>& s) {
  return s ? json(*s) : json();
}

json optional_time(const std::optional<timestamp>& t) {
  return t ? json(format_time(*t)) : json();
}

/// The string under `key`. An optional field may be absent or null (then nothing); a required
/// one must be present; either must otherwise be a string. The error names the field.
otter::expected<std::optional<std::string>, std::string> string_field(const nlohmann::json& body,
                                                                      const char* key,
                                                                      bool required) {
  auto it = body.find(key);
  if (it == body.end() || (!required && it->is_null())) {
    if (required) {
      return otter::unexpected<std::string>(std::string("missing field \"") + key + "\"");
    }
    return std::optional<std::string>();
  }
  if (!it->is_string()) {
    return otter::unexpected<std::string>(std::string("field \"") + key + "\" must be a string"
                                          + (required ? "" : " or null"));
  }
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

std::string format_time(timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  const int y = static_cast<int>(ymd.year());
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y < 0 ? "-" : "",
                y < 0 ? -y : y, static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

json to_json(const user& u) {
  return json{
      {"id", u.id.value},
      {"name", u.name},
      {"webhook_url", optional_string(u.webhook_url)},
      {"created_at", format_time(u.created_at)},
  };
}

json to_json(const task& t) {
  return json{
      {"id", t.id.value},
      {"user_id", t.user.value},
      {"title", t.title},
      {"details", optional_string(t.details)},
      {"status", to_string(t.status)},
      {"created_at", format_time(t.created_at)},
      {"completed_at", optional_time(t.completed_at)},
      {"next_notify_at", format_time(t.next_notify_at)},
  };
}

json to_json(const notification& n) {
  json payload = json::parse(n.payload, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) {
    payload = n.payload;
  }
  return json{
      {"id", n.id.value},
      {"task_id", n.task.value},
      {"channel", to_string(n.channel)},
      {"payload", std::move(payload)},
      {"created_at", format_time(n.created_at)},
      {"delivered_at", optional_time(n.delivered_at)},
      {"attempts", n.attempts},
  };
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

otter::expected<nlohmann::json, std::string> parse_object(std::string_view body) {
  // No exceptions: a parse error is the client's, not ours. nlohmann's parser is iterative and
  // checks UTF-8, so a deeply nested or badly encoded body is an error, not a crash.
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return otter::unexpected<std::string>("the body is not valid JSON");
  }
  if (!j.is_object()) {
    return otter::unexpected<std::string>("the body must be a JSON object");
  }
  return j;
}

otter::expected<api::user_draft, std::string> parse_user_draft(const nlohmann::json& body) {
  auto name = string_field(body, "name", true);
  if (!name) {
    return otter::unexpected<std::string>(name.error());
  }
  auto url = string_field(body, "webhook_url", false);
  if (!url) {
    return otter::unexpected<std::string>(url.error());
  }
  api::user_draft draft;
  draft.name = std::move(**name);
  draft.webhook_url = std::move(*url);
  return draft;
}

otter::expected<api::task_draft, std::string> parse_task_draft(const nlohmann::json& body) {
  auto title = string_field(body, "title", true);
  if (!title) {
    return otter::unexpected<std::string>(title.error());
  }
  auto details = string_field(body, "details", false);
  if (!details) {
    return otter::unexpected<std::string>(details.error());
  }
  api::task_draft draft;
  draft.title = std::move(**title);
  draft.details = std::move(*details);
  return draft;
}

}  // namespace notifier::detail
