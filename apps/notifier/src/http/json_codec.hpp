// The API's JSON forms of the domain types, and the drafts read from request bodies
// (docs/design/notifier_api.md#json-shapes).
//
// Times are RFC 3339 strings in UTC with milliseconds ("2026-11-21T14:43:08.123Z"). Ids are
// JSON numbers. A user's token_hash and webhook_secret are never encoded here: the one answer
// that shows a secret (POST /users) adds it itself.
//
// Thread safety: pure functions.

#pragma once

#include "notifier/api/backend.hpp"
#include "notifier/domain/clock.hpp"
#include "notifier/domain/notification.hpp"
#include "notifier/domain/task.hpp"
#include "notifier/domain/user.hpp"
#include "otter/core/expected.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace notifier::detail {

using json = nlohmann::ordered_json;

/// "YYYY-MM-DDTHH:MM:SS.mmmZ" (years outside 0..9999 are written with as many digits as they
/// need, and a sign when negative).
[[nodiscard]] std::string format_time(timestamp t);

/// {"id","name","webhook_url","created_at"}.
[[nodiscard]] json to_json(const user& u);
/// {"id","user_id","title","details","status","created_at","completed_at","next_notify_at"}.
[[nodiscard]] json to_json(const task& t);
/// {"id","task_id","channel","payload","created_at","delivered_at","attempts"}; the payload is
/// embedded as JSON (it is JSON text), or as a string if it does not parse.
[[nodiscard]] json to_json(const notification& n);

/// The text of `j`; invalid UTF-8 in strings becomes U+FFFD (titles come from users, and the
/// backend may hand back bytes it did not validate).
[[nodiscard]] std::string dump(const json& j);

/// `body` parsed as a JSON object, or the reason it is not one. Duplicate keys: the last wins.
[[nodiscard]] otter::expected<nlohmann::json, std::string> parse_object(std::string_view body);

/// POST /users: {"name": string, "webhook_url"?: string|null}; unknown fields are ignored.
/// The error names the offending field.
[[nodiscard]] otter::expected<api::user_draft, std::string> parse_user_draft(
    const nlohmann::json& body);
/// POST /tasks: {"title": string, "details"?: string|null}; unknown fields are ignored.
[[nodiscard]] otter::expected<api::task_draft, std::string> parse_task_draft(
    const nlohmann::json& body);

}  // namespace notifier::detail
