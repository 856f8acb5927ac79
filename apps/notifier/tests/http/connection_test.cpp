// HTTP/1.1 connection handling: keep-alive, pipelining, Connection: close, 100-continue, body
// and header limits, idle timeouts and the connection limit.

#include "http/server_test_fixture.hpp"

#include <string>

namespace notifier::testing {
namespace {

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  const auto port = c.local_port();
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("POST", "/tasks", R"({"title":"t"})", token);
    EXPECT_EQ(r.status, 201U);
    EXPECT_TRUE(r.keep_alive);
    auto bad = c.request("GET", "/tasks/abc", "", token);  // errors keep the connection too
    EXPECT_EQ(bad.status, 400U);
    EXPECT_TRUE(bad.keep_alive);
  }
  EXPECT_EQ(c.local_port(), port);
  EXPECT_EQ(c.request("GET", "/tasks", "", token).json["tasks"].size(), 5U);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  std::string auth = "Authorization: Bearer " + token + "\r\n";
  c.send_raw("GET /tasks/7 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"
             + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + "POST /tasks HTTP/1.1\r\nHost: x\r\n"
             + auth
             + "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"title\":\"p\"}");
  EXPECT_EQ(c.receive().status, 404U);
  EXPECT_EQ(c.receive().status, 200U);
  EXPECT_EQ(c.receive().status, 201U);
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10CloseAfterTheResponse) {
  http_test_client c(server_->port());
  c.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto r = c.receive();
  EXPECT_EQ(r.status, 200U);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.closed_by_server());

  http_test_client old(server_->port());
  old.send_raw("GET /health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.receive().status, 200U);
  EXPECT_TRUE(old.closed_by_server());
}

// HEAD is not a route's method (405), and its answer has no body, so that the next answer on
// the connection is read as such.
TEST_F(HttpServerTest, AHeadRequestIsAnsweredWithoutABody) {
  http_test_client c(server_->port());
  c.send_raw("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string raw;
  while (raw.find("\r\n\r\n") == std::string::npos || !contains(raw, "\"status\"")) {
    auto chunk = c.read_some();
    ASSERT_FALSE(chunk.empty());
    raw += chunk;
  }
  auto first_end = raw.find("\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 405", 0), 0U) << raw;
  EXPECT_EQ(raw.find("HTTP/1.1 200", first_end), first_end + 4) << raw;
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheAnswer) {
  auto token = create_user("ada");
  http_test_client c(server_->port());
  c.send_raw("POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
             "\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
             "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(c.receive().status, 100U);
  c.send_raw(R"({"title":"c"})");
  EXPECT_EQ(c.receive().status, 201U);
}

TEST_F(HttpServerTest, AnOversizedBodyIs413AndChangesNothing) {
  auto token = create_user("ada");
  // Declared too large: refused from the header, before the body is read.
  {
    http_test_client c(server_->port());
    std::string body = R"({"title":")" + std::string(64 * 1024, 'x') + R"("})";
    auto r = c.request("POST", "/tasks", body, token);
    EXPECT_EQ(r.status, 413U);
    EXPECT_EQ(r.error_code(), "payload_too_large");
    EXPECT_FALSE(r.keep_alive);
    EXPECT_TRUE(c.closed_by_server());
  }
  // Chunked, without a length: refused once the chunks pass the limit.
  {
    http_test_client c(server_->port());
    std::string chunk(40 * 1024, 'x');
    char size[16];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    c.send_raw("POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
               + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size
               + "\r\n" + chunk + "\r\n" + size + "\r\n" + chunk + "\r\n0\r\n\r\n");
    auto r = c.receive();
    EXPECT_EQ(r.status, 413U);
  }
  // Exactly the limit is fine (the body is then judged as JSON).
  {
    server_options options;
    options.max_body_bytes = 32;
    start_server(options);
    http_test_client c(server_->port());
    std::string body = R"({"title":")" + std::string(32 - 12, 'y') + R"("})";
    ASSERT_EQ(body.size(), 32U);
    EXPECT_EQ(c.request("POST", "/tasks", body, token).status, 201U);
    EXPECT_EQ(c.request("POST", "/tasks", body + " ", token).status, 413U);
  }
  EXPECT_EQ(backend_.task_count(), 1U);
}

TEST_F(HttpServerTest, AnOversizedHeaderIs431) {
  http_test_client c(server_->port());
  c.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'h')
             + "\r\n\r\n");
  auto r = c.receive();
  EXPECT_EQ(r.status, 431U);
  EXPECT_EQ(r.error_code(), "headers_too_large");
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosedAfterTheRequestTimeout) {
  server_options options;
  options.request_timeout = std::chrono::milliseconds(200);
  start_server(options);
  http_test_client idle(server_->port());
  EXPECT_TRUE(idle.closed_by_server(std::chrono::seconds(10)));
  http_test_client partial(server_->port());
  partial.send_raw("GET /health HTTP/1.1\r\nHo");  // a slow client
  EXPECT_TRUE(partial.closed_by_server(std::chrono::seconds(10)));
}

// With room for one connection, a second client waits in the listen backlog until the first
// closes; then it is served.
TEST_F(HttpServerTest, TheConnectionLimitHoldsNewcomersBackUntilOneCloses) {
  server_options options;
  options.max_connections = 1;
  start_server(options);
  auto first = connect();
  ASSERT_EQ(first->request("GET", "/health").status, 200U);
  http_test_client second(server_->port());  // the kernel completes the handshake
  second.send("GET", "/health");
  EXPECT_FALSE(second.readable_within(std::chrono::milliseconds(300)));
  first.reset();
  EXPECT_EQ(second.receive().status, 200U);
}

}  // namespace
}  // namespace notifier::testing
