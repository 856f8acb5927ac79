// Route logic (the order of checks is in api_handlers.hpp). Every function here runs in a
// request process: backend calls suspend the process, never a thread.
//
// GCC 12 coroutine note: arguments of co_await expressions are built in statements of their
// own (no braced aggregates or capturing lambdas inside a co_await).

#include "http/api_handlers.hpp"

#include "notifier/domain/token.hpp"

#include "http/json_codec.hpp"
#include "http/router.hpp"
#include <openssl/crypto.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace notifier::detail {

namespace {

using boost::beast::http::verb;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

/// The token of "Bearer <token>" (the scheme in any case), or nothing.
std::optional<std::string_view> bearer_token(std::string_view header) noexcept {
  header = trim(header);
  constexpr std::string_view scheme = "bearer";
  if (header.size() <= scheme.size() || !iequals(header.substr(0, scheme.size()), scheme)
      || (header[scheme.size()] != ' ' && header[scheme.size()] != '\t')) {
    return std::nullopt;
  }
  std::string_view token = trim(header.substr(scheme.size()));
  if (token.empty() || token.find_first_of(" \t") != std::string_view::npos) {
    return std::nullopt;
  }
  return token;
}

api_response json_response(unsigned status, const json& body) {
  api_response r;
  r.status = status;
  r.body = dump(body);
  return r;
}

/// 415 when the request has a body that is not application/json (parameters such as charset
/// are allowed), else nothing.
std::optional<api_response> check_media_type(const api_request& req) {
  if (req.body.empty()) {
    return std::nullopt;
  }
  std::string_view type = req.content_type;
  type = trim(type.substr(0, type.find(';')));
  if (iequals(type, "application/json")) {
    return std::nullopt;
  }
  return error_response(415, "unsupported_media_type", "the body must be application/json");
}

/// The request's body as a JSON object, or the 400/415 answer.
otter::expected<nlohmann::json, api_response> read_body(const api_request& req) {
  if (auto bad = check_media_type(req)) {
    return otter::unexpected<api_response>(std::move(*bad));
  }
  if (req.body.empty()) {
    return otter::unexpected<api_response>(
        error_response(400, "malformed_json", "a JSON object body is required"));
  }
  auto body = parse_object(req.body);
  if (!body) {
    return otter::unexpected<api_response>(error_response(400, "malformed_json", body.error()));
  }
  return std::move(*body);
}

struct page {
  std::int64_t after = 0;
  std::size_t limit = 0;
};

/// ?after=&limit= (docs/design/notifier_api.md#pagination), or the 400 answer.
otter::expected<page, api_response> parse_page(const api_context& ctx, std::string_view query) {
  auto bad = [](std::string message) {
    return otter::unexpected<api_response>(error_response(400, "invalid_query", message));
  };
  auto params = parse_query(query);
  if (!params) {
    return bad(params.error());
  }
  page p;
  p.limit = ctx.default_page_size;
  bool seen_after = false;
  bool seen_limit = false;
  for (const auto& [name, value] : *params) {
    bool is_after = name == "after";
    if (!is_after && name != "limit") {
      continue;  // unknown parameters are ignored, like unknown body fields
    }
    bool& seen = is_after ? seen_after : seen_limit;
    if (seen) {
      return bad("query parameter \"" + name + "\" given twice");
    }
    seen = true;
    if (value.empty()) {
      continue;  // "?after=" means the default
    }
    std::int64_t v = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    bool number = value.front() != '-' && ec == std::errc() && end == value.data() + value.size();
    if (is_after) {
      if (!number) {
        return bad("\"after\" must be an id (a non-negative integer)");
      }
      p.after = v;
    } else {
      if (!number || v < 1 || static_cast<std::uint64_t>(v) > ctx.max_page_size) {
        return bad("\"limit\" must be an integer from 1 to " + std::to_string(ctx.max_page_size));
      }
      p.limit = static_cast<std::size_t>(v);
    }
  }
  return p;
}

/// {"<key>": [items], "next": id|null}: `items` holds up to limit + 1 rows (one more than a
/// page shows tells whether another page exists without asking for an empty one).
template <class T>
api_response page_response(const char* key, std::vector<T> items, std::size_t limit) {
  json next;
  if (items.size() > limit) {
    items.resize(limit);
    next = items.back().id.value;
  }
  json list = json::array();
  for (const auto& item : items) {
    list.push_back(to_json(item));
  }
  json body{{key, std::move(list)}, {"next", std::move(next)}};
  return json_response(200, body);
}

/// Whether `req` carries the admin token (compared in constant time: both sides are hashed
/// first, so neither the length nor the content of the admin token leaks through timing).
bool is_admin(const api_context& ctx, const api_request& req) {
  auto token = bearer_token(req.authorization);
  if (!token || ctx.admin_token_hash.empty()) {
    return false;
  }
  std::string presented = hash_token(*token);
  return presented.size() == ctx.admin_token_hash.size()
         && CRYPTO_memcmp(presented.data(), ctx.admin_token_hash.data(), presented.size()) == 0;
}

otter::co<api_response> health(const api_context& ctx, const api_request& req) {
  api::health_report report = co_await ctx.backend->health();
  json body{
      {"status", report.store_ok ? "ok" : "unavailable"},
      {"store", report.store_ok ? "ok" : "unavailable"},
      {"workers", report.workers},
  };
  // The store's error text is for operators: it may name files or hosts.
  if (!report.store_ok && is_admin(ctx, req)) {
    body["detail"] = report.store_detail;
  }
  co_return json_response(report.store_ok ? 200 : 503, body);
}

otter::co<api_response> create_user(const api_context& ctx, const api_request& req) {
  if (!is_admin(ctx, req)) {
    co_return unauthorized_response(!req.authorization.empty());
  }
  auto body = read_body(req);
  if (!body) {
    co_return body.error();
  }
  auto draft = parse_user_draft(*body);
  if (!draft) {
    co_return error_response(400, "invalid_field", draft.error());
  }
  api::user_draft d = std::move(*draft);
  store_result<created_user> created = co_await ctx.backend->create_user(std::move(d));
  if (!created) {
    co_return store_error_response(created.error());
  }
  // The only answer that shows the token and the webhook secret: the store keeps the token's
  // hash only, and the user needs the secret to verify webhook signatures.
  json out{
      {"user", to_json(created->user)},
      {"token", created->token},
      {"webhook_secret", created->user.webhook_secret},
  };
  co_return json_response(201, out);
}

/// The caller, or the 401/503/500 answer.
otter::co<otter::expected<user, api_response>> authenticate(const api_context& ctx,
                                                            const api_request& req) {
  auto token = bearer_token(req.authorization);
  if (!token) {
    co_return otter::unexpected<api_response>(unauthorized_response(!req.authorization.empty()));
  }
  std::string t(*token);
  store_result<user> who = co_await ctx.backend->authenticate(std::move(t));
  if (!who) {
    bool unknown = who.error().code == store_errc::not_found;
    co_return otter::unexpected<api_response>(unknown ? unauthorized_response(true)
                                                      : store_error_response(who.error()));
  }
  co_return std::move(*who);
}

otter::co<api_response> list_tasks(const api_context& ctx, user_id owner, std::string_view query) {
  auto p = parse_page(ctx, query);
  if (!p) {
    co_return p.error();
  }
  auto tasks = co_await ctx.backend->list_tasks(owner, task_id{p->after}, p->limit + 1);
  if (!tasks) {
    co_return store_error_response(tasks.error());
  }
  co_return page_response("tasks", std::move(*tasks), p->limit);
}

otter::co<api_response> create_task(const api_context& ctx, user_id owner, const api_request& req) {
  auto body = read_body(req);
  if (!body) {
    co_return body.error();
  }
  auto draft = parse_task_draft(*body);
  if (!draft) {
    co_return error_response(400, "invalid_field", draft.error());
  }
  api::task_draft d = std::move(*draft);
  store_result<task> created = co_await ctx.backend->create_task(owner, std::move(d));
  if (!created) {
    co_return store_error_response(created.error());
  }
  co_return json_response(201, to_json(*created))
      .with_header("Location", "/tasks/" + std::to_string(created->id.value));
}

otter::co<api_response> list_notifications(const api_context& ctx, user_id owner, task_id id,
                                           std::string_view query) {
  auto p = parse_page(ctx, query);
  if (!p) {
    co_return p.error();
  }
  auto items =
      co_await ctx.backend->list_notifications(owner, id, notification_id{p->after}, p->limit + 1);
  if (!items) {
    co_return store_error_response(items.error());
  }
  co_return page_response("notifications", std::move(*items), p->limit);
}

/// One task in, the task out with `status` (GET, complete, notify).
api_response task_response(unsigned status, const store_result<task>& t) {
  return t ? json_response(status, to_json(*t)) : store_error_response(t.error());
}

}  // namespace

