// A small synchronous HTTP/1.1 client for tests (Boost.Beast): one keep-alive connection to
// 127.0.0.1:port, one request at a time, every operation under a deadline.
//
//   notifier::testing::http_test_client client(server.port());
//   auto r = client.request("POST", "/tasks", R"({"title":"Pay rent"})", token);
//   EXPECT_EQ(r.status, 201);
//   EXPECT_EQ(r.json["title"], "Pay rent");
//
// The client never reconnects by itself: a test that sends several requests on one client
// sends them on one connection, or fails. send() and receive() split a request, so that a test
// can leave one in flight; send_raw() writes bytes that are not a well-formed request.
// Operations throw std::runtime_error on a network error or when the deadline passes.
//
// Thread safety: none; one thread uses a client.

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace notifier::testing {

struct http_response {
  unsigned status = 0;
  boost::beast::http::fields headers{};
  std::string body{};
  /// The body parsed as JSON; a discarded value when it is not JSON.
  nlohmann::json json{};
  /// Whether the server keeps the connection open after this response.
  bool keep_alive = false;

  /// The value of header `name`, or "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
  /// json["error"]["code"], or "" when the body is not an error.
  [[nodiscard]] std::string error_code() const;
};

class http_test_client {
public:
  /// Connects to 127.0.0.1:`port`.
  explicit http_test_client(std::uint16_t port,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));
  http_test_client(const http_test_client&) = delete;
  http_test_client& operator=(const http_test_client&) = delete;
  ~http_test_client();

  /// send() then receive().
  http_response request(std::string_view method, std::string_view target,
                        std::string_view body = {}, std::string_view token = {},
                        std::string_view content_type = "application/json");
  /// Writes a request: `token` (when not empty) as "Authorization: Bearer <token>", `body`
  /// (when not empty) with `content_type` (when not empty).
  void send(std::string_view method, std::string_view target, std::string_view body = {},
            std::string_view token = {}, std::string_view content_type = "application/json");
  /// Writes `bytes` as they are.
  void send_raw(std::string_view bytes);
  /// Reads one response.
  http_response receive();
  /// Reads whatever bytes come next, unparsed (empty at end of stream).
  std::string read_some();
  /// Whether the server has closed the connection: true on EOF or reset, false when nothing
  /// arrives within `wait` (the deadline then closes the client's socket); data that arrives
  /// instead is an error (the test expected none).
  bool closed_by_server(std::chrono::milliseconds wait = std::chrono::seconds(5));

  /// Whether the server sends anything (or closes) within `wait`; the connection stays usable
  /// either way. Tests use it to show that an answer is held back.
  bool readable_within(std::chrono::milliseconds wait);

  /// The client's local port: the same across requests on one connection.
  [[nodiscard]] std::uint16_t local_port() const;

private:
  /// Runs the context until the pending operation completes; throws on its error.
  void run(const char* what);

  std::chrono::milliseconds timeout_;
  boost::asio::io_context context_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::beast::error_code ec_;
};

}  // namespace notifier::testing
