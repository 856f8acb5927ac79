// What a request handler answers (api_handlers.hpp), before the connection turns it into an
// HTTP response (server_connection.cpp), and the error answers of docs/design/notifier_api.md.
//
// The body is JSON text, serialized by the request process so that the I/O thread only copies
// it. Error bodies are {"error":{"code":"...","message":"..."}}.
//
// Thread safety: values and pure functions.

#pragma once

#include "notifier/store/store_error.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notifier::detail {

struct api_response {
  unsigned status = 200;
  std::string body{};                                          // JSON text
  std::vector<std::pair<std::string, std::string>> headers{};  // beyond Content-Type

  /// Adds a header; returns *this for chaining.
  api_response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

/// An error answer: `status` with {"error":{"code":code,"message":message}}.
[[nodiscard]] api_response error_response(unsigned status, std::string_view code,
                                          std::string_view message);

/// The answer for a backend failure: not_found 404, conflict 409, invalid 400 (the message is
/// the backend's validation text), unavailable 503 (with Retry-After), internal 500. Only the
/// invalid message reaches the client: the others may name ids or the store's own errors.
[[nodiscard]] api_response store_error_response(const store_error& e);

/// 500 {"code":"internal"}: a handler that crashed or never answered.
[[nodiscard]] api_response internal_error_response();

/// 401 with WWW-Authenticate: Bearer; `presented` says whether a token was sent (then the
/// challenge carries error="invalid_token", RFC 6750 section 3).
[[nodiscard]] api_response unauthorized_response(bool presented);

}  // namespace notifier::detail
