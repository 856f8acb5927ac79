#include "http/router.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace notifier::detail {

namespace {

using boost::beast::http::verb;

/// Splits "/a/b/c" into its segments; nothing for a path that is not "/" followed by non-empty
/// segments (so "/tasks/" and "//tasks" match no route).
std::optional<std::vector<std::string_view>> segments_of(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return std::nullopt;
  }
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg.empty()) {
      return std::nullopt;
    }
    out.push_back(seg);
    if (slash == std::string_view::npos) {
      return out;
    }
    path.remove_prefix(slash + 1);
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

otter::expected<std::string, std::string> decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return otter::unexpected<std::string>("malformed %-escape in the query");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

route_match matched(route r, std::string_view query, task_id id = {}) {
  route_match m;
  m.status = match_status::matched;
  m.route = r;
  m.id = id;
  m.query = query;
  return m;
}

route_match not_allowed(std::string allow) {
  route_match m;
  m.status = match_status::method_not_allowed;
  m.allow = std::move(allow);
  return m;
}

route_match status_only(match_status s) {
  route_match m;
  m.status = s;
  return m;
}

}  // namespace

std::optional<std::int64_t> parse_id(std::string_view text) noexcept {
  if (text.empty() || text.front() < '0' || text.front() > '9') {
    return std::nullopt;  // from_chars would accept a leading '-'
  }
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) {
    return std::nullopt;
  }
  return v;
}

route_match match_route(verb method, std::string_view target) {
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  auto segs = segments_of(path);
  if (!segs) {
    return status_only(match_status::not_found);
  }
  const auto& s = *segs;
  if (s.size() == 1 && s[0] == "health") {
    return method == verb::get ? matched(route::health, query) : not_allowed("GET");
  }
  if (s.size() == 1 && s[0] == "users") {
    return method == verb::post ? matched(route::create_user, query) : not_allowed("POST");
  }
  if (s.empty() || s[0] != "tasks" || s.size() > 3) {
    return status_only(match_status::not_found);
  }
  if (s.size() == 1) {
    if (method == verb::get) {
      return matched(route::list_tasks, query);
    }
    return method == verb::post ? matched(route::create_task, query) : not_allowed("GET, POST");
  }
  // /tasks/{id}[/action]: the action decides the route and methods, then the id is checked,
  // so that an unknown action is 404 whatever the id, and a bad id is 400 on a known route.
  struct action {
    std::string_view name;
    verb method;
    detail::route route;
  };
  static constexpr std::array<action, 4> actions{{
      {"", verb::get, route::show_task},
      {"complete", verb::post, route::complete_task},
      {"notify", verb::post, route::notify_task},
      {"notifications", verb::get, route::list_notifications},
  }};
  std::string_view name = s.size() == 3 ? s[2] : std::string_view();
  for (const auto& a : actions) {
    if (a.name != name) {
      continue;
    }
    if (method != a.method) {
      return not_allowed(a.method == verb::get ? "GET" : "POST");
    }
    auto id = parse_id(s[1]);
    if (!id) {
      return status_only(match_status::bad_id);
    }
    return matched(a.route, query, task_id{*id});
  }
  return status_only(match_status::not_found);
}

otter::expected<std::vector<std::pair<std::string, std::string>>, std::string> parse_query(
    std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    auto eq = piece.find('=');
    auto name = decode(piece.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!name || !value) {
      return otter::unexpected<std::string>(!name ? name.error() : value.error());
    }
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace notifier::detail
