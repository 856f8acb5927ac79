// The client's TLS contexts (client.hpp): peer verification on, TLS 1.2 at least, the system's
// default CA paths plus, for a request that names one, a PEM file of extra CAs.

#pragma once

#include "otter/core/expected.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace notifier::http::detail {

/// The context for requests that trust `ca_file` besides the system's default paths (`ca_file`
/// empty: the defaults only). The default context is built once and shared: an SSL_CTX may
/// serve many connections at once once configured. One naming a file is built per call (tests
/// and private CAs, rare enough). An error says what could not be loaded. @threadsafe
[[nodiscard]] otter::expected<std::shared_ptr<boost::asio::ssl::context>, std::string>
client_tls_context(const std::string& ca_file);

}  // namespace notifier::http::detail
