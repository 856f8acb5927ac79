// main/listen_address.hpp: the --listen value, HOST:PORT ("127.0.0.1:8080",
// "[::1]:0", "0.0.0.0:80"); the host must be an IP literal (the HTTP server
// binds to it).

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace notifier {

struct listen_address {
  std::string host;
  std::uint16_t port = 0;
};

/// The address `text` names, or nothing when it is not HOST:PORT with a port in
/// 0..65535.
[[nodiscard]] std::optional<listen_address> parse_listen_address(std::string_view text);

}  // namespace notifier
