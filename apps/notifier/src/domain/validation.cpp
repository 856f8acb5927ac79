// Input checks shared by both stores (and, later, the HTTP API's 4xx answers).

#include "notifier/domain/task.hpp"
#include "notifier/domain/user.hpp"

#include <algorithm>

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

std::optional<std::string> check_url(std::string_view url) {
  if (url.size() > max_url_bytes) {
    return "webhook_url is longer than " + std::to_string(max_url_bytes) + " bytes";
  }
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return std::string("webhook_url must start with http:// or https://");
  }
  if (rest.empty() || rest.front() == '/') {
    return std::string("webhook_url has no host");
  }
  const bool bad_char = std::any_of(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (bad_char) {
    return std::string("webhook_url must not contain spaces or control characters");
  }
  return std::nullopt;
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
