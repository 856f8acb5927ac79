// tests/channels/client_test.cpp: the webhook client (notifier/http/client.hpp) against the
// local receiver (tests/support/webhook_receiver.hpp): the callback API on the I/O threads, and
// post() inside processes of the threaded runtime.

#include "notifier/http/client.hpp"

#include "notifier/io/io_runner.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/runtime.hpp"

#include "support/webhook_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace notifier::http {
namespace {

using namespace std::chrono_literals;
using test_support::scripted_reply;
using test_support::webhook_receiver;

struct callback_result {
  http_result result;
  std::thread::id thread;
};

// async_post, waited for by the test's thread.
callback_result post_and_wait(io_runner& io, http_request request) {
  std::promise<callback_result> done;
  auto got = done.get_future();
  async_post(io, std::move(request), [&done](http_result r) {
    done.set_value(callback_result{std::move(r), std::this_thread::get_id()});
  });
  return got.get();
}

// A port on 127.0.0.1 that nothing listens on (it was free a moment ago).
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

TEST(ClientTest, AsyncPostSendsThePostAndReportsTheResponseOnAnIoThread) {
  webhook_receiver rx;
  rx.script({{.status = 201, .body = "created", .hang = false}});
  io_runner io(1);
  http_request request{.url = rx.url("/in?x=1"),
                       .body = R"({"a":1})",
                       .headers = {{"Content-Type", "application/json"}, {"X-Extra", "yes"}},
                       .timeout = 5s,
                       .max_response_bytes = 1024,
                       .ca_file = {}};
  callback_result got = post_and_wait(io, std::move(request));

  ASSERT_TRUE(got.result) << got.result.error().message;
  EXPECT_EQ(got.result->status, 201);
  EXPECT_EQ(got.result->body, "created");
  EXPECT_NE(got.thread, std::this_thread::get_id());

  ASSERT_EQ(rx.request_count(), 1u);
  const auto seen = rx.requests().front();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/in?x=1");
  EXPECT_EQ(seen.body, R"({"a":1})");
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(rx.port()));
  EXPECT_EQ(seen.header("Content-Length"), "7");
  EXPECT_EQ(seen.header("Content-Type"), "application/json");
  EXPECT_EQ(seen.header("X-Extra"), "yes");
  EXPECT_EQ(seen.header("Connection"), "close");
  EXPECT_EQ(seen.header("User-Agent"), "otter-notifier/1");
}

TEST(ClientTest, AGivenUserAgentReplacesTheDefault) {
  webhook_receiver rx;
  io_runner io(1);
  http_request request{.url = rx.url(), .headers = {{"User-Agent", "mine/2"}}};
  ASSERT_TRUE(post_and_wait(io, std::move(request)).result);
  ASSERT_EQ(rx.request_count(), 1u);
  EXPECT_EQ(rx.requests().front().header("User-Agent"), "mine/2");
}

TEST(ClientTest, AnyStatusIsAResponse) {
  webhook_receiver rx;
  rx.script({{.status = 503, .body = "busy", .hang = false}});
  io_runner io(1);
  callback_result got = post_and_wait(io, http_request{.url = rx.url()});
  ASSERT_TRUE(got.result);
  EXPECT_EQ(got.result->status, 503);
  EXPECT_EQ(got.result->body, "busy");
}

TEST(ClientTest, ABadUrlIsReportedThroughTheCallbackWithoutSending) {
  io_runner io(1);
  callback_result got = post_and_wait(io, http_request{.url = "ftp://example.com/"});
  ASSERT_FALSE(got.result);
  EXPECT_EQ(got.result.error().kind, http_failure_kind::bad_url);
  EXPECT_NE(got.result.error().message.find("http://"), std::string::npos);
  EXPECT_NE(got.thread, std::this_thread::get_id());
}

TEST(ClientTest, ARefusedConnectionIsAConnectFailure) {
  io_runner io(1);
  const std::uint16_t port = closed_port();
  callback_result got =
      post_and_wait(io, http_request{.url = "http://127.0.0.1:" + std::to_string(port) + "/"});
  ASSERT_FALSE(got.result);
  EXPECT_EQ(got.result.error().kind, http_failure_kind::connect);
  EXPECT_EQ(got.result.error().message,
            "connection refused (127.0.0.1:" + std::to_string(port) + ")");
}

TEST(ClientTest, AReceiverThatHangsEndsInATimeoutAtTheDeadline) {
  webhook_receiver rx;
  rx.set_default_reply({.status = 200, .body = {}, .hang = true});
  io_runner io(1);
  const auto start = std::chrono::steady_clock::now();
  callback_result got = post_and_wait(io, http_request{.url = rx.url(), .timeout = 300ms});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got.result);
  EXPECT_EQ(got.result.error().kind, http_failure_kind::timeout);
  EXPECT_EQ(got.result.error().message, "timeout after 300 ms");
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(rx.request_count(), 1u);  // the request was sent and read; only the answer hung
}

TEST(ClientTest, AResponseBodyAboveTheLimitIsTooLarge) {
  webhook_receiver rx;
  rx.script({{.status = 200, .body = std::string(1000, 'x'), .hang = false}});
  io_runner io(1);
  callback_result got = post_and_wait(io, http_request{.url = rx.url(), .max_response_bytes = 100});
  ASSERT_FALSE(got.result) << got.result->status << " " << got.result->body.size();
  EXPECT_EQ(got.result.error().kind, http_failure_kind::too_large);
  EXPECT_EQ(got.result.error().message, "response body larger than 100 bytes");
}

