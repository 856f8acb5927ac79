// parse_http_url: the strict splitter of webhook URLs (url.hpp).
//
// Boost 1.74 has no Boost.URL, and the URLs to accept are few: absolute http(s) URLs. So this
// is a small parser of
// scheme://authority[/path][?query][#fragment] (RFC 3986, section 3) that refuses rather than
// guesses: anything it does not understand is a reason, which becomes a bad_url failure.

#include "notifier/domain/url.hpp"

#include "notifier/domain/user.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>

namespace notifier {

namespace {

using parse_result = otter::expected<http_url, std::string>;

parse_result bad(std::string why) {
  return otter::unexpected<std::string>(std::move(why));
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
         || c == '.' || c == '_';
}

// Path and query bytes: printable ASCII passes as it is ('%' escapes are the sender's), bytes
// above 0x7F are percent-encoded (the request line is ASCII), the rest was rejected before.
std::string encode_target(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

parse_result parse_http_url(std::string_view url) {
  if (url.size() > max_url_bytes) {
    return bad("URL is longer than " + std::to_string(max_url_bytes) + " bytes");
  }
  const bool bad_char = std::any_of(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (bad_char) {
    return bad("URL contains spaces or control characters");
  }
  http_url out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return bad("URL must start with http:// or https://");
  }
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);  // the fragment is the client's, never sent
  }
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad("URL must not contain user info (user@host)");
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("URL has an unclosed IPv6 address");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return bad("URL has characters after its IPv6 address");
      }
      has_port = true;
      port_text = after.substr(1);
    }
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) {
      return bad("URL has an invalid IPv6 address");
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (!std::all_of(host.begin(), host.end(), is_host_char)) {
      return bad("URL host may hold only letters, digits, '-', '.' and '_'");
    }
  }
  if (host.empty()) {
    return bad("URL has no host");
  }

  out.port = out.tls ? 443 : 80;
  if (has_port) {
    unsigned value = 0;
    const char* first = port_text.data();
    const char* last = first + port_text.size();
    const auto [end, ec] = std::from_chars(first, last, value);
    const bool digits_only = std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; });
    if (port_text.empty() || !digits_only || ec != std::errc{} || end != last || value == 0
        || value > 65535) {
      return bad("URL port must be a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }

  out.host = std::string(host);
  const bool ipv6 = authority.starts_with('[');
  out.host_header = ipv6 ? "[" + out.host + "]" : out.host;
  if (out.port != (out.tls ? 443 : 80)) {
    out.host_header += ":" + std::to_string(out.port);
  }
  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = "/" + encode_target(target);
  } else {
    out.target = encode_target(target);
  }
  return out;
}

}  // namespace notifier
