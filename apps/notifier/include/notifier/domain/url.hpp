// notifier/domain/url.hpp: the strict splitter of webhook URLs, shared by the input rules
// (validate(new_user), user.hpp) and the webhook client (http/client.hpp), so that a URL is
// refused when a user is created, with its reason, rather than at every delivery.
//
// Thread safety: a pure function.

#pragma once

#include "otter/core/expected.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace notifier {

/// A URL split for a request.
struct http_url {
  bool tls = false;           // https
  std::string host{};         // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 0;     // the explicit port, else 80 or 443
  std::string target = "/";   // path and query, as sent on the request line
  std::string host_header{};  // host[:port] as the Host header carries it
};

/// Splits `url` = scheme://host[:port][/path][?query][#fragment], strictly: the scheme is
/// `http` or `https` (lowercase); the host is a DNS name
/// (letters, digits, '-', '.', '_') or an IP address ([...] for IPv6); the port, when given, is
/// 1..65535 in decimal; the path and query keep their characters, except bytes above 0x7F,
/// which are percent-encoded; the fragment is dropped (it is never sent). Rejected with a
/// reason: user info (user:pw@), spaces and control characters, an empty host, a URL longer
/// than max_url_bytes. validate() accepts a user's webhook_url exactly when this does. @threadsafe
[[nodiscard]] otter::expected<http_url, std::string> parse_http_url(std::string_view url);

}  // namespace notifier
