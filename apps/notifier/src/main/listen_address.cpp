#include "main/listen_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace notifier {

std::optional<listen_address> parse_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty()
      || port > 65535) {
    return std::nullopt;
  }
  boost::system::error_code bad;
  boost::asio::ip::make_address(std::string(host), bad);
  if (bad) {
    return std::nullopt;
  }
  return listen_address{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace notifier
