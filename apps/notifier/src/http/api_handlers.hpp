// The API's route logic: from a parsed request to an api_response, inside a request process
// (docs/design/notifier_api.md).
//
// Checks run in this order, so that a client learns nothing it may not know and a bad request
// changes nothing: route and method (404, 405); authentication (401; none for /health, the
// admin token for POST /users); the id and the query (400); the body's media type (415) and
// content (400); then one backend call, whose failure maps to its status (api_response.hpp).
//
// Thread safety: handle_request is @in_process; any number run at once (api_context is only
// read, and the backend is @threadsafe).

#pragma once

#include "notifier/api/backend.hpp"
#include "otter/core/co.hpp"

#include "http/api_response.hpp"
#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <string>

namespace notifier::detail {

/// What a handler needs besides the request. Constant after the server starts.
struct api_context {
  api::backend* backend = nullptr;
  /// hash_token(admin token), or empty when user creation is disabled.
  std::string admin_token_hash{};
  std::size_t default_page_size = 100;
  std::size_t max_page_size = 500;
};

/// The parts of an HTTP request the handlers read.
struct api_request {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string target{};
  std::string authorization{};  // the Authorization header, empty when absent
  std::string content_type{};   // the Content-Type header, empty when absent
  std::string body{};
};

/// Answers `req`. Backend failures become error answers; an exception (from the backend, or a
/// bug) propagates to the caller, which answers 500 for it. @in_process
[[nodiscard]] otter::co<api_response> handle_request(const api_context& ctx, api_request req);

}  // namespace notifier::detail
