#include "http/api_response.hpp"

#include "http/json_codec.hpp"

namespace notifier::detail {

api_response error_response(unsigned status, std::string_view code, std::string_view message) {
  json body{{"error", json{{"code", code}, {"message", message}}}};
  api_response r;
  r.status = status;
  r.body = dump(body);
  return r;
}

api_response store_error_response(const store_error& e) {
  switch (e.code) {
    case store_errc::not_found:
      return error_response(404, "not_found", "no such resource");
    case store_errc::conflict:
      return error_response(409, "conflict", "the request conflicts with the resource's state");
    case store_errc::invalid:
      // The backend's validation text (domain validate()): about the client's own input.
      return error_response(400, "invalid_field", e.message);
    case store_errc::unavailable:
      return error_response(503, "unavailable", "the store is unavailable; retry later")
          .with_header("Retry-After", "1");
    case store_errc::internal:
      break;
  }
  return internal_error_response();
}

api_response internal_error_response() {
  return error_response(500, "internal", "internal error");
}

api_response unauthorized_response(bool presented) {
  return error_response(401, "unauthorized",
                        presented ? "the bearer token is not valid" : "a bearer token is required")
      .with_header("WWW-Authenticate", presented
                                           ? R"(Bearer realm="notifier", error="invalid_token")"
                                           : R"(Bearer realm="notifier")");
}

}  // namespace notifier::detail
