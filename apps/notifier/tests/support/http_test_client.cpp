#include "support/http_test_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <stdexcept>

namespace notifier::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string http_response::header(std::string_view name) const {
  auto it = headers.find(beast::string_view(name.data(), name.size()));
  return it == headers.end() ? std::string() : std::string(it->value());
}

std::string http_response::error_code() const {
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()
      || !json["error"].contains("code") || !json["error"]["code"].is_string()) {
    return "";
  }
  return json["error"]["code"].get<std::string>();
}

http_test_client::http_test_client(std::uint16_t port, std::chrono::milliseconds timeout)
    : timeout_(timeout), stream_(context_) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  stream_.expires_after(timeout_);
  stream_.async_connect(endpoint, [this](beast::error_code ec) { ec_ = ec; });
  run("connect");
}

http_test_client::~http_test_client() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

void http_test_client::run(const char* what) {
  context_.restart();
  context_.run();
  if (ec_) {
    throw std::runtime_error(std::string("http_test_client: ") + what + ": " + ec_.message());
  }
}

http_response http_test_client::request(std::string_view method, std::string_view target,
                                        std::string_view body, std::string_view token,
                                        std::string_view content_type) {
  send(method, target, body, token, content_type);
  return receive();
}

void http_test_client::send(std::string_view method, std::string_view target, std::string_view body,
                            std::string_view token, std::string_view content_type) {
  http::request<http::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) {
    req.set(http::field::authorization, "Bearer " + std::string(token));
  }
  if (!body.empty() && !content_type.empty()) {
    req.set(http::field::content_type,
            beast::string_view(content_type.data(), content_type.size()));
  }
  req.body() = std::string(body);
  req.prepare_payload();
  stream_.expires_after(timeout_);
  http::async_write(stream_, req, [this](beast::error_code ec, std::size_t) { ec_ = ec; });
  run("write");
}

void http_test_client::send_raw(std::string_view bytes) {
  stream_.expires_after(timeout_);
  asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                    [this](beast::error_code ec, std::size_t) { ec_ = ec; });
  run("write");
}

http_response http_test_client::receive() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  stream_.expires_after(timeout_);
  http::async_read(stream_, buffer_, parser,
                   [this](beast::error_code ec, std::size_t) { ec_ = ec; });
  run("read");
  auto msg = parser.release();
  http_response out;
  out.status = msg.result_int();
  out.keep_alive = msg.keep_alive();
  out.headers = msg.base();
  out.body = std::move(msg.body());
  out.json = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
  return out;
}

std::string http_test_client::read_some() {
  if (buffer_.size() != 0) {
    std::string out = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return out;
  }
  std::array<char, 4096> scratch{};
  std::size_t got = 0;
  stream_.expires_after(timeout_);
  stream_.async_read_some(asio::buffer(scratch), [this, &got](beast::error_code ec, std::size_t n) {
    ec_ = ec == asio::error::eof ? beast::error_code() : ec;
    got = n;
  });
  run("read");
  return std::string(scratch.data(), got);
}

bool http_test_client::closed_by_server(std::chrono::milliseconds wait) {
  if (buffer_.size() != 0) {
    throw std::runtime_error("http_test_client: unread data from the server");
  }
  std::array<char, 256> scratch{};
  std::size_t got = 0;
  stream_.expires_after(wait);
  stream_.async_read_some(asio::buffer(scratch), [this, &got](beast::error_code ec, std::size_t n) {
    ec_ = ec;
    got = n;
  });
  context_.restart();
  context_.run();
  if (ec_ == beast::error::timeout) {
    return false;
  }
  if (ec_ == asio::error::eof || ec_ == asio::error::connection_reset) {
    return true;
  }
  if (ec_) {
    throw std::runtime_error("http_test_client: wait for close: " + ec_.message());
  }
  throw std::runtime_error("http_test_client: unexpected data: "
                           + std::string(scratch.data(), got));
}

bool http_test_client::readable_within(std::chrono::milliseconds wait) {
  if (buffer_.size() != 0) {
    return true;
  }
  asio::steady_timer timer(context_, wait);
  bool readable = false;
  stream_.socket().async_wait(asio::socket_base::wait_read, [&](beast::error_code ec) {
    readable = !ec;
    timer.cancel();
  });
  timer.async_wait([&](beast::error_code ec) {
    if (!ec) {
      stream_.socket().cancel();
    }
  });
  context_.restart();
  context_.run();
  return readable;
}

std::uint16_t http_test_client::local_port() const {
  return stream_.socket().local_endpoint().port();
}

}  // namespace notifier::testing
