// http_server::stop(): stop accepting, close idle connections, let requests in flight finish
// (or answer them 503 after stop_timeout).

#include "http/server_test_fixture.hpp"

#include <future>
#include <stdexcept>
#include <string>

namespace notifier::testing {
namespace {

// A request waits in the backend while stop() runs on another thread: the idle connection is
// closed at once, the request in flight is answered (with Connection: close) once the backend
// returns, stop() returns after that, and nobody can connect any more.
TEST_F(HttpServerTest, StopFinishesRequestsInFlightAndClosesIdleConnections) {
  auto token = create_user("ada");
  const auto port = server_->port();
  http_test_client idle(port);
  ASSERT_EQ(idle.request("GET", "/health").status, 200U);  // accepted and registered
  backend_.set_hook(gate_.hook_for("list_tasks"));
  http_test_client busy(port);
  busy.send("GET", "/tasks", "", token);
  ASSERT_TRUE(gate_.wait_for_waiters(1));

  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "stop() waits for the request in flight";

  gate_.open(rt_);
  auto r = busy.receive();
  EXPECT_EQ(r.status, 200U);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(busy.closed_by_server());
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_THROW(http_test_client{port}, std::runtime_error);
}

// A request still in the backend when stop_timeout passes is answered 503 "shutting_down",
// and stop() returns without waiting for the backend.
TEST_F(HttpServerTest, StopAnswers503ToRequestsThatOutlastTheStopTimeout) {
  server_options options;
  options.stop_timeout = std::chrono::milliseconds(200);
  start_server(options);
  auto token = create_user("ada");
  backend_.set_hook(gate_.hook_for("list_tasks"));
  http_test_client busy(server_->port());
  busy.send("GET", "/tasks", "", token);
  ASSERT_TRUE(gate_.wait_for_waiters(1));

  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  auto r = busy.receive();
  EXPECT_EQ(r.status, 503U);
  EXPECT_EQ(r.error_code(), "shutting_down");
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

// With the I/O threads gone no connection can close, so waiting would only burn the whole
// stop_timeout (10 s by default): stop() sees it and returns at once.
TEST_F(HttpServerTest, StopReturnsAtOnceWhenTheIoRunnerStoppedFirst) {
  http_test_client idle(server_->port());
  ASSERT_EQ(idle.request("GET", "/health").status, 200U);
  io_.stop();
  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

TEST_F(HttpServerTest, StopIsIdempotent) {
  const auto port = server_->port();
  server_->stop();
  server_->stop();
  EXPECT_THROW(http_test_client{port}, std::runtime_error);
}

TEST_F(HttpServerTest, BindingATakenPortThrows) {
  server_options options;
  options.port = server_->port();
  options.admin_token = "x";
  EXPECT_THROW(http_server(rt_, io_, backend_, options), boost::system::system_error);
}

TEST_F(HttpServerTest, NonsensicalOptionsAreRejected) {
  server_options zero_page;
  zero_page.default_page_size = 0;
  EXPECT_THROW(http_server(rt_, io_, backend_, zero_page), std::invalid_argument);
  server_options inverted;
  inverted.default_page_size = 10;
  inverted.max_page_size = 5;
  EXPECT_THROW(http_server(rt_, io_, backend_, inverted), std::invalid_argument);
}

}  // namespace
}  // namespace notifier::testing
