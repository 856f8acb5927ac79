// Route matching and query strings of the API (docs/design/notifier_api.md#routes).
//
// A target is origin-form: "/path" or "/path?query". The path is matched segment by segment,
// without percent-decoding (no route has an escaped character, and ids are plain digits); a
// trailing slash or an empty segment matches nothing. A known path with another method matches
// as method_not_allowed, with the methods it allows.
//
// Thread safety: pure functions.

#pragma once

#include "notifier/domain/ids.hpp"
#include "otter/core/expected.hpp"

#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notifier::detail {

enum class route : std::uint8_t {
  create_user,         // POST /users
  list_tasks,          // GET  /tasks
  create_task,         // POST /tasks
  show_task,           // GET  /tasks/{id}
  complete_task,       // POST /tasks/{id}/complete
  notify_task,         // POST /tasks/{id}/notify
  list_notifications,  // GET  /tasks/{id}/notifications
  health,              // GET  /health
};

enum class match_status : std::uint8_t {
  matched,
  not_found,           // no route has this path
  method_not_allowed,  // the path exists; `allow` lists its methods
  bad_id,              // the path has an {id} that is not a positive 64-bit decimal integer
};

struct route_match {
  match_status status = match_status::not_found;
  detail::route route = detail::route::health;
  task_id id{};            // the {id} of /tasks/{id}...
  std::string allow{};     // "GET, POST" with method_not_allowed
  std::string_view query;  // the text after '?', into the target
};

/// The route `method target` names.
[[nodiscard]] route_match match_route(boost::beast::http::verb method, std::string_view target);

/// A positive decimal int64 without sign or spaces ("42"), or nothing.
[[nodiscard]] std::optional<std::int64_t> parse_id(std::string_view text) noexcept;

/// `query` split into decoded (name, value) pairs: '&'-separated, '=' between name and value
/// (a missing '=' gives an empty value), '+' and %XX decoded. Empty pieces are skipped. The
/// error names a malformed %-escape.
[[nodiscard]] otter::expected<std::vector<std::pair<std::string, std::string>>, std::string>
parse_query(std::string_view query);

}  // namespace notifier::detail
