// Input checks shared by both stores and the HTTP API's 4xx answers.

#include "notifier/domain/task.hpp"
#include "notifier/domain/url.hpp"
#include "notifier/domain/user.hpp"

namespace notifier {

namespace {

bool has_nul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

std::optional<std::string> check_text(std::string_view what, std::string_view text, std::size_t min,
                                      std::size_t max) {
  if (text.size() < min) {
    return std::string(what) + " must not be empty";
  }
  if (text.size() > max) {
    return std::string(what) + " is longer than " + std::to_string(max) + " bytes";
  }
  if (has_nul(text)) {
    return std::string(what) + " must not contain NUL";
  }
  return std::nullopt;
}

// The webhook client's own splitter decides (url.hpp), so a stored URL is one it can use; its
// reasons name the "URL", which here is the webhook_url field.
std::optional<std::string> check_url(std::string_view url) {
  auto parsed = parse_http_url(url);
  if (parsed) {
    return std::nullopt;
  }
  std::string_view reason = parsed.error();
  if (reason.starts_with("URL ")) {
    reason.remove_prefix(4);
  }
  return "webhook_url " + std::string(reason);
}

}  // namespace

std::optional<std::string> validate(const new_user& u) {
  if (auto problem = check_text("name", u.name, 1, max_name_bytes)) {
    return problem;
  }
  if (u.webhook_url) {
    return check_url(*u.webhook_url);
  }
  return std::nullopt;
}

std::optional<std::string> validate(const new_task& t) {
  if (auto problem = check_text("title", t.title, 1, max_title_bytes)) {
    return problem;
  }
  if (t.details) {
    return check_text("details", *t.details, 0, max_details_bytes);
  }
  return std::nullopt;
}

}  // namespace notifier
