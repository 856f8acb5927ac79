#include "http/client_tls.hpp"

#include <openssl/ssl.h>

namespace notifier::http::detail {

namespace {

using context_result = otter::expected<std::shared_ptr<boost::asio::ssl::context>, std::string>;

context_result make_context(const std::string& ca_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                   | ssl::context::no_sslv3);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) {
    return otter::unexpected<std::string>("cannot load the system's CA paths: " + ec.message());
  }
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) {
      return otter::unexpected<std::string>("cannot load CA file " + ca_file + ": " + ec.message());
    }
  }
  return ctx;
}

}  // namespace

context_result client_tls_context(const std::string& ca_file) {
  if (!ca_file.empty()) {
    return make_context(ca_file);
  }
  // Built on first use (a thread-safe static); an error is kept too, and reported each time.
  static const context_result shared = make_context({});
  return shared;
}

}  // namespace notifier::http::detail