otter::co<api_response> handle_request(const api_context& ctx, api_request req) {
  route_match m = match_route(req.method, req.target);
  if (m.status == match_status::not_found) {
    co_return error_response(404, "not_found", "no such route");
  }
  if (m.status == match_status::method_not_allowed) {
    co_return error_response(405, "method_not_allowed", "method not allowed on this route")
        .with_header("Allow", m.allow);
  }
  if (m.status == match_status::matched && m.route == route::health) {
    co_return co_await health(ctx, req);
  }
  if (m.status == match_status::matched && m.route == route::create_user) {
    co_return co_await create_user(ctx, req);
  }
  auto who = co_await authenticate(ctx, req);
  if (!who) {
    co_return who.error();
  }
  if (m.status == match_status::bad_id) {
    co_return error_response(400, "invalid_id", "a task id is a positive integer");
  }
  const user_id owner = who->id;
  if (m.route == route::create_task) {
    co_return co_await create_task(ctx, owner, req);
  }
  // The other routes read no body, but a body of another type is refused all the same, so
  // that a client sending the wrong thing hears about it.
  if (auto bad = check_media_type(req)) {
    co_return std::move(*bad);
  }
  switch (m.route) {
    case route::list_tasks:
      co_return co_await list_tasks(ctx, owner, m.query);
    case route::show_task:
      co_return task_response(200, co_await ctx.backend->find_task(owner, m.id));
    case route::complete_task:
      co_return task_response(200, co_await ctx.backend->complete_task(owner, m.id));
    case route::notify_task:
      co_return task_response(202, co_await ctx.backend->notify_now(owner, m.id));
    case route::list_notifications:
      co_return co_await list_notifications(ctx, owner, m.id, m.query);
    case route::create_user:
    case route::create_task:
    case route::health:
      break;  // answered above
  }
  co_return internal_error_response();
}

}  // namespace notifier::detail
