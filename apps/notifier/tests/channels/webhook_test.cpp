// tests/channels/webhook_test.cpp: webhook deliveries over real HTTP to the local receiver
// (tests/support/webhook_receiver.hpp), from processes of the threaded runtime through the
// I/O threads (io_poster).

#include "notifier/channels/webhook.hpp"

#include "notifier/domain/signature.hpp"
#include "notifier/io/io_runner.hpp"
#include "otter/core/process.hpp"
#include "otter/core/receive.hpp"
#include "otter/core/runtime.hpp"

#include "support/webhook_receiver.hpp"

#include "channels/channel_test_support.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace notifier::channels {
namespace {

using namespace std::chrono_literals;
using test::reminder;
using test::webhook_user;
using test_support::scripted_reply;
using test_support::webhook_receiver;

class WebhookTest : public ::testing::Test {
protected:
  // Delivers `n` to `u` in a new process and waits for the report.
  delivery_report deliver(user u, notification n) {
    return rt.run([this, u, n]() -> otter::co<delivery_report> {
      attempt_callback record = [this](const new_attempt& a) {
        std::lock_guard<std::mutex> lock(mu);
        attempts.push_back(a);
      };
      co_return co_await deliver_webhook(ctx, u, n, record);
    });
  }

  // The runtime first: the I/O threads stop (and stop sending to it) before it does.
  otter::runtime rt{otter::runtime_options{.schedulers = 2}};
  io_runner io{1};
  delivery_context ctx{.post = io_poster(io),
                       .now = &wall_clock_now,
                       .webhook = {.backoff = {.initial = 100ms,
                                               .max_delay = 1000ms,
                                               .multiplier = 2.0,
                                               .jitter = 0.0,
                                               .max_attempts = 3},
                                   .timeout = 2000ms,
                                   .max_response_bytes = 1024,
                                   .ca_file = {}}};
  std::mutex mu;
  std::vector<new_attempt> attempts;  // guarded by mu
};

TEST_F(WebhookTest, TheReceiverVerifiesTheSignatureWithTheUsersSecret) {
  webhook_receiver rx;
  const user u = webhook_user(rx.url());
  delivery_report r = deliver(u, reminder());
  ASSERT_TRUE(r.delivered) << r.detail;
  ASSERT_EQ(rx.request_count(), 1u);
  const auto seen = rx.requests().front();
  EXPECT_EQ(seen.body, reminder().payload);
  const std::string signature = seen.header("X-Otter-Signature");
  EXPECT_TRUE(signature.starts_with("sha256="));
  EXPECT_TRUE(verify_webhook_signature(u.webhook_secret, seen.body, signature));
  EXPECT_FALSE(verify_webhook_signature("another secret", seen.body, signature));
}

TEST_F(WebhookTest, EachRequestNamesTheNotificationAndTheAttempt) {
  webhook_receiver rx;
  rx.script({{.status = 503, .body = {}, .hang = false}});
  delivery_report r = deliver(webhook_user(rx.url()), reminder());
  ASSERT_TRUE(r.delivered) << r.detail;
  const auto seen = rx.requests();
  ASSERT_EQ(seen.size(), 2u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].method, "POST");
    EXPECT_EQ(seen[i].target, "/hook");
    EXPECT_EQ(seen[i].header("Content-Type"), "application/json");
    EXPECT_EQ(seen[i].header("User-Agent"), "otter-notifier/1");
    EXPECT_EQ(seen[i].header("X-Otter-Notification"), "42");
    EXPECT_EQ(seen[i].header("X-Otter-Attempt"), std::to_string(i + 1));
  }
}

TEST_F(WebhookTest, RetriesAfterA503ThenSucceedsAndRecordsBothAttempts) {
  webhook_receiver rx;
  rx.script({{.status = 503, .body = {}, .hang = false}});
  delivery_report r = deliver(webhook_user(rx.url()), reminder());
  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(r.attempts, 2);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, attempt_outcome::failed);
  EXPECT_EQ(attempts[0].detail, "HTTP 503");
  EXPECT_EQ(attempts[1].outcome, attempt_outcome::delivered);
  EXPECT_EQ(attempts[1].detail, "HTTP 200");
  // The backoff (100 ms, no jitter) was waited between the two attempts.
  EXPECT_GE(attempts[1].attempted_at - attempts[0].attempted_at, 100ms);
}