TEST(ClientTest, AResponseBodyAtTheLimitIsRead) {
  webhook_receiver rx;
  rx.script({{.status = 200, .body = std::string(100, 'x'), .hang = false}});
  io_runner io(1);
  callback_result got = post_and_wait(io, http_request{.url = rx.url(), .max_response_bytes = 100});
  ASSERT_TRUE(got.result);
  EXPECT_EQ(got.result->body.size(), 100u);
}

TEST(ClientTest, HeadersThatWouldSplitTheRequestAreRefused) {
  io_runner io(1);
  auto with = [](std::string name, std::string value) {
    return http_request{.url = "http://127.0.0.1:9/", .headers = {{name, value}}};
  };
  auto ignore = [](http_result) {
  };
  EXPECT_THROW(async_post(io, with("X-A", "a\r\nX-B: b"), ignore), std::invalid_argument);
  EXPECT_THROW(async_post(io, with("X A", "a"), ignore), std::invalid_argument);
  EXPECT_THROW(async_post(io, with("", "a"), ignore), std::invalid_argument);
  EXPECT_THROW(async_post(io, with("content-length", "1"), ignore), std::invalid_argument);
  EXPECT_THROW(async_post(io, with("Host", "elsewhere"), ignore), std::invalid_argument);
}

TEST(ClientTest, ManyExchangesAtOnceEachGetTheirOwnResult) {
  webhook_receiver rx;
  io_runner io(2);
  constexpr int n = 20;
  std::vector<std::promise<http_result>> done(n);
  for (int i = 0; i < n; ++i) {
    async_post(io, http_request{.url = rx.url("/" + std::to_string(i))},
               [&done, i](http_result r) { done[static_cast<std::size_t>(i)].set_value(r); });
  }
  for (auto& d : done) {
    auto r = d.get_future().get();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(rx.request_count(), static_cast<std::size_t>(n));
}

// -- post(), inside processes --------------------------------------------------------------

class ClientProcessTest : public ::testing::Test {
protected:
  // Declared before the io_runner: the I/O threads stop (and stop sending) first.
  otter::runtime rt{otter::runtime_options{.schedulers = 2}};
  io_runner io{1};
};

TEST_F(ClientProcessTest, PostReturnsTheResponseInTheCallingProcess) {
  webhook_receiver rx;
  rx.script({{.status = 202, .body = "queued", .hang = false}});
  const std::string url = rx.url();
  http_result r = rt.run([this, url]() -> otter::co<http_result> {
    http_request request{.url = url, .body = "hello"};
    co_return co_await post(io, std::move(request));
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "queued");
  ASSERT_EQ(rx.request_count(), 1u);
  EXPECT_EQ(rx.requests().front().body, "hello");
}

TEST_F(ClientProcessTest, PostLeavesOtherMessagesInTheMailboxInOrder) {
  webhook_receiver rx;
  const std::string url = rx.url();
  std::vector<int> seen = rt.run([this, url]() -> otter::co<std::vector<int>> {
    otter::send(otter::self(), 1);
    otter::send(otter::self(), 2);
    http_request request{.url = url};
    http_result r = co_await post(io, std::move(request));
    EXPECT_TRUE(r);
    otter::send(otter::self(), 3);
    std::vector<int> got;
    for (int i = 0; i < 3; ++i) {
      got.push_back(co_await otter::receive<int>());
    }
    auto extra = co_await otter::receive_any(0);
    EXPECT_FALSE(extra) << "unexpected message left in the mailbox";
    co_return got;
  });
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
}

TEST_F(ClientProcessTest, PostReportsFailuresAsValues) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  http_result r = rt.run([this, url]() -> otter::co<http_result> {
    http_request request{.url = url};
    co_return co_await post(io, std::move(request));
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, http_failure_kind::connect);
}

TEST_F(ClientProcessTest, PostGivesUpAfterTheTimeoutWhenTheIoThreadsHaveStopped) {
  io.stop();
  http_result r = rt.run([this]() -> otter::co<http_result> {
    http_request request{.url = "http://127.0.0.1:9/", .timeout = 100ms};
    http_result result = co_await post(io, std::move(request));
    auto extra = co_await otter::receive_any(0);
    EXPECT_FALSE(extra);
    co_return result;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, http_failure_kind::timeout);
}

TEST_F(ClientProcessTest, AProcessThatDiesWhileWaitingDoesNotDisturbTheIoThreads) {
  webhook_receiver rx;
  rx.script({{.status = 200, .body = {}, .hang = true}});
  const std::string hang_url = rx.url("/hang");
  const std::string ok_url = rx.url("/ok");
  http_result r = rt.run([this, hang_url, ok_url]() -> otter::co<http_result> {
    auto waiter = [this, hang_url]() -> otter::co<void> {
      http_request request{.url = hang_url, .timeout = 200ms};
      (void)co_await post(io, std::move(request));
    };
    auto [victim, monitor] = otter::spawn_monitor(waiter);
    // Kill it once its request is on the wire, then let its result come back to nobody.
    co_await otter::sleep(50ms);
    otter::exit(victim, otter::atoms::kill);
    auto down = co_await otter::receive<otter::down_msg>();
    EXPECT_EQ(down.monitor, monitor);
    co_await otter::sleep(300ms);
    http_request request{.url = ok_url};
    co_return co_await post(io, std::move(request));
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace notifier::http