TEST_F(WebhookTest, A400IsNotRetried) {
  webhook_receiver rx;
  rx.script({{.status = 400, .body = "bad", .hang = false}});
  delivery_report r = deliver(webhook_user(rx.url()), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "HTTP 400");
  EXPECT_EQ(rx.request_count(), 1u);
}

TEST_F(WebhookTest, ARefusedConnectionFailsWithAClearDetail) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context scratch;
    boost::asio::ip::tcp::acceptor a(
        scratch, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  ctx.webhook.backoff.max_attempts = 2;
  delivery_report r =
      deliver(webhook_user("http://127.0.0.1:" + std::to_string(port) + "/hook"), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 2);  // retried: the receiver may come back
  EXPECT_EQ(r.detail, "connection refused (127.0.0.1:" + std::to_string(port) + ")");
}

TEST_F(WebhookTest, AReceiverThatDoesNotAnswerFailsWithATimeout) {
  webhook_receiver rx;
  rx.set_default_reply({.status = 200, .body = {}, .hang = true});
  ctx.webhook.timeout = 200ms;
  ctx.webhook.backoff.max_attempts = 1;
  delivery_report r = deliver(webhook_user(rx.url()), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.detail, "timeout after 200 ms");
  EXPECT_EQ(rx.request_count(), 1u);
}

TEST_F(WebhookTest, AnUnusableUrlFailsAtOnce) {
  delivery_report r = deliver(webhook_user("http://user:pw@127.0.0.1:9/"), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "bad webhook URL: URL must not contain user info (user@host)");
}

TEST_F(WebhookTest, AnAnswerAboveTheLimitFailsAndIsNotRetried) {
  webhook_receiver rx;
  rx.set_default_reply({.status = 200, .body = std::string(5000, 'x'), .hang = false});
  delivery_report r = deliver(webhook_user(rx.url()), reminder());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.detail, "response body larger than 1024 bytes");
}

// The brief's "a webhook URL that hangs never blocks other deliveries": each delivery waits in
// its own process, so a stuck receiver costs only its own deliveries their timeout.
TEST_F(WebhookTest, AHangingReceiverDoesNotDelayADeliveryFromAnotherProcess) {
  webhook_receiver stuck;
  stuck.set_default_reply({.status = 200, .body = {}, .hang = true});
  webhook_receiver healthy;
  ctx.webhook.timeout = 3000ms;
  ctx.webhook.backoff.max_attempts = 1;
  const user stuck_user = webhook_user(stuck.url());
  const user healthy_user = webhook_user(healthy.url());

  struct finished {
    std::string who;
    delivery_report report;
    std::chrono::steady_clock::duration took;
  };
  std::vector<finished> order = rt.run([&]() -> otter::co<std::vector<finished>> {
    const otter::pid me = otter::self();
    auto deliverer = [this, me](std::string who, user u) -> otter::co<void> {
      const auto start = std::chrono::steady_clock::now();
      attempt_callback ignore = [](const new_attempt&) {
      };
      const notification n = reminder();
      delivery_report report = co_await deliver_webhook(ctx, u, n, ignore);
      otter::send(me, finished{who, report, std::chrono::steady_clock::now() - start});
    };
    otter::spawn(deliverer, std::string("stuck"), stuck_user);
    // Start the healthy delivery once the stuck one's request is waiting for its answer.
    while (stuck.request_count() == 0) {
      co_await otter::sleep(5ms);
    }
    otter::spawn(deliverer, std::string("healthy"), healthy_user);
    std::vector<finished> done;
    done.push_back(co_await otter::receive<finished>());
    done.push_back(co_await otter::receive<finished>());
    co_return done;
  });

  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].who, "healthy");
  EXPECT_TRUE(order[0].report.delivered);
  EXPECT_LT(order[0].took, 1000ms);  // far below the stuck one's 3 s timeout
  EXPECT_EQ(order[1].who, "stuck");
  EXPECT_FALSE(order[1].report.delivered);
  EXPECT_EQ(order[1].report.detail, "timeout after 3000 ms");
  EXPECT_EQ(healthy.request_count(), 1u);
}

}  // namespace
}  // namespace notifier::channels
